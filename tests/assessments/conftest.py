"""Fixtures of the assessments area: the portal's "today" fixed after the first quarter of 2026 has
ended, and the API caller."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture)
from .builders import AFTER_Q1


@pytest.fixture
def after_q1(monkeypatch: pytest.MonkeyPatch) -> date:
    """The portal's Asia/Shanghai "today" is 2026-04-02, two days after the first quarter ended."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 4, 2, 4, 0, tzinfo=UTC))
    return AFTER_Q1
