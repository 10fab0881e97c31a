"""Payment use cases (docs/rules.md §6): money received against an order, voided with a reason,
never deleted; and the daily reminder of deposits overdue. Each one is a transaction, like the
order services (portal.orders.services), whose payment-state application they share: the order's
paid amount, dates and status follow the payments not voided.

Dates are given by the caller; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..domain.errors import N_, DomainError, Duplicate, InvalidValue
from ..domain.notices import NoticeType
from ..domain.orders import AWAITING_DEPOSIT, AWAITING_PAYMENT, PAYABLE, check_payment, deposit_is_late
from ..domain.orders import Payment as PaymentFact
from ..extensions import db
from ..notices.services import issue_notice
from ..orders.models import Order
from ..orders.services import apply_payments
from ..transactions import locked, transactional
from .models import Payment

DUPLICATE_REFERENCE = N_("This bank reference is already booked for this distributor.")


def typed_reference(bank_reference: str | None) -> str:
    """The bank reference of a transfer as typed, required (order and repair-fee payments alike)."""
    reference = (bank_reference or "").strip()
    if not reference:
        raise InvalidValue(N_("Enter the bank reference of the transfer."), field="bank_reference")
    return reference


def add_with_free_reference(payment: Any) -> Any:
    """Add a payment row (an order payment or a repair-fee payment: any model with
    ``distributor_id``, ``bank_reference`` and ``voided_at``) whose bank reference no payment of its
    kind not voided of the same distributor has: the same slip is never booked twice. The unique
    index catches two clerks posting it at the same moment."""
    model = type(payment)
    taken = db.session.scalar(
        select(func.count())
        .select_from(model)
        .where(
            model.distributor_id == payment.distributor_id,
            model.bank_reference == payment.bank_reference,
            model.voided_at.is_(None),
        )
    )
    if taken:
        raise Duplicate(DUPLICATE_REFERENCE, field="bank_reference")
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same slip posted by two clerks at the same moment
        raise Duplicate(DUPLICATE_REFERENCE, field="bank_reference") from error
    return payment


def _live_payments(order: Order) -> list[PaymentFact]:
    rows = db.session.execute(
        select(Payment.amount, Payment.received_on).where(Payment.order_id == order.id, Payment.voided_at.is_(None))
    )
    return [PaymentFact(amount, received_on) for amount, received_on in rows]


@transactional
def record_payment(
    order: Order,
    *,
    amount: Decimal,
    received_on: date,
    bank_reference: str,
    payer: str,
    recorded_by_id: int | None,
    today: date,
) -> Payment:
    """Book money received. The order row is locked first, so twenty clerks posting at once end
    with the exact sum or with the over-paying ones refused; the same slip twice is refused."""
    reference = typed_reference(bank_reference)
    order = locked(Order, order.id)
    check_payment(
        amount, received_on, confirmed_on=order.confirmed_on, paid=order.paid_amount, total=order.total, today=today
    )
    if order.status not in AWAITING_PAYMENT:
        raise DomainError(N_("Payments are booked against confirmed orders only."))
    payment = add_with_free_reference(
        Payment(
            order_id=order.id,
            distributor_id=order.distributor_id,
            amount=amount,
            received_on=received_on,
            bank_reference=reference,
            payer=payer.strip(),
            recorded_by_id=recorded_by_id,
        )
    )
    apply_payments(order, _live_payments(order))
    return payment


@transactional
def void_payment(payment: Payment, *, reason: str, voided_by_id: int | None) -> Payment:
    """A wrong payment is voided with a reason, never deleted; the order's dates follow."""
    if not reason.strip():
        raise InvalidValue(N_("Give the reason for voiding this payment."), field="reason")
    order = locked(Order, payment.order_id)
    payment = locked(Payment, payment.id)
    if payment.voided_at is not None:
        raise DomainError(N_("This payment is already voided."))
    if order.status not in PAYABLE:
        raise DomainError(N_("The order has shipped or was cancelled; its payments can no longer be voided."))
    with audit_reason(reason.strip()):
        payment.voided_at, payment.voided_by_id, payment.void_reason = utcnow(), voided_by_id, reason.strip()
        db.session.flush()
        apply_payments(order, _live_payments(order))
        db.session.flush()
    return payment


# --- reminders -----------------------------------------------------------------------------------


@transactional
def remind_overdue_deposits(today: date, issued_by_id: int | None = None) -> list[Any]:
    """Daily: a payment-reminder notice for each confirmed order whose deposit is late, once per
    order (running it twice changes nothing)."""
    overdue = db.session.scalars(
        select(Order)
        .where(Order.status.in_(AWAITING_DEPOSIT), Order.deposit_due_on < today, Order.reminder_notice_id.is_(None))
        .with_for_update()
    ).all()
    notices = []
    for order in overdue:
        if order.deposit_due_on is None or order.deposit_amount is None:  # both are set on confirmation
            continue
        if not deposit_is_late(order.deposit_due_on, order.deposit_paid_on, today):
            continue
        notice = issue_notice(
            order.distributor,
            NoticeType.PAYMENT_REMINDER,
            today,
            agreement_id=order.agreement_id,
            issued_by_id=issued_by_id,
            amount=order.deposit_amount - order.paid_amount,
            due_on=order.deposit_due_on,
            reference=order.number,
            deposit=order.deposit_amount,
            paid=order.paid_amount,
        )
        order.reminder_notice_id = notice.id
        notices.append(notice)
    return notices
