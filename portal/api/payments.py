"""/api/v1 payments: finance books and voids them; anyone who may see the order reads them.

Writes go through :mod:`portal.receivables.services` (the order row is locked while a payment is
booked), so the API refuses what the pages refuse with the same messages: a future date or one
before confirmation (422), the same bank slip twice (409 ``duplicate``), an over-payment (409).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import current_user
from pydantic import Field, computed_field
from sqlalchemy import select

from ..clock import today
from ..domain.permissions import may_book_payments, may_read
from ..orders.models import Order
from ..receivables import services
from ..receivables.models import Payment
from ..security import allowed, loads
from .blueprint import bp
from .core import BodyModel, Money, MoneyIn, OutModel, Timestamp, api_doc, one, page_of, parse_body, text

BankReference = text(60, min_length=1)
Payer = text(200)
Reason = text(500, min_length=1)


class PaymentIn(BodyModel):
    amount: MoneyIn = Field(description="Money received, a string with at most two decimals.")
    received_on: date | None = Field(
        default=None, description="Default today (Asia/Shanghai); never later, never before the order's confirmation."
    )
    bank_reference: BankReference = Field(
        description="Unique per distributor among payments not voided: the same slip cannot be booked twice."
    )
    payer: Payer = ""


class PaymentVoidIn(BodyModel):
    reason: Reason


class PaymentOut(OutModel):
    id: int
    order_id: int
    distributor_id: int
    amount: Money
    received_on: date
    bank_reference: str
    payer: str
    recorded_at: Timestamp
    voided_at: Timestamp | None
    void_reason: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def voided(self) -> bool:
        """A voided payment no longer counts; it stays on the list."""
        return self.voided_at is not None


@bp.get("/orders/<int:order_id>/payments")
@allowed(may_read)
@loads(Order, "order_id")
@api_doc(response=PaymentOut, list_of=True)
def list_payments(order: Order) -> Any:
    """List the payments of an order.

    Voided payments are listed too (``voided``: true), oldest first. Another distributor's order
    answers 404.
    """
    return page_of(
        PaymentOut, select(Payment).where(Payment.order_id == order.id).order_by(Payment.received_on, Payment.id)
    )


@bp.post("/orders/<int:order_id>/payments")
@allowed(may_book_payments)
@loads(Order, "order_id")
@api_doc(body=PaymentIn, response=PaymentOut, status=201)
def create_payment(order: Order) -> Any:
    """Book a payment against a confirmed order.

    The order's paid amount, deposit-paid and paid-in-full dates, delivery due date and status
    follow. Refused: zero, a future date or one before confirmation (422); a bank reference already
    booked for this distributor, or an amount that would take the paid amount past the total (409).
    """
    data = parse_body(PaymentIn)
    payment = services.record_payment(
        order,
        amount=data.amount,
        received_on=data.received_on or today(),
        bank_reference=data.bank_reference,
        payer=data.payer,
        recorded_by_id=current_user.id,
        today=today(),
    )
    return one(PaymentOut, payment, 201)


@bp.post("/payments/<int:payment_id>/void")
@allowed(may_book_payments)
@loads(Payment, "payment_id")
@api_doc(body=PaymentVoidIn, response=PaymentOut)
def void_payment(payment: Payment) -> Any:
    """Void a wrong payment, with a reason.

    It is never deleted; it stops counting and its bank reference may be booked again. Refused
    (409) when already voided or once the order has shipped or was cancelled.
    """
    data = parse_body(PaymentVoidIn)
    payment = services.void_payment(payment, reason=data.reason, voided_by_id=current_user.id)
    return one(PaymentOut, payment)
