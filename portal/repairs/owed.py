"""The repair fees still owed, kept current per due day (models.FeesOwedDay; docs/rules.md §7.2).

Each day's row is recounted from the batches in one GROUP BY over the partial index of the batches
owing (ix_repair_batches_unpaid, led by fees_due_on), with the ledger's own clauses
(ledger_queries.notified_clause, unpaid_clause; RepairBatch.awaiting_clause), so the row and the
ledger cannot count differently.

Two transactions recounting the same day take turns: the day's row is made first if missing
(INSERT … ON CONFLICT DO NOTHING) and locked (SELECT … FOR UPDATE, days in order) before the count,
so on PostgreSQL the second waits for the first to commit and then counts what it wrote; SQLite lets
one writer at a time anyway (portal/db.py). Rows are never deleted, which is what makes the lock
safe: a day whose fees are all paid stays, at zero.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..db import upsert_insert
from .ledger_queries import money_sum, notified_clause, outstanding_column, unpaid_clause
from .models import ZERO, FeesOwedDay, RepairBatch

COLUMNS = ("batches", "outstanding", "awaiting")


def counted(session: Session, days: Collection[date] | None) -> dict[date, dict[str, Any]]:
    """Per due day, the notified batches with fees outstanding, what they owe and those awaiting
    their fees (None: every day)."""
    statement = (
        select(
            RepairBatch.fees_due_on,
            func.count(),
            money_sum(outstanding_column()),
            func.sum(case((RepairBatch.awaiting_clause(), 1), else_=0)),
        )
        .where(notified_clause(), unpaid_clause(), RepairBatch.fees_due_on.is_not(None))
        .group_by(RepairBatch.fees_due_on)
    )
    if days is not None:
        statement = statement.where(RepairBatch.fees_due_on.in_(sorted(days)))
    return {
        day: {"batches": int(batches), "outstanding": outstanding, "awaiting": int(awaiting or 0)}
        for day, batches, outstanding, awaiting in session.execute(statement)
    }


def refresh_fees_owed(session: Session, days: Collection[date | None] | None) -> int:
    """Make these due days' rows (None: every day's) equal a recount of the batches, inside the
    caller's transaction. Returns the rows written."""
    wanted = sorted(day for day in days if day is not None) if days is not None else None
    if wanted == []:
        return 0
    if wanted is None:  # every day that has a row or batches owing
        known = session.scalars(select(FeesOwedDay.fees_due_on))
        owing = session.scalars(
            select(RepairBatch.fees_due_on)
            .distinct()
            .where(notified_clause(), unpaid_clause(), RepairBatch.fees_due_on.is_not(None))
        )
        wanted = sorted({*known, *owing})
        if not wanted:
            return 0
    session.execute(
        upsert_insert(session)(FeesOwedDay)
        .values([{"fees_due_on": day, "batches": 0, "outstanding": ZERO, "awaiting": 0} for day in wanted])
        .on_conflict_do_nothing(index_elements=["fees_due_on"])
    )
    locked = select(*(getattr(FeesOwedDay, name) for name in ("fees_due_on", *COLUMNS)))
    if days is not None:
        locked = locked.where(FeesOwedDay.fees_due_on.in_(wanted))
    existing = {
        row[0]: dict(zip(COLUMNS, row[1:], strict=True))
        for row in session.execute(locked.order_by(FeesOwedDay.fees_due_on).with_for_update())
    }
    fresh = counted(session, wanted if days is not None else None)
    nothing = {"batches": 0, "outstanding": Decimal("0.00"), "awaiting": 0}
    changed = [
        {"fees_due_on": day, **values} for day in wanted if existing.get(day) != (values := fresh.get(day, nothing))
    ]
    if changed:
        session.execute(update(FeesOwedDay), changed)  # by primary key, one executemany
    return len(changed)
