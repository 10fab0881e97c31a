"""The delivery tallies kept current per due day (models.DeliveryDay; docs/rules.md §6): the orders
due each day shipped on time, shipped late and not shipped yet, recounted in one GROUP BY with the
delivery list's own clauses (queries.shipped_conditions, shipped_buckets). Concurrent recounts of
one day take turns (db.recount_rows)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import recount_rows
from ..orders.models import Order
from .models import DeliveryDay
from .queries import shipped_buckets, shipped_conditions, waiting_bucket

NOTHING = {"on_time": 0, "shipped_late": 0, "waiting": 0}


def counted(session: Session, days: Sequence[date] | None) -> dict[date, dict[str, Any]]:
    """(on time, shipped late, not shipped yet) by delivery due day, from the orders (None: every
    day)."""
    on_time, late = shipped_buckets()
    statement = (
        select(Order.delivery_due_on, on_time, late, waiting_bucket())
        .where(*shipped_conditions())
        .group_by(Order.delivery_due_on)
    )
    if days is not None:
        statement = statement.where(Order.delivery_due_on.in_(days))
    return {
        row[0]: {"on_time": int(row[1] or 0), "shipped_late": int(row[2] or 0), "waiting": int(row[3] or 0)}
        for row in session.execute(statement)
    }


def refresh_tallies(session: Session, days: Collection[date] | None) -> int:
    """Make these due days' tallies (None: every day's) equal a recount of the orders, inside the
    caller's transaction. Returns the rows written."""
    return recount_rows(session, DeliveryDay, "delivery_due_on", NOTHING, days, lambda wanted: counted(session, wanted))
