"""Repair batches for tests, made through the services like every test record (portal.repairs.services),
and the access guard's foreign batches, lines, fee payments and ratings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import count

from portal.distributors.models import Distributor
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.extensions import db
from portal.repairs import fees, services
from portal.repairs.models import RepairBatch, RepairFeePayment, RepairLine
from portal.repairs.services import BoardEntry, LineInspection

from ..builders import Shop, active_agreement_of, foreign_record, make_shop

S = BatchStatus
ORDER = (S.OPEN, S.SHIPPED, S.RECEIVED, S.INSPECTED, S.REPAIRED, S.NOTIFIED, S.PAID, S.RETURNED)
_serials = count(1)

#: The default dates of each step: boards shipped to the distributor on 4 March 2026 (in warranty
#: until 4 June 2027), sent in on 3 April 2026, in warranty.
STEPS = {
    "opened_on": date(2026, 4, 1),
    "shipped_on": date(2026, 4, 3),
    "received_on": date(2026, 4, 6),
    "inspected_on": date(2026, 4, 8),
    "repaired_on": date(2026, 4, 20),
    "notified_on": date(2026, 4, 21),
    "paid_on": date(2026, 4, 25),
    "returned_on": date(2026, 4, 28),
}


#: The day fee payments are booked on and received, unless a test says otherwise.
PAY_DAY = date(2026, 4, 25)


def book_fee(
    batch: RepairBatch, amount: str, *, on: date = PAY_DAY, reference: str = "BANK-1", today: date = PAY_DAY
) -> RepairFeePayment:
    """Finance books a repair-fee payment of ``amount`` received ``on`` (portal.repairs.fees)."""
    return fees.record_fee_payment(
        batch,
        amount=Decimal(amount),
        received_on=on,
        bank_reference=reference,
        payer="杭州某某科技",
        recorded_by_id=None,
        today=today,
    )


def boards_of(shop: Shop, how_many: int, *, shipped_on: date = date(2026, 3, 4)) -> list[str]:
    """Serials of ``how_many`` new boards shipped to the shop's distributor on ``shipped_on``."""
    serials = [f"RB{next(_serials):06d}" for _ in range(how_many)]
    order = shop.paid_order(max(50, how_many))
    shop.ship(order, serials, on=shipped_on)
    db.session.commit()
    return serials


def make_batch(
    shop: Shop,
    serials: Sequence[str] | int = 2,
    *,
    through: BatchStatus = S.OPEN,
    findings: Sequence[tuple[FaultCause, RepairOutcome, str]] | None = None,
    return_freight: str = "0.00",
    **dates: date,
) -> RepairBatch:
    """A batch of ``serials`` (or that many new boards) taken through the steps up to ``through``.
    ``findings`` are each line's (cause, outcome, fee), by default normal use, repaired, free;
    ``dates`` override :data:`STEPS`. ``paid`` pays the amount due in one transfer."""
    on = {**STEPS, **dates}
    if isinstance(serials, int):
        serials = boards_of(shop, serials)
    reached = ORDER.index(through)
    batch = services.open_batch(shop.distributor.id, today=on["opened_on"])
    services.add_boards(batch, [BoardEntry(serial, "不开机 / does not power on") for serial in serials])
    if reached >= ORDER.index(S.SHIPPED):
        services.ship_batch(
            batch, shipped_on=on["shipped_on"], carrier="顺丰", tracking_number="SF100", today=on["shipped_on"]
        )
    if reached >= ORDER.index(S.RECEIVED):
        services.receive_batch(batch, received_on=on["received_on"], today=on["received_on"])
    if reached >= ORDER.index(S.INSPECTED):
        lines = db.session.scalars(db.select(RepairLine).where(RepairLine.batch_id == batch.id).order_by(RepairLine.id))
        chosen = findings or [(FaultCause.NORMAL_USE, RepairOutcome.REPAIRED, "0.00")] * len(serials)
        services.inspect_lines(
            batch,
            [
                LineInspection(line.id, cause, outcome, Decimal(fee))
                for line, (cause, outcome, fee) in zip(lines, chosen, strict=True)
            ],
            inspected_on=on["inspected_on"],
            today=on["inspected_on"],
            return_freight=Decimal(return_freight),
        )
    if reached >= ORDER.index(S.REPAIRED):
        services.mark_repaired(batch, repaired_on=on["repaired_on"], today=on["repaired_on"])
    if reached >= ORDER.index(S.NOTIFIED):
        services.notify_fees(batch, notified_on=on["notified_on"], today=on["notified_on"])
    if reached >= ORDER.index(S.PAID) and batch.amount_due > batch.paid_amount:
        from portal.repairs import fees  # the fee payments' service (portal.repairs.fees)

        fees.record_fee_payment(
            batch,
            amount=batch.amount_due - batch.paid_amount,
            received_on=on["paid_on"],
            bank_reference=f"FEE-{batch.id}",
            payer="",
            recorded_by_id=None,
            today=on["paid_on"],
        )
    if reached >= ORDER.index(S.RETURNED):
        services.return_batch(batch, returned_on=on["returned_on"], today=on["returned_on"])
    db.session.commit()
    return db.session.get(RepairBatch, batch.id)


@foreign_record(RepairBatch)
def foreign_batch(other: Distributor) -> RepairBatch:
    existing = db.session.scalar(db.select(RepairBatch).where(RepairBatch.distributor_id == other.id).limit(1))
    if existing is not None:  # one batch a month: the guard's records share it
        return existing
    agreement = active_agreement_of(other)
    board = next(product for product in agreement.products if product.serialized)
    shop = Shop(agreement, board, board, None, None, None)  # type: ignore[arg-type]
    return make_batch(shop, 1, through=S.RETURNED)  # returned: a rating past the scope would be saved


@foreign_record(RepairLine)
def foreign_line(other: Distributor) -> RepairLine:
    return foreign_batch(other).lines[0]


__all__ = ["STEPS", "boards_of", "make_batch", "make_shop"]
