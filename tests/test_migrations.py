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
from sqlalchemy import create_engine, inspect, select, text

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


def test_orders_whose_deposit_is_paid_get_their_delivery_due_date(empty_database_url, monkeypatch):
    """The data migration of docs/rules.md §6: deposit paid + the delivery period in force that day."""
    from datetime import date
    from decimal import Decimal

    from portal.agreements.models import Agreement
    from portal.domain.agreements import Terms
    from portal.orders.models import Order
    from portal.receivables import services

    from .builders import START, make_active_agreement, make_order, make_price_list, make_product

    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    # Today's services on the schema of that revision: the agreement's level changes (a later table)
    # are not read; the signed level is the level.
    monkeypatch.setattr(Agreement, "level_on", lambda agreement, on: agreement.level)
    with app.app_context():
        upgrade(revision="f0f4011cf4f4")
        board = make_product()
        make_price_list({board: ("1000.00", "1200.00", "1500.00")}, published_on=START)
        agreement = make_active_agreement(products=[board], terms=Terms(delivery_days=45))
        make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 2))  # the first order, unpaid
        order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 2))
        services.record_payment(
            order,
            amount=Decimal("18000.00"),
            received_on=date(2026, 3, 4),
            bank_reference="DEP-1",
            payer="",
            recorded_by_id=None,
            today=date(2026, 3, 4),
        )
        db.session.execute(text("UPDATE orders SET delivery_due_on = NULL"))  # as the portal left it
        db.session.commit()
        upgrade()
        db.session.expire_all()
        dates = dict(db.session.execute(select(Order.number, Order.delivery_due_on)).all())
        assert dates == {order.number: date(2026, 4, 18)} | {n: None for n in dates if n != order.number}
        db.session.remove()
        db.engine.dispose()
