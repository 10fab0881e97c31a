"""Calling the API as a given user, with a fresh bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from ..builders import make_token


class ApiCaller:
    """``caller.get(path)``, ``caller.post(path, json=...)``: requests with ``Authorization: Bearer``,
    in English unless the test asks for another language (the portal's default is Chinese)."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Accept-Language": "en", **kwargs.pop("headers", {})}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)


@pytest.fixture
def api(client: FlaskClient) -> Any:
    """``api(user)`` calls as that user (a new token); ``api(token="...")`` with a given token;
    ``api()`` without any."""

    def caller(user: Any = None, *, token: str | None = None) -> ApiCaller:
        if user is not None:
            token = make_token(user)
        return ApiCaller(client, token)

    return caller
