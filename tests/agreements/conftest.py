"""Fixtures of the agreements area: a fixed "today" and the API caller."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture, for tests/agreements/test_api.py)

TODAY = date(2026, 3, 10)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Make the portal's Asia/Shanghai "today" 2026-03-10 (noon there), whatever the real date."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    return TODAY


@pytest.fixture(autouse=True)
def _database(app):
    """Every test here works with the database inside the app's context."""
    return app
