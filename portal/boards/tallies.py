"""The delivery tallies kept current (models.DeliveryTally; docs/rules.md §6): each distributor's
orders shipped on time and shipped late, recounted from its orders in one GROUP BY."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import rewrite_rows
from ..orders.models import Order
from .models import DeliveryTally
from .queries import shipped_buckets, shipped_conditions


def counted(session: Session, distributor_ids: Collection[int] | None) -> dict[int, tuple[int, int]]:
    """(on time, shipped late) by distributor, from the orders (None: every distributor)."""
    on_time, late = shipped_buckets()
    statement = select(Order.distributor_id, on_time, late).where(*shipped_conditions()).group_by(Order.distributor_id)
    if distributor_ids is not None:
        statement = statement.where(Order.distributor_id.in_(sorted(distributor_ids)))
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in session.execute(statement)}


def refresh_tallies(session: Session, distributor_ids: Collection[int] | None) -> int:
    """Rewrite these distributors' tallies (None: every distributor's) from their orders, inside the
    caller's transaction: changed rows updated, new ones inserted, those with nothing shipped any
    more deleted. Returns the rows written."""
    fresh = {
        distributor_id: {"on_time": on_time, "shipped_late": late}
        for distributor_id, (on_time, late) in counted(session, distributor_ids).items()
    }
    return rewrite_rows(session, DeliveryTally, ("on_time", "shipped_late"), fresh, distributor_ids)
