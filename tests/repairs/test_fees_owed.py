"""The repair fees owed, kept current per due day (repairs.owed, models.FeesOwedDay; docs/rules.md
§7.2): after every step a batch takes, the rows equal a recount of the batches, and finance's home
page total read off them (ledger_queries.network_fees_owed) equals the one the ledger computes from
the batches (ledger_queries.fees_owed) on each side of a due date."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, timedelta
from decimal import Decimal

from flask_login import login_user
from sqlalchemy import delete, func, select

from portal.domain.repairs import BatchStatus
from portal.extensions import db
from portal.repairs import fees, owed, services
from portal.repairs.ledger_queries import (
    LedgerFilters,
    fees_owed,
    grand_totals,
    grand_totals_counted,
    ledger_page,
    network_batch_count,
    network_fees_owed,
    notified_clause,
)
from portal.repairs.models import FeesOwedDay, RepairBatch
from portal.repairs.owed import counted, refresh_fees_owed

from .builders import PAY_DAY, book_fee

S = BatchStatus
DUE_ON = date(2026, 4, 28)  # notified 21 April (tests/repairs/builders.py STEPS), fees due 7 days on
LATER_DUE_ON = date(2026, 5, 1)
#: The day before each due date, the due date itself (not overdue yet), the day after, and months on.
DAYS = [DUE_ON - timedelta(days=1), DUE_ON, DUE_ON + timedelta(days=1), LATER_DUE_ON, date(2026, 7, 1)]
#: Each side of each ageing bucket's bounds for the earlier due date (domain.repairs.fee_ageing:
#: 1–30, 31–60, over 60 days past it).
BUCKET_EDGES = [DUE_ON + timedelta(days=days) for days in (30, 31, 60, 61)]
NOTHING = {"batches": 0, "outstanding": Decimal("0.00"), "awaiting": 0}


def stored() -> dict[date, dict]:
    """The rows as repairs.owed.counted gives them."""
    db.session.expire_all()
    return {
        row.fees_due_on: {
            "batches": row.batches,
            "charged": row.charged,
            "paid": row.paid,
            "awaiting": row.awaiting,
            "settled": row.settled,
        }
        for row in db.session.scalars(select(FeesOwedDay))
    }


def kept() -> dict[date, dict]:
    """The rows, with what each day's batches still owe."""
    return {
        day: {"batches": row["batches"], "outstanding": row["charged"] - row["paid"], "awaiting": row["awaiting"]}
        for day, row in stored().items()
    }


def assert_agrees(app, finance) -> None:
    """The rows equal a recount (a day with nothing owed left at zero); the home page's totals equal
    the ledger's on every day of DAYS, and the ledger's grand total added up from the rows equals
    the one counted from the batches on those days and on each side of every ageing bucket's bound."""
    rows = stored()
    assert {day: values for day, values in rows.items() if values != owed.NOTHING} == counted(db.session, None)
    with app.test_request_context():
        login_user(finance)  # the ledger reads in the caller's scope: head office's, all
        for on in DAYS:
            assert network_fees_owed(on) == fees_owed(LedgerFilters(unpaid_only=True), on), on
        for on in [*DAYS, *BUCKET_EDGES]:
            assert grand_totals(LedgerFilters(), on) == grand_totals_counted(LedgerFilters(), on), on
        # The ledger's count of its batches, exact: every batch notified or later.
        every_batch = db.session.scalar(select(func.count()).select_from(RepairBatch).where(notified_clause()))
        assert network_batch_count() == every_batch
        with app.test_request_context("/repairs/ledger"):
            login_user(finance)
            assert (ledger_page(LedgerFilters(), DUE_ON).total, ledger_page(LedgerFilters(), DUE_ON).capped) == (
                every_batch,
                False,
            )


def book(batch, amount, reference="BANK-1", on=PAY_DAY):
    return book_fee(batch, amount, reference=reference, on=on, today=on)


