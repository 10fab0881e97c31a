"""The access guard's foreign repair batch: a returned one of the other distributor (so a rating
that got past the scope would be saved, and the guard would see it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.distributors.models import Distributor
from portal.domain.repairs import BatchStatus
from portal.extensions import db
from portal.repairs.models import RepairBatch

from ..builders import active_agreement_of, foreign_record


@foreign_record(RepairBatch)
def foreign_repair_batch(other: Distributor) -> RepairBatch:
    """One per distributor: every route that loads a batch gets the same one."""
    existing = db.session.scalar(select(RepairBatch).where(RepairBatch.distributor_id == other.id))
    if existing is not None:
        return existing
    agreement = active_agreement_of(other)
    batch = RepairBatch(
        number=f"FX-{other.code}-2026-02",
        distributor_id=other.id,
        agreement_id=agreement.id,
        month="2026-02",
        status=BatchStatus.RETURNED,
        status_since=date(2026, 3, 2),
        shipped_on=date(2026, 2, 3),
        returned_on=date(2026, 3, 2),
    )
    db.session.add(batch)
    db.session.commit()
    return batch
