"""The one transaction boundary (portal/transactions.py): a service's writes commit together, a
refusal or any error rolls all of them back, and a service called by another joins its
transaction instead of committing half of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from portal.domain.errors import N_, DomainError
from portal.extensions import db
from portal.regions.models import Region
from portal.transactions import after_commit, transaction, transactional

from .builders import make_region


@pytest.fixture
def commits(app) -> Iterator[list[int]]:
    """One entry per COMMIT sent to the database (another connection cannot look in while SQLite's
    write lock is held); releasing a SAVEPOINT is not one."""
    seen: list[int] = []

    def count(_connection: object) -> None:
        seen.append(1)

    event.listen(db.engine, "commit", count)
    yield seen
    event.remove(db.engine, "commit", count)


def stored_codes() -> set[str]:
    """What another connection sees: only committed rows."""
    with db.engine.connect() as connection:
        return set(connection.scalars(select(Region.code)))


def add(code: str) -> None:
    db.session.add(Region(code=code, name=code, level="province"))


@transactional
def add_then_refuse(code: str) -> None:
    add(code)
    db.session.flush()
    raise DomainError(N_("This step is not possible in the order's current state."))


def test_a_block_that_ends_normally_commits(app):
    with transaction():
        add("110000")
    assert stored_codes() == {"110000"}


def test_a_refusal_rolls_back_everything_the_service_wrote_and_is_raised_again(app):
    with pytest.raises(DomainError):
        add_then_refuse("110000")
    assert stored_codes() == set()
    assert db.session.scalar(select(func.count()).select_from(Region)) == 0  # the session too
    with transaction():  # and the session goes on working
        add("120000")
    assert stored_codes() == {"120000"}


@transactional
def add_all(*codes: str) -> None:
    for code in codes:
        add(code)


def test_a_database_error_rolls_back_as_well(app):
    make_region("330000")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        add_all("110000", "330000")  # the second one's primary key is taken
    assert stored_codes() == {"330000"}


def test_a_nested_service_commits_only_with_the_outermost_block(app, commits):
    @transactional
    def inner() -> None:
        add("120000")

    with transaction():
        add("110000")
        inner()
        assert commits == []  # nothing committed yet
    assert commits == [1]
    assert stored_codes() == {"110000", "120000"}


def test_an_inner_refusal_the_caller_handles_undoes_only_the_inner_writes(app):
    with transaction():
        add("110000")
        with pytest.raises(DomainError):
            add_then_refuse("120000")
        add("130000")
    assert stored_codes() == {"110000", "130000"}


def test_an_inner_refusal_nobody_handles_undoes_the_whole_transaction(app):
    @transactional
    def outer() -> None:
        add("110000")
        add_then_refuse("120000")

    with pytest.raises(DomainError):
        outer()
    assert stored_codes() == set()


def test_what_waits_for_the_commit_runs_after_it_and_never_after_a_rollback(app):
    seen: list[set[str]] = []
    with transaction():
        add("110000")
        after_commit(lambda: seen.append(stored_codes()))
        assert seen == []
    assert seen == [{"110000"}]  # called once the row was committed

    @transactional
    def queue_then_refuse() -> None:
        after_commit(lambda: seen.append(set()))
        add_then_refuse("120000")

    with pytest.raises(DomainError):
        queue_then_refuse()
    assert seen == [{"110000"}]

    with transaction():
        with pytest.raises(DomainError):
            queue_then_refuse()  # what the undone inner block queued is dropped
        after_commit(lambda: seen.append(stored_codes()))
    assert seen == [{"110000"}, {"110000"}]


def test_outside_a_transaction_after_commit_runs_at_once(app):
    seen: list[int] = []
    after_commit(lambda: seen.append(1))
    assert seen == [1]


def test_on_sqlite_a_write_block_ends_the_read_before_it_and_reads_under_the_write_lock(app):
    """Pages read without SQLite's write lock; a service that writes takes it at its BEGIN, so what
    it reads before writing (a balance, a sequence number) no other writer can change meanwhile."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows (SELECT … FOR UPDATE), not the database")
    make_region("330000", "浙江省")
    db.session.commit()
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement.split()[0] + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.scalar(select(func.count()).select_from(Region))  # a page's read: deferred
        with transaction():
            db.session.scalar(select(Region.code))
            add("330100")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert seen[:2] == ["BEGIN", "SELECT"]
    assert seen[2:4] == ["BEGIN IMMEDIATE", "SELECT"]  # the read ended; the block began with the lock
    assert stored_codes() == {"330000", "330100"}