def test_each_step_of_a_batch_keeps_its_due_days_total_equal_to_a_recount(app, shop, notified_batch):
    ours = notified_batch("300.00")
    theirs = notified_batch("200.00", of=shop.elsewhere())  # another distributor, the same due day
    later = notified_batch("150.00", of=shop.elsewhere(), notified_on=date(2026, 4, 24))
    assert {ours.fees_due_on, theirs.fees_due_on, later.fees_due_on} == {DUE_ON, LATER_DUE_ON}
    assert kept() == {
        DUE_ON: {"batches": 2, "outstanding": Decimal("500.00"), "awaiting": 2},
        LATER_DUE_ON: {"batches": 1, "outstanding": Decimal("150.00"), "awaiting": 1},
    }
    assert_agrees(app, shop.finance)

    book(ours, "100.00")  # a part payment
    assert kept()[DUE_ON] == {"batches": 2, "outstanding": Decimal("400.00"), "awaiting": 2}
    payment = book(theirs, "200.00")  # paid in full: no longer owing
    assert kept()[DUE_ON] == {"batches": 1, "outstanding": Decimal("200.00"), "awaiting": 1}
    assert_agrees(app, shop.finance)

    fees.void_fee_payment(payment, reason="Bounced transfer", voided_by_id=None)  # owing again
    assert kept()[DUE_ON] == {"batches": 2, "outstanding": Decimal("400.00"), "awaiting": 2}
    fees.release_batch(ours, reason="Hospital customer", released_by_id=shop.sales.id, today=date(2026, 5, 2))
    assert kept()[DUE_ON]["awaiting"] == 1  # released: never withheld, still owing
    services.return_batch(ours, returned_on=date(2026, 5, 3), today=date(2026, 5, 3))
    assert kept()[DUE_ON] == {"batches": 2, "outstanding": Decimal("400.00"), "awaiting": 1}
    assert_agrees(app, shop.finance)

    book(ours, "200.00", reference="BANK-2", on=date(2026, 5, 4))
    book(theirs, "200.00", reference="BANK-3", on=date(2026, 5, 4))
    assert kept()[DUE_ON] == NOTHING  # the day keeps its row, at zero
    assert_agrees(app, shop.finance)
    with app.test_request_context():
        login_user(shop.finance)
        network = network_fees_owed(date(2026, 5, 4))
    assert (network.count, network.outstanding, network.overdue_count, network.overdue, network.withheld) == (
        1,
        Decimal("150.00"),
        1,
        Decimal("150.00"),
        1,
    )


def test_a_batch_whose_due_day_changes_leaves_the_old_day_and_joins_the_new_one(app, shop, notified_batch):
    """A correction of the due date (as an administrator's data fix would make it, through the ORM)."""
    batch = notified_batch("300.00")
    db.session.expire_all()  # the day it leaves is not loaded: the change loads it (active_history)
    batch = db.session.get(RepairBatch, batch.id)
    batch.fees_due_on = LATER_DUE_ON
    db.session.commit()
    assert kept() == {DUE_ON: NOTHING, LATER_DUE_ON: {"batches": 1, "outstanding": Decimal("300.00"), "awaiting": 1}}
    assert_agrees(app, shop.finance)


def test_the_daily_recount_agrees_with_the_ledger_for_every_kind_of_batch(app, shop, insert_fee_batches):
    """Batches written straight into the table and recounted in full, as the bench generator and
    the daily command do (the fixture): notified, part paid, paid, returned unpaid after a release,
    and notified but released, on two due days."""
    insert_fee_batches(
        [
            {"amount_due": "300.00"},
            {"amount_due": "300.00", "paid_amount": "120.00"},
            {"amount_due": "80.00", "paid_amount": "80.00", "status": S.PAID},
            {"amount_due": "90.00", "status": S.RETURNED, "released": True},
            {"amount_due": "70.00", "released": True, "fees_due_on": LATER_DUE_ON},
            {"amount_due": "60.00", "fees_due_on": LATER_DUE_ON},
        ]
    )
    assert kept()[DUE_ON] == {"batches": 3, "outstanding": Decimal("570.00"), "awaiting": 2}
    assert refresh_fees_owed(db.session, None) == 0  # idempotent
    db.session.execute(delete(FeesOwedDay))
    assert refresh_fees_owed(db.session, None) == 2  # made again from the batches alone
    db.session.commit()
    assert_agrees(app, shop.finance)


def test_two_clerks_paying_batches_due_the_same_day_at_once_leave_the_day_exact(app, shop, notified_batch, monkeypatch):
    """Two distributors' batches due on one day, paid in full at the same moment from two
    connections: the second recount waits for the first commit (PostgreSQL: the day's row locked;
    SQLite takes turns at BEGIN), so the day ends owing nothing rather than what one of them saw
    before the other. Each recount waits up to 2 s for the other to reach it too: without the lock
    both count before either commits, and the day keeps one batch owing."""
    first = notified_batch("300.00")
    second = notified_batch("200.00", of=shop.elsewhere())
    ids = [(first.id, "300.00"), (second.id, "200.00")]
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    both_counting = threading.Barrier(2, timeout=2)
    count_alone = owed.counted

    def count_together(session, days):
        if threading.current_thread() is not threading.main_thread():
            with contextlib.suppress(threading.BrokenBarrierError):  # the other waits for this one's commit
                both_counting.wait()
        return count_alone(session, days)

    monkeypatch.setattr(owed, "counted", count_together)

    def pay(batch_id: int, amount: str) -> None:
        try:
            with app.app_context():
                batch = db.session.get(RepairBatch, batch_id)
                barrier.wait()
                book(batch, amount, reference=f"SLIP-{batch_id}")
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=pay, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kept()[DUE_ON] == NOTHING
    assert_agrees(app, shop.finance)
