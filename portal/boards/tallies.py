"""The delivery tallies kept current (models.DeliveryTally; docs/rules.md §6): each distributor's
orders shipped on time and shipped late, recounted from its orders in one GROUP BY."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

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
    fresh = counted(session, distributor_ids)
    statement = select(DeliveryTally.distributor_id, DeliveryTally.on_time, DeliveryTally.shipped_late)
    if distributor_ids is not None:
        statement = statement.where(DeliveryTally.distributor_id.in_(sorted(distributor_ids)))
    existing = {row[0]: (row[1], row[2]) for row in session.execute(statement)}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for distributor_id, (on_time, late) in fresh.items():
        values = {"distributor_id": distributor_id, "on_time": on_time, "shipped_late": late}
        if distributor_id not in existing:
            inserts.append(values)
        elif existing.pop(distributor_id) != (on_time, late):
            updates.append(values)
    if inserts:
        session.execute(insert(DeliveryTally), inserts)
    if updates:
        session.execute(update(DeliveryTally), updates)
    if existing:
        session.execute(delete(DeliveryTally).where(DeliveryTally.distributor_id.in_(sorted(existing))))
    return len(inserts) + len(updates) + len(existing)
