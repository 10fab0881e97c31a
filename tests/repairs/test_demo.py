"""The repairs demo: a year of monthly batches in every state, through the batch services, with figures
that add up; loaded on the demo's real date (the whole demo, as `make run` loads it) and on the
tests' date (what the page tests and the whitespace walk see)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal import demo as portal_demo
from portal.boards.models import BoardWindow
from portal.domain.notices import NoticeType
from portal.domain.repairs import NOTIFIED_OR_LATER, BatchStatus, FeeBasis
from portal.domain.warranty import CoverageClass
from portal.extensions import db
from portal.notices.models import Notice
from portal.repairs import demo
from portal.repairs.models import RepairBatch, RepairFeePayment, RepairLine, RepairRating

DEMO_DAY = date(2026, 12, 1)  # the day this demo was written for: every story fits


@pytest.fixture
def on_demo_day(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 12, 1, 4, 0, tzinfo=UTC))
    return DEMO_DAY


def batches() -> list[RepairBatch]:
    return list(db.session.scalars(select(RepairBatch).order_by(RepairBatch.id)))


def count(model, *conditions) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


def test_a_year_of_batches_in_every_state(app, on_demo_day, caplog):
    caplog.set_level(logging.INFO, logger="portal.repairs.demo")
    portal_demo.load_demo()

    assert not [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]  # every story fits
    made = batches()
    assert {b.status for b in made} == set(BatchStatus)
    hz = [b for b in made if b.distributor.code == "HZ001"]
    assert len(hz) == 13  # twelve months back and this month's open batch
    assert all(b.shipped_on is None or b.shipped_on <= DEMO_DAY for b in made)
    assert {b.distributor.code for b in made} >= {"HZ001", "SZ002"}  # the two demo distributor logins

    open_batch = next(b for b in made if b.status is BatchStatus.OPEN)
    assert open_batch.lines  # boards in it, for the distributor to ship
    received = next(b for b in made if b.status is BatchStatus.RECEIVED)
    assert 0 < sum(line.inspected is not None for line in received.lines) < len(received.lines)

    withheld = [b for b in made if b.is_withheld(DEMO_DAY)]
    assert withheld
    for batch in withheld:
        assert batch.withheld_on is not None
        assert batch.withheld_on > batch.fees_due_on
        assert batch.reminder_notice.type is NoticeType.PAYMENT_REMINDER
        assert batch.number in batch.reminder_notice.body_en
    not_due = [b for b in made if b.status is BatchStatus.NOTIFIED and b.fees_due_on >= DEMO_DAY]
    assert not_due
    assert all(b.unpaid > 0 for b in not_due)
    released = [b for b in made if b.released]
    assert released
    assert all(b.release_reason and b.status is BatchStatus.RETURNED and b.unpaid > 0 for b in released)

    rated = db.session.scalars(select(RepairRating)).all()
    returned = [b for b in made if b.status is BatchStatus.RETURNED]
    assert rated
    assert len(rated) < len(returned)
    assert all(r.batch.status is BatchStatus.RETURNED and r.rated_on >= r.batch.returned_on for r in rated)

    bases = set(db.session.scalars(select(RepairLine.fee_basis).where(RepairLine.fee_basis.is_not(None))))
    # Every basis but the sale price: each demo board's product is priced in every list in force.
    assert bases == set(FeeBasis) - {FeeBasis.SALE_PRICE}
    capped = db.session.scalars(select(RepairLine).where(RepairLine.fee_basis == FeeBasis.AGENT_PRICE)).all()
    assert all(0 < line.fee <= line.fee_cap for line in capped)
    assert any(line.fee == line.fee_cap for line in capped)
    assert any(line.fee < line.fee_cap for line in capped)

    assert {b.turnaround_late for b in made if b.repaired_on} == {True, False}
    assert {b.shipped_late for b in made if b.shipped_on} == {True, False}

    window = db.session.scalars(select(BoardWindow).order_by(BoardWindow.id)).first()
    assert window is not None
    assert window.repair_line_id is not None
    again = db.session.scalar(
        select(RepairLine).where(
            RepairLine.board_id == window.board_id, RepairLine.coverage_class == CoverageClass.POST_REPAIR_WARRANTY
        )
    )
    assert again is not None
    assert again.fee_basis is FeeBasis.FREE

    repairs_notices = count(Notice, Notice.type == NoticeType.REPAIR_FEES)
    assert repairs_notices == sum(b.notice_id is not None for b in made)

    demo.load(DEMO_DAY)  # as `flask portal demo --if-empty` would, a second time: nothing more
    assert len(batches()) == len(made)
    assert count(Notice, Notice.type == NoticeType.REPAIR_FEES) == repairs_notices


def test_the_figures_add_up(app, on_demo_day):
    portal_demo.load_demo()

    for batch in batches():
        lines = batch.lines
        assert batch.amount_due == batch.fees_total + batch.freight_charged, batch.number
        if batch.status in NOTIFIED_OR_LATER:
            assert batch.fees_total == sum(line.fee for line in lines), batch.number
            assert batch.freight_charged == sum(line.freight_share for line in lines), batch.number
            assert batch.fees_due_on is not None
            assert batch.notice is not None
        payments = sum(p.amount for p in batch.payments if p.voided_at is None)
        assert batch.paid_amount == payments, batch.number
        if batch.status is BatchStatus.PAID or (batch.status is BatchStatus.RETURNED and not batch.released):
            assert batch.paid_amount == batch.amount_due, batch.number  # paid in full
            assert batch.amount_due == 0 or batch.paid_on is not None
    assert count(RepairFeePayment) > 0


def test_on_the_tests_date_every_state_is_there_too(app, today):
    """What tests/test_pages.py and the whitespace walk load: every state, one withheld batch,
    though no board is old enough yet to be out of warranty."""
    portal_demo.load_demo()

    made = batches()
    assert {b.status for b in made} == set(BatchStatus)
    assert any(b.is_withheld(today) for b in made)
    assert any(b.released for b in made)
    assert count(RepairRating) > 0
    assert all(b.shipped_on is None or b.shipped_on <= today for b in made)
