"""Declarative base, column types for money, and SQLite connection settings."""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum, MetaData, delete, event, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from .domain.money import from_fen, to_fen

# Constraint names that Alembic can find again (Indico, FlaskBB).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Integer primary keys are 32-bit on PostgreSQL: a larger id cannot name a record.
MAX_ID = 2_147_483_647


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """An enum stored as its value in a VARCHAR (no native type: adding a member needs no DDL)."""
    return Enum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Money(TypeDecorator[Decimal]):
    """A CNY amount as ``Decimal`` in Python and whole fen (BIGINT) in the database.

    Why not NUMERIC: SQLite stores NUMERIC through a float, so ¥0.10 + ¥0.20 could drift; whole
    fen stay exact on SQLite and PostgreSQL alike (docs/rules.md §2).
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money columns take Decimal, not {type(value).__name__}")
        return to_fen(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else from_fen(int(value))

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """:meth:`process_result_value` itself, not wrapped in TypeDecorator's two further calls
        per value: an export reads 300,000 amounts at 10× the data. (BIGINT needs no processing of
        its own on either database; if a driver's did, the wrapped default is kept.)"""
        if self.impl_instance.result_processor(dialect, coltype) is not None:
            return super().result_processor(dialect, coltype)
        process_result_value = self.process_result_value
        return lambda value: process_result_value(value, dialect)


class Percent(Money):
    """A percentage kept exactly in hundredths of a percent: Decimal("30.00") is stored as 3000."""

    cache_ok = True


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always handed back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: foreign keys on, WAL, a busy timeout, and let SQLAlchemy emit BEGIN itself."""
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    dbapi_connection.isolation_level = None  # pysqlite's own BEGIN would be DEFERRED
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# Whether the transaction about to begin will write: set by portal.transactions for its block.
_WRITING: ContextVar[bool] = ContextVar("sqlite_transaction_writes", default=False)


@contextmanager
def write_lock_at_begin() -> Iterator[None]:
    """Transactions that begin inside this block take SQLite's write lock at ``BEGIN``."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """SQLite: a transaction that writes takes the write lock at BEGIN (``BEGIN IMMEDIATE``), so two
    writers cannot both read the same row and then lose one's update; they wait for each other
    (busy timeout) instead. Reads begin deferred and, in WAL mode, run beside the writer and each
    other. Only :func:`portal.transactions.transaction` writes, so only it asks for the lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _WRITING.get() else "BEGIN")


def upsert_insert(session: Any) -> type[postgresql.Insert] | type[sqlite.Insert]:
    """The INSERT construct of the session's database, the one with ``on_conflict_do_nothing`` and
    ``on_conflict_do_update`` (PostgreSQL's and SQLite's spell them alike): for rows made before they
    are locked (accounts.throttle, notices' counters, recount_rows)."""
    dialect = session.get_bind().dialect.name
    return postgresql.Insert if dialect == "postgresql" else sqlite.Insert


def recount_rows(
    session: Any,
    model: Any,
    key: str,
    zero: Mapping[str, Any],
    keys: Collection[Any] | None,
    count: Callable[[Sequence[Any] | None], Mapping[Any, Mapping[str, Any]]],
) -> int:
    """Make a kept-current table's rows for these ``keys`` (None: every key) equal what ``count``
    returns for them (key → values; a key it leaves out gets ``zero``), inside the caller's
    transaction, so that two transactions recounting one key take turns: each key's row is made
    first if missing (INSERT … ON CONFLICT DO NOTHING) and locked, keys in order, before the count
    (SELECT … FOR UPDATE; every key: the table locked against writers), so on PostgreSQL the second
    waits for the first to commit and then counts what it wrote; SQLite lets one writer at a time
    anyway. Rows are never deleted, which keeps those locks sound: a key with nothing left stays, at
    zero. For tables keyed by a due day, a few hundred rows a year (repairs.owed, boards.tallies).
    Returns the rows written."""
    key_column = getattr(model, key)
    columns = list(zero)
    wanted = None if keys is None else sorted(k for k in keys if k is not None)
    if wanted == []:
        return 0
    locked = select(key_column, *(getattr(model, column) for column in columns))
    if wanted is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"LOCK TABLE {model.__tablename__} IN EXCLUSIVE MODE"))  # reads go on
    else:
        session.execute(
            upsert_insert(session)(model)
            .values([{key: k, **zero} for k in wanted])
            .on_conflict_do_nothing(index_elements=[key])
        )
        locked = locked.where(key_column.in_(wanted)).order_by(key_column).with_for_update()
    existing = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in session.execute(locked)}
    fresh = count(wanted)
    inserts = [{key: k, **values} for k, values in fresh.items() if k not in existing]
    updates = [{key: k, **values} for k, row in existing.items() if row != (values := fresh.get(k, zero))]
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)  # by primary key, one executemany
    return len(inserts) + len(updates)


def rewrite_rows(
    session: Any,
    model: Any,
    columns: Sequence[str],
    fresh: Mapping[int, Mapping[str, Any]],
    keys: Collection[int] | None,
    key: str = "distributor_id",
) -> int:
    """Make a kept-current table's rows equal ``fresh`` (key → its ``columns``' values) for the
    ``keys`` given (None: every row), inside the caller's transaction: changed rows updated, new
    ones inserted, the others of those keys deleted, each in one executemany statement. Returns the
    rows written (compliance.standings)."""
    key_column = getattr(model, key)
    statement = select(key_column, *(getattr(model, column) for column in columns))
    if keys is not None:
        statement = statement.where(key_column.in_(sorted(keys)))
    existing = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in session.execute(statement)}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for number, values in fresh.items():
        row = existing.pop(number, None)
        if row is None:
            inserts.append({key: number, **values})
        elif any(row[column] != value for column, value in values.items()):
            updates.append({key: number, **values})
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)
    if existing:
        session.execute(delete(model).where(key_column.in_(sorted(existing))))
    return len(inserts) + len(updates) + len(existing)
