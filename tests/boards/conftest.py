"""Fixtures of the boards area: the portal's "today" fixed for every test (tests/conftest.py), the
API caller, and the repairs area's batches for the look-up's history."""

from __future__ import annotations

from datetime import date

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture)
from ..repairs.conftest import returned_batch  # noqa: F401  (repair batches, for the look-up's history)


@pytest.fixture(autouse=True)
def _fixed_today(today: date) -> date:
    return today
