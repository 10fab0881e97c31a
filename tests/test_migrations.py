"""Migrations tell the schema's story: from empty to head and back, and they match the models."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.extensions import db

from .builders import app_config


@pytest.fixture
def empty_database_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        folder = tempfile.mkdtemp(prefix="portal-migrations-")
        yield f"sqlite:///{folder}/migrations.sqlite3"
        return
    schema = f"migrations_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades_to_empty(empty_database_url):
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert differences == [], "the models changed without a migration: flask --app wsgi db migrate -m '…'"
            tables = set(inspect(connection).get_table_names())
        assert {"users", "distributors", "regions", "audit_events", "api_tokens"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_every_revision_has_a_message_and_a_dated_file_name():
    from pathlib import Path

    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    files = sorted(versions.glob("*.py"))
    assert files
    for path in files:
        assert path.name[:8].isdigit(), f"{path.name}: file names start with the date (alembic.ini file_template)"
        docstring = path.read_text().split('"""')[1].strip()
        assert docstring, f"{path.name} has no message"
        assert not docstring.lower().startswith("empty message"), f"{path.name} has no message"
