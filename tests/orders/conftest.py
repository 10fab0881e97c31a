"""The API caller fixture, shared with tests/api (``api(user).get(...)``)."""

from ..api.conftest import api  # noqa: F401
