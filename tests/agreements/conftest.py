"""Fixtures of the agreements area: the API caller, and the database for every test."""

from __future__ import annotations

import pytest

from ..api.conftest import api  # noqa: F401  (the API caller fixture, for tests/agreements/test_api.py)


@pytest.fixture(autouse=True)
def _database(app):
    """Every test here works with the database inside the app's context."""
    return app
