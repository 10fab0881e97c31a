"""Fixtures of the compliance area: the portal's "today" fixed at 30 June 2026, so that the shop's
first half-year (orders from March, batches in April) has happened and deadlines have passed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

ON = date(2026, 6, 30)


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 6, 30, 4, 0, tzinfo=UTC))
    return ON
