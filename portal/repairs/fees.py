"""Repair fees for finance (docs/rules.md §7.2; contract §6.5.4), each use case a transaction.

Finance books repair-fee payments against a notified batch with the order payments' rules
(portal.receivables.services): the batch row is locked first, so clerks posting at once end with
the exact amount due or with the over-paying ones refused; a bank reference is unique per
distributor among repair-fee payments not voided; a wrong payment is voided with a reason, never
deleted. After each, the batch's paid amount, paid-in-full date and state (notified ↔ paid) follow
the payments not voided (domain.repairs.status_from_payments).

Head office may lift the withholding of a batch with a reason, kept in the audit trail; and a daily
command marks each overdue batch withheld and sends it one payment reminder
(:func:`withhold_overdue_batches`).

Dates are given by the caller; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..domain import repairs as rules
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.notices import NoticeType
from ..domain.orders import Payment as PaymentFact
from ..domain.orders import payment_state
from ..domain.repairs import AWAITING_FEES, NOTIFIED_OR_LATER, PAYMENTS_MOVE, BatchStatus, StepRefused
from ..extensions import db
from ..notices.services import issue_notice
from ..receivables.services import add_with_free_reference, typed_reference
from ..transactions import locked, transactional
from .models import RepairBatch, RepairFeePayment

ZERO = Decimal("0.00")
REASON_MAX_LENGTH = 500  # RepairFeePayment.void_reason, RepairBatch.release_reason


def _live_payments(batch: RepairBatch) -> list[PaymentFact]:
    rows = db.session.execute(
        select(RepairFeePayment.amount, RepairFeePayment.received_on).where(
            RepairFeePayment.batch_id == batch.id, RepairFeePayment.voided_at.is_(None)
        )
    )
    return [PaymentFact(amount, received_on) for amount, received_on in rows]


def apply_fee_payments(batch: RepairBatch) -> None:
    """The batch's paid amount, paid-in-full date and state follow its payments not voided. Paid in
    full on the day the paid amount first reached the amount due (the order payments' reading,
    domain.orders.payment_state); a batch moving back to notified has been awaiting its fees since
    the notice."""
    state = payment_state(
        _live_payments(batch), deposit=batch.amount_due, total=batch.amount_due, confirmed_on=batch.notified_on
    )
    batch.paid_amount, batch.paid_on = state.paid_amount, state.paid_in_full_on
    status = rules.status_from_payments(batch.status, paid=state.paid_amount, amount_due=batch.amount_due)
    if status is not batch.status:
        since = state.paid_in_full_on if status is BatchStatus.PAID else batch.notified_on
        batch.status, batch.status_since = status, since or batch.status_since


def _reason(text: str, message: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InvalidValue(message, field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidValue(N_("Enter at most %(length)s characters."), field="reason", length=REASON_MAX_LENGTH)
    return reason


@transactional
def record_fee_payment(
    batch: RepairBatch,
    *,
    amount: Decimal,
    received_on: date,
    bank_reference: str,
    payer: str,
    recorded_by_id: int | None,
    today: date,
) -> RepairFeePayment:
    """Book money received against the batch's repair fees: positive, not in the future, not before
    the notice, never over the amount due; the same slip twice is refused. A batch shipped back
    unpaid (released) still takes what is owed; it stays returned."""
    reference = typed_reference(bank_reference)
    batch = locked(RepairBatch, batch.id)
    rules.check_fee_payment(
        amount,
        received_on,
        notified_on=batch.notified_on,
        paid=batch.paid_amount,
        amount_due=batch.amount_due,
        today=today,
    )
    if batch.status not in NOTIFIED_OR_LATER:  # check_fee_payment already refused a batch not notified
        raise DomainError(N_("Repair fees are booked once head office has notified them."))
    payment = add_with_free_reference(
        RepairFeePayment(
            batch_id=batch.id,
            distributor_id=batch.distributor_id,
            amount=amount,
            received_on=received_on,
            bank_reference=reference,
            payer=(payer or "").strip(),
            recorded_by_id=recorded_by_id,
        )
    )
    apply_fee_payments(batch)
    db.session.flush()
    return payment


@transactional
def void_fee_payment(payment: RepairFeePayment, *, reason: str, voided_by_id: int | None) -> RepairFeePayment:
    """A wrong payment is voided with a reason, never deleted; the batch's paid amount and state
    follow (a paid batch may move back to notified). Refused once the boards have been shipped back."""
    text = _reason(reason, N_("Give the reason for voiding this payment."))
    batch = locked(RepairBatch, payment.batch_id)
    payment = locked(RepairFeePayment, payment.id)
    if payment.voided_at is not None:
        raise DomainError(N_("This payment is already voided."))
    if batch.status not in PAYMENTS_MOVE:
        raise DomainError(N_("The boards of this batch have been shipped back; its payments can no longer be voided."))
    with audit_reason(text):
        payment.voided_at, payment.voided_by_id, payment.void_reason = utcnow(), voided_by_id, text
        db.session.flush()
        apply_fee_payments(batch)
        db.session.flush()
    return payment


@transactional
def release_batch(batch: RepairBatch, *, reason: str, released_by_id: int | None, today: date) -> RepairBatch:
    """Head office lifts the withholding (§6.5.4: 甲方有权不于退还): the boards may be shipped back
    although fees are unpaid. The reason goes into the audit trail and stays on the batch."""
    text = _reason(reason, N_("Give the reason for releasing this batch."))
    batch = locked(RepairBatch, batch.id)
    if batch.released:
        raise DomainError(N_("This batch has already been released."))
    if batch.status not in AWAITING_FEES:
        raise StepRefused(
            N_("Only a batch whose fees are notified and whose boards head office still holds can be released.")
        )
    if batch.unpaid <= 0:
        raise DomainError(N_("Nothing is unpaid on this batch: there is nothing to release."))
    with audit_reason(text):
        batch.released, batch.released_on, batch.released_by_id, batch.release_reason = (
            True,
            today,
            released_by_id,
            text,
        )
        db.session.flush()
    return batch


# --- withholding ---------------------------------------------------------------------------------


withheld_clause = RepairBatch.withheld_clause  # SQL for RepairBatch.is_withheld (one home: the model)


@transactional
def withhold_overdue_batches(today: date, issued_by_id: int | None = None) -> list[Any]:
    """Daily: each batch withheld on ``today`` and not yet reminded is marked withheld (``withheld_on``)
    and gets one payment-reminder notice; running it twice changes nothing. Returns the notices, for
    the caller to e-mail once committed."""
    batches = db.session.scalars(
        select(RepairBatch)
        .where(withheld_clause(today), RepairBatch.reminder_notice_id.is_(None))
        .order_by(RepairBatch.id)
        .with_for_update()
    ).all()
    notices = []
    for batch in batches:
        if not batch.is_withheld(today) or batch.fees_due_on is None:  # the rule itself decides
            continue
        notice = issue_notice(
            batch.distributor,
            NoticeType.PAYMENT_REMINDER,
            today,
            agreement_id=batch.agreement_id,
            issued_by_id=issued_by_id,
            reference=batch.number,
            amount=batch.unpaid,
            due_on=batch.fees_due_on,
            repair=True,
        )
        batch.withheld_on = batch.withheld_on or today
        batch.reminder_notice_id = notice.id
        notices.append(notice)
    db.session.flush()
    return notices
