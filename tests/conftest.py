"""Test fixtures: one app and schema per run, every table emptied after each test.

The database is SQLite in a temporary file by default; ``DATABASE_URL`` points the same suite at
PostgreSQL (``make test-postgres``). A run that cannot reach the database it was given fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, func, make_url, select, text

from portal import create_app
from portal.extensions import db

from . import builders
from .builders import TODAY, Shop, app_config, make_shop


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests hold an app context to use the database; without this, requests would share that
    context's ``g`` (and Flask-Login's cached user) and its SQLAlchemy session. The test's own
    transaction ends first, as a finished request's would: on SQLite a test that wrote holds the
    write lock until it commits (portal/db.py), so an open one would make the request wait.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Tests read the English messages (the msgids); tests/test_translations.py covers Chinese.
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if _cv_app.get(None) is not None:
            db.session.commit()
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database of this run's own: a fresh SQLite file, or a fresh schema on PostgreSQL, so that
    two runs on one machine (two developers, or a developer and CI) never see each other's rows."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        folder = tempfile.mkdtemp(prefix="portal-test-")
        yield f"sqlite:///{folder}/test.sqlite3"
        shutil.rmtree(folder, ignore_errors=True)
        return
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as connection:  # fails the run, loudly, when PostgreSQL is unreachable
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile the catalogs as `make translations` does, so a bare `pytest` sees both languages."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parents[1] / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with its production cost takes a tenth of a second per hash; tests need hundreds."""
    from argon2 import PasswordHasher

    from portal.accounts import models

    production = models._hasher
    models._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    models._hasher = production


@pytest.fixture(scope="session")
def _app(database_url: str) -> Iterator[Flask]:
    # The URL must be in the config before create_app: Flask-SQLAlchemy builds its engine there.
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=database_url))
    app.test_client_class = IsolatedClient
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert db.engine.url.database == make_url(database_url).database, "tests must never use instance/"
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
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The portal's Asia/Shanghai "today" is 2026-03-10 (noon there), whatever the real date."""
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    return TODAY


@pytest.fixture
def shop(app: Flask) -> Shop:
    """An active agreement with a board and a cable in a published list, and its users (builders.Shop)."""
    return make_shop()


@pytest.fixture
def count_rows(app: Flask) -> Any:
    def count(model: Any) -> int:
        db.session.expire_all()
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    return count


@pytest.fixture
def count_statements(app: Flask) -> Any:
    """``with count_statements() as statements: …`` then ``len(statements)``: SQL sent to the database."""
    import contextlib

    from sqlalchemy import event

    @contextlib.contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
