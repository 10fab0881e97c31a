"""Notice numbers never repeat, also when several people issue notices at the same moment.

Each thread is a separate request: its own app context, session and database connection, on the
run's own database (the SQLite file, or PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from portal.distributors.models import Distributor
from portal.domain.notices import NoticeType
from portal.extensions import db
from portal.notices import services
from portal.notices.models import Notice
from portal.transactions import transaction

from ..builders import make_distributor

THREADS = 6
EACH = 4
TIMEOUT = 60


def run_in_threads(app: Flask, work: Callable[[int], None], count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with app.app_context():
                try:
                    work(n)
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung: a lock was never released"
    return errors


def issue_one(distributor_id: int, issued_on: date) -> str:
    """As the services that issue notices do: inside one transaction (portal/transactions.py)."""
    with transaction():
        distributor = db.session.get(Distributor, distributor_id)
        notice = services.issue_notice(
            distributor, NoticeType.WARNING, issued_on, message_zh="警告", message_en="Warning"
        )
    return notice.number


def numbers_of(year: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notice.number).where(Notice.year == year).order_by(Notice.sequence)))


def test_notices_issued_at_once_from_several_threads_get_unique_consecutive_numbers(app):
    distributor_id = make_distributor().id
    db.session.commit()  # the test's own transaction must not hold the database while threads write
    start = threading.Barrier(THREADS, timeout=TIMEOUT)
    issued: list[str] = []

    def work(n: int) -> None:
        start.wait()
        for _ in range(EACH):
            issued.append(issue_one(distributor_id, date(2027, 3, 5)))

    assert run_in_threads(app, work, THREADS) == []
    expected = [f"TZ-2027-{n:04d}" for n in range(1, THREADS * EACH + 1)]
    assert sorted(issued) == expected
    assert numbers_of(2027) == expected


def test_the_first_notices_of_a_new_year_from_several_threads_do_not_collide(app, monkeypatch):
    """Every thread finds no counter row for the year and tries to create it at the same moment;
    one creates it, the others wait for it and take the next numbers."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite takes the write lock at BEGIN IMMEDIATE: two writers can never both find no row")
    distributor_id = make_distributor().id
    db.session.commit()
    all_missed = threading.Barrier(THREADS, timeout=TIMEOUT)
    create_counter = services._create_counter

    def create_together(year: int) -> None:
        all_missed.wait()  # every thread has found no row and is about to insert it
        create_counter(year)

    monkeypatch.setattr(services, "_create_counter", create_together)
    issued: list[str] = []
    assert run_in_threads(app, lambda n: issued.append(issue_one(distributor_id, date(2029, 1, 1))), THREADS) == []
    expected = [f"TZ-2029-{n:04d}" for n in range(1, THREADS + 1)]
    assert sorted(issued) == expected
    assert numbers_of(2029) == expected
