"""Test fixtures: one app and schema per run, every table emptied after each test.

The database is SQLite in a temporary file by default; ``DATABASE_URL`` points the same suite at
PostgreSQL (``make test-postgres``). A run that cannot reach the database it was given fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db

from . import builders


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _app(database_url: str) -> Iterator[Flask]:
    app = create_app(TestConfig)
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.engine.dispose()
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(_app: Flask) -> Iterator[Flask]:
    _app.config["WTF_CSRF_ENABLED"] = False
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(app: Flask) -> Any:
    """``login(user)`` returns a client signed in as that user (through the real login form)."""

    def sign_in(user: Any, client: FlaskClient | None = None) -> FlaskClient:
        client = client or app.test_client()
        response = client.post("/login", data={"username": user.username, "password": builders.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def count_rows(app: Flask) -> Any:
    def count(model: Any) -> int:
        db.session.expire_all()
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    return count
