"""Fixtures of the repairs area: the portal's "today" fixed for every test (tests/conftest.py), and the
API caller."""

from __future__ import annotations

from datetime import date

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture)


@pytest.fixture(autouse=True)
def _fixed_today(today: date) -> date:
    return today
