"""/api/v1 repair fees (docs/rules.md §7.2; contract §6.5.4): a batch's fee payments, booked and voided
by finance as order payments are (portal.api.payments: the same fields, the same void), and the
release of a withheld batch by head office, with a reason.

Writes go through :mod:`portal.repairs.fees` (the batch row is locked), so the API refuses what the
pages refuse with the same messages: zero, a future date or one before the notice (422); the same
bank slip twice (409 ``duplicate``); more than the amount due, a batch not notified, a payment of a
batch shipped back, a release of a batch not awaiting its fees or already released (409).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import current_user
from pydantic import Field, computed_field, model_validator
from sqlalchemy import select

from ..clock import today
from ..domain.permissions import may_book_payments, may_read, may_release_repair_batches
from ..repairs import fees
from ..repairs.models import RepairBatch, RepairFeePayment
from ..security import allowed, loads
from .blueprint import bp
from .core import BodyModel, Money, MoneyIn, OutModel, Timestamp, api_doc, one, page_of, parse_body
from .payments import BankReference, Payer, Reason


class FeePaymentIn(BodyModel):
    amount: MoneyIn = Field(description="Money received, a string with at most two decimals.")
    received_on: date | None = Field(
        default=None, description="Default today (Asia/Shanghai); never later, never before the fees notice."
    )
    bank_reference: BankReference = Field(
        description="Unique per distributor among repair-fee payments not voided: the same slip cannot be booked twice."
    )
    payer: Payer = ""


class FeePaymentVoidIn(BodyModel):
    reason: Reason


class FeePaymentOut(OutModel):
    id: int
    batch_id: int
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


class ReleaseIn(BodyModel):
    reason: Reason = Field(description="Why the boards may go back unpaid; kept in the audit trail.")


class ReleasedBatchOut(OutModel):
    id: int
    number: str
    distributor_id: int
    status: str = Field(description="As shown today: a released batch is no longer withheld.")
    amount_due: Money
    paid_amount: Money
    released: bool
    released_on: date | None
    release_reason: str

    @model_validator(mode="before")
    @classmethod
    def _shown(cls, value: Any) -> Any:
        if not isinstance(value, RepairBatch):
            return value
        fields = {name: getattr(value, name) for name in cls.model_fields if name != "status"}
        return fields | {"status": value.shown_status(today())}


@bp.get("/repair-batches/<int:batch_id>/payments")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(response=FeePaymentOut, list_of=True)
def list_repair_fee_payments(batch: RepairBatch) -> Any:
    """List the fee payments of a repair batch.

    Voided payments are listed too (``voided``: true), oldest first. Another distributor's batch
    answers 404.
    """
    return page_of(
        FeePaymentOut,
        select(RepairFeePayment)
        .where(RepairFeePayment.batch_id == batch.id)
        .order_by(RepairFeePayment.received_on, RepairFeePayment.id),
    )


@bp.post("/repair-batches/<int:batch_id>/payments")
@allowed(may_book_payments)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=FeePaymentIn, response=FeePaymentOut, status=201)
def create_repair_fee_payment(batch: RepairBatch) -> Any:
    """Book a repair-fee payment against a notified batch.

    The batch's paid amount and paid date follow; paid in full, it moves from ``notified`` to
    ``paid``. Refused: zero, a future date or one before the notice (422); a bank reference already
    booked for this distributor, an amount over what is unpaid, a batch not notified (409).
    """
    data = parse_body(FeePaymentIn)
    payment = fees.record_fee_payment(
        batch,
        amount=data.amount,
        received_on=data.received_on or today(),
        bank_reference=data.bank_reference,
        payer=data.payer,
        recorded_by_id=current_user.id,
        today=today(),
    )
    return one(FeePaymentOut, payment, 201)


@bp.post("/repair-fee-payments/<int:payment_id>/void")
@allowed(may_book_payments)
@loads(RepairFeePayment, "payment_id", as_="payment")
@api_doc(body=FeePaymentVoidIn, response=FeePaymentOut)
def void_repair_fee_payment(payment: RepairFeePayment) -> Any:
    """Void a wrong repair-fee payment, with a reason.

    It is never deleted; it stops counting (a paid batch moves back to ``notified``) and its bank
    reference may be booked again. Refused (409) when already voided or once the boards have been
    shipped back.
    """
    data = parse_body(FeePaymentVoidIn)
    payment = fees.void_fee_payment(payment, reason=data.reason, voided_by_id=current_user.id)
    return one(FeePaymentOut, payment)


@bp.post("/repair-batches/<int:batch_id>/release")
@allowed(may_release_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
@api_doc(body=ReleaseIn, response=ReleasedBatchOut)
def release_repair_batch(batch: RepairBatch) -> Any:
    """Release a batch whose fees are unpaid, so its boards may be shipped back.

    Head office only, with a reason kept in the audit trail (§6.5.4). Refused (409) unless the batch
    is notified with something unpaid, or when it is already released.
    """
    data = parse_body(ReleaseIn)
    released = fees.release_batch(batch, reason=data.reason, released_by_id=current_user.id, today=today())
    return one(ReleasedBatchOut, released)
