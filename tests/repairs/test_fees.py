"""Repair fees as services (docs/rules.md §7.2; contract §6.5.4): fee payments with the order payments'
rules, the batch moving between notified and paid, the release with its reason in the audit trail,
and the daily withholding with one reminder per batch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.domain.errors import DomainError, Duplicate, InvalidValue
from portal.domain.notices import NoticeType
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome, StepRefused, is_withheld
from portal.extensions import db
from portal.notices.models import Notice
from portal.repairs import fees, services
from portal.repairs.ledger_queries import network_fees_owed
from portal.repairs.models import RepairBatch, RepairFeePayment

from .builders import PAY_DAY, make_batch
from .builders import book_fee as book

S = BatchStatus
NOTIFIED_ON, DUE_ON = date(2026, 4, 21), date(2026, 4, 28)
HUMAN_REPAIRED = (FaultCause.HUMAN_DAMAGE, RepairOutcome.REPAIRED)


def fresh(batch):
    db.session.expire_all()
    return db.session.get(RepairBatch, batch.id)


# --- booking ------------------------------------------------------------------------------------


def test_the_exact_amount_due_pays_the_batch(notified_batch):
    batch = notified_batch("300.00")
    assert (batch.status, batch.amount_due, batch.fees_due_on) == (S.NOTIFIED, Decimal("300.00"), DUE_ON)
    book(batch, "300.00")
    batch = fresh(batch)
    assert (batch.status, batch.paid_amount, batch.paid_on, batch.status_since) == (
        S.PAID,
        Decimal("300.00"),
        PAY_DAY,
        PAY_DAY,
    )
    assert batch.unpaid == Decimal("0.00")


def test_a_part_payment_keeps_it_notified_and_the_rest_pays_it_on_the_later_day(notified_batch):
    batch = notified_batch("300.00")
    book(batch, "100.00", on=date(2026, 4, 22), reference="A")
    assert (fresh(batch).status, fresh(batch).paid_amount, fresh(batch).paid_on) == (
        S.NOTIFIED,
        Decimal("100.00"),
        None,
    )
    book(batch, "200.00", on=date(2026, 4, 24), reference="B")
    assert (fresh(batch).status, fresh(batch).paid_on) == (S.PAID, date(2026, 4, 24))


@pytest.mark.parametrize(
    ("amount", "on", "error", "field"),
    [
        ("300.01", PAY_DAY, DomainError, "amount"),  # over the amount due
        ("0.00", PAY_DAY, InvalidValue, "amount"),
        ("-5.00", PAY_DAY, InvalidValue, "amount"),
        ("100.00", date(2026, 4, 20), InvalidValue, "received_on"),  # before the notice
        ("100.00", date(2026, 4, 26), InvalidValue, "received_on"),  # after today
    ],
)
def test_a_refused_payment_says_why_and_records_nothing(notified_batch, count_rows, amount, on, error, field):
    batch = notified_batch("300.00")
    with pytest.raises(error) as refused:
        book(batch, amount, on=on)
    assert refused.value.field == field
    assert count_rows(RepairFeePayment) == 0
    assert (fresh(batch).status, fresh(batch).paid_amount) == (S.NOTIFIED, Decimal("0.00"))


def test_over_the_amount_due_is_refused_after_a_part_payment(notified_batch):
    batch = notified_batch("300.00")
    book(batch, "250.00", reference="A")
    with pytest.raises(DomainError, match="over the amount due"):
        book(batch, "50.01", reference="B")
    book(batch, "50.00", reference="B")  # the exact rest is accepted
    assert fresh(batch).status is S.PAID


def test_a_blank_bank_reference_is_refused(notified_batch):
    with pytest.raises(InvalidValue) as refused:
        book(notified_batch(), "10.00", reference=" \u3000 ")
    assert refused.value.field == "bank_reference"


def test_a_batch_not_yet_notified_takes_no_payment(shop):
    batch = make_batch(shop, 1, through=S.REPAIRED)
    with pytest.raises(DomainError, match="once head office has notified"):
        book(batch, "10.00")


def test_a_bank_reference_is_booked_once_per_distributor_until_voided(shop, notified_batch):
    first = notified_batch("300.00")
    second = notified_batch(
        "300.00",
        opened_on=date(2026, 5, 1),
        shipped_on=date(2026, 5, 4),
        received_on=date(2026, 5, 6),
        inspected_on=date(2026, 5, 7),
        repaired_on=date(2026, 5, 8),
        notified_on=date(2026, 5, 9),
    )
    payment = book(first, "10.00", reference="SLIP-7")
    with pytest.raises(Duplicate) as refused:
        book(second, "10.00", on=date(2026, 5, 10), today=date(2026, 5, 10), reference=" SLIP-7 ")
    assert (refused.value.field, refused.value.code) == ("bank_reference", "duplicate")
    other = notified_batch("300.00", of=shop.elsewhere())
    book(other, "10.00", reference="SLIP-7")  # another distributor's slip may carry the same reference
    fees.void_fee_payment(payment, reason="Booked against the wrong batch", voided_by_id=None)
    book(second, "10.00", on=date(2026, 5, 10), today=date(2026, 5, 10), reference="SLIP-7")


def test_a_returned_released_batch_still_takes_what_is_owed_and_stays_returned(notified_batch):
    batch = notified_batch("300.00")
    fees.release_batch(batch, reason="Key account; pays monthly", released_by_id=None, today=date(2026, 4, 22))
    services.return_batch(batch, returned_on=date(2026, 4, 23), today=date(2026, 4, 23))
    book(batch, "300.00")
    batch = fresh(batch)
    assert (batch.status, batch.paid_amount, batch.paid_on) == (S.RETURNED, Decimal("300.00"), PAY_DAY)


# --- voiding ------------------------------------------------------------------------------------


def test_voiding_with_a_reason_moves_a_paid_batch_back_to_notified_and_is_audited(notified_batch):
    batch = notified_batch("300.00")
    payment = book(batch, "300.00")
    assert fresh(batch).status is S.PAID
    voided = fees.void_fee_payment(payment, reason="  Bounced transfer  ", voided_by_id=None)
    assert voided.void_reason == "Bounced transfer"
    assert voided.voided_at is not None
    batch = fresh(batch)
    assert (batch.status, batch.paid_amount, batch.paid_on, batch.status_since) == (
        S.NOTIFIED,
        Decimal("0.00"),
        None,
        NOTIFIED_ON,
    )
    assert db.session.get(RepairFeePayment, payment.id) is not None  # never deleted
    reasons = db.session.scalars(
        select(AuditEvent.reason).where(
            AuditEvent.table_name == "repair_fee_payments", AuditEvent.record_id == str(payment.id)
        )
    ).all()
    assert "Bounced transfer" in reasons


@pytest.mark.parametrize("reason", ["", "   ", "\t\u3000"])
def test_voiding_without_a_reason_is_refused(notified_batch, reason):
    payment = book(notified_batch(), "10.00")
    with pytest.raises(InvalidValue) as refused:
        fees.void_fee_payment(payment, reason=reason, voided_by_id=None)
    assert refused.value.field == "reason"
    assert db.session.get(RepairFeePayment, payment.id).voided_at is None


def test_a_payment_is_voided_once(notified_batch):
    payment = book(notified_batch(), "10.00")
    fees.void_fee_payment(payment, reason="Wrong", voided_by_id=None)
    with pytest.raises(DomainError, match="already voided"):
        fees.void_fee_payment(payment, reason="Again", voided_by_id=None)


def test_once_the_boards_are_shipped_back_payments_are_not_voided(shop):
    batch = make_batch(shop, 1, through=S.RETURNED, findings=[(*HUMAN_REPAIRED, "120.00")])
    payment = db.session.scalars(select(RepairFeePayment).where(RepairFeePayment.batch_id == batch.id)).one()
    with pytest.raises(DomainError, match="shipped back"):
        fees.void_fee_payment(payment, reason="Too late", voided_by_id=None)
    assert fresh(batch).status is S.RETURNED


# --- release ------------------------------------------------------------------------------------


def test_head_office_releases_an_unpaid_batch_with_a_reason_kept_in_the_audit_trail(notified_batch, shop):
    batch = notified_batch("300.00")
    fees.release_batch(batch, reason="Hospital customer waiting", released_by_id=shop.sales.id, today=date(2026, 5, 2))
    batch = fresh(batch)
    assert (batch.released, batch.released_on, batch.released_by_id, batch.release_reason) == (
        True,
        date(2026, 5, 2),
        shop.sales.id,
        "Hospital customer waiting",
    )
    assert not batch.is_withheld(date(2026, 5, 2))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "repair_batches", AuditEvent.record_id == str(batch.id))
    ).all()
    assert [e.changes.get("released") for e in events if e.reason == "Hospital customer waiting"] == [[False, True]]
    services.return_batch(batch, returned_on=date(2026, 5, 3), today=date(2026, 5, 3))  # no longer refused


def test_a_release_needs_a_reason(notified_batch):
    batch = notified_batch()
    with pytest.raises(InvalidValue) as refused:
        fees.release_batch(batch, reason="  ", released_by_id=None, today=PAY_DAY)
    assert refused.value.field == "reason"
    assert fresh(batch).released is False


def test_a_batch_is_released_once(notified_batch):
    batch = notified_batch()
    fees.release_batch(batch, reason="First", released_by_id=None, today=PAY_DAY)
    with pytest.raises(DomainError, match="already been released"):
        fees.release_batch(batch, reason="Second", released_by_id=None, today=PAY_DAY)


@pytest.mark.parametrize("through", [S.REPAIRED, S.PAID, S.RETURNED])
def test_only_a_batch_awaiting_its_fees_is_released(shop, through):
    batch = make_batch(shop, 1, through=through, findings=[(*HUMAN_REPAIRED, "120.00")])
    with pytest.raises(StepRefused):
        fees.release_batch(batch, reason="Why not", released_by_id=None, today=date(2026, 5, 2))
    assert fresh(batch).released is False


# --- withholding --------------------------------------------------------------------------------


def reminders():
    return db.session.scalars(
        select(Notice).where(Notice.type == NoticeType.PAYMENT_REMINDER).order_by(Notice.id)
    ).all()


def test_withholding_marks_an_overdue_batch_once_and_sends_one_reminder(notified_batch):
    batch = notified_batch("300.00")
    book(batch, "120.00")
    assert fees.withhold_overdue_batches(DUE_ON) == []  # the due day itself is not overdue
    assert fresh(batch).withheld_on is None
    issued = fees.withhold_overdue_batches(DUE_ON + timedelta(days=1))
    assert len(issued) == 1
    batch = fresh(batch)
    assert batch.withheld_on == date(2026, 4, 29)
    assert batch.reminder_notice_id == issued[0].id
    assert batch.shown_status(date(2026, 4, 29)) == "withheld"
    notice = reminders()[0]
    assert notice.distributor_id == batch.distributor_id
    assert batch.number in notice.title_en
    assert "¥180.00" in notice.body_en
    assert "clause 6.5.4" in notice.body_en
    assert "28 April 2026" in notice.body_en
    assert "维修费" in notice.body_zh
    assert "¥180.00" in notice.body_zh
    # Daily and idempotent: the next runs change nothing.
    assert fees.withhold_overdue_batches(date(2026, 4, 29)) == []
    assert fees.withhold_overdue_batches(date(2026, 5, 30)) == []
    assert len(reminders()) == 1
    assert fresh(batch).withheld_on == date(2026, 4, 29)


def test_paid_released_and_returned_batches_are_not_withheld(shop, notified_batch):
    paid = notified_batch("300.00")
    book(paid, "300.00")
    released = notified_batch("300.00", of=shop.elsewhere())
    fees.release_batch(released, reason="Agreed", released_by_id=None, today=PAY_DAY)
    returned = make_batch(shop.elsewhere(), 1, through=S.RETURNED, findings=[(*HUMAN_REPAIRED, "120.00")])
    assert fees.withhold_overdue_batches(date(2026, 6, 1)) == []
    assert [fresh(b).withheld_on for b in (paid, released, returned)] == [None, None, None]
    assert reminders() == []


CASES = [  # (status, amount due, paid, released)
    (S.NOTIFIED, "100.00", "0.00", False),
    (S.NOTIFIED, "100.00", "99.99", False),
    (S.NOTIFIED, "100.00", "0.00", True),
    (S.PAID, "100.00", "100.00", False),
    (S.RETURNED, "100.00", "0.00", True),  # released and shipped back unpaid
    (S.REPAIRED, "100.00", "0.00", False),
]


@pytest.mark.parametrize("offset", [-1, 0, 1, 2, 61])
def test_the_sql_withholding_filter_agrees_with_the_domain_rule(insert_fee_batches, offset):
    """§6.5.4: fees.withheld_clause repeats domain.repairs.is_withheld in SQL, and so does the count
    of withheld batches over the rows kept per due day (ledger_queries.network_fees_owed): all
    agree on every case, the day before, on and after the due date."""
    insert_fee_batches(
        [
            {"status": s, "amount_due": due, "paid_amount": paid, "released": released}
            for s, due, paid, released in CASES
        ]
    )
    on = DUE_ON + timedelta(days=offset)
    batches = db.session.scalars(select(RepairBatch).order_by(RepairBatch.id)).all()
    expected = {
        b.id
        for b in batches
        if is_withheld(b.status, unpaid=b.unpaid, due_on=b.fees_due_on, released=b.released, on=on)
    }
    in_sql = set(db.session.scalars(select(RepairBatch.id).where(fees.withheld_clause(on))))
    assert in_sql == expected
    assert (len(expected) > 0) == (offset > 0)
    assert network_fees_owed(on).withheld == len(expected)


def test_the_daily_command_withholds_and_reminds_once(app, notified_batch, monkeypatch):
    batch = notified_batch("300.00")
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 5, 1, 4, 0, tzinfo=UTC))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["portal", "withhold-overdue-repair-batches"])
    second = runner.invoke(args=["portal", "withhold-overdue-repair-batches"])

    assert first.exit_code == 0, first.output
    assert "Repair batches withheld, with a payment reminder each: 1." in first.output
    assert "Repair batches withheld, with a payment reminder each: 0." in second.output
    assert fresh(batch).withheld_on == date(2026, 5, 1)
    assert len(reminders()) == 1
