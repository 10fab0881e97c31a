"""Fixtures of the reports area: the portal's "today" fixed (2026-03-10) for every test, and the API caller."""

from __future__ import annotations

from datetime import date

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture)


@pytest.fixture(autouse=True)
def _fixed_today(today: date) -> date:
    return today
