"""Small assertions shared by the API tests."""

from __future__ import annotations

from typing import Any


def error_of(response: Any) -> dict[str, Any]:
    """The API's error object, checking the envelope (docs/api.md: errors)."""
    assert response.is_json, response.get_data(as_text=True)
    error = response.json["error"]
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    return error
