"""The repair fees still owed, kept current per due day (models.FeesOwedDay; docs/rules.md §7.2).

Each day's row is recounted from the batches in one GROUP BY over the partial index of the batches
owing (ix_repair_batches_unpaid, led by fees_due_on), with the ledger's own clauses
(ledger_queries.notified_clause, unpaid_clause; RepairBatch.awaiting_clause), so the row and the
ledger cannot count differently. Concurrent recounts of one day take turns (db.recount_rows).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..db import recount_rows
from .ledger_queries import money_sum, notified_clause, unpaid_clause
from .models import ZERO, FeesOwedDay, RepairBatch

NOTHING = {"batches": 0, "charged": ZERO, "paid": ZERO, "awaiting": 0, "settled": 0}


def counted(session: Session, days: Sequence[date] | None) -> dict[date, dict[str, Any]]:
    """Per due day, the notified batches with fees outstanding, their amounts due and paid, those
    awaiting their fees, and the notified batches owing nothing (None: every day): two GROUP BYs,
    each over its partial index (ix_repair_batches_unpaid, ix_repair_batches_settled)."""
    statement = (
        select(
            RepairBatch.fees_due_on,
            func.count(),
            money_sum(RepairBatch.amount_due),
            money_sum(RepairBatch.paid_amount),
            func.sum(case((RepairBatch.awaiting_clause(), 1), else_=0)),
        )
        .where(notified_clause(), unpaid_clause(), RepairBatch.fees_due_on.is_not(None))
        .group_by(RepairBatch.fees_due_on)
    )
    settled = (
        select(RepairBatch.fees_due_on, func.count())
        .where(notified_clause(), ~unpaid_clause(), RepairBatch.fees_due_on.is_not(None))
        .group_by(RepairBatch.fees_due_on)
    )
    if days is not None:
        statement = statement.where(RepairBatch.fees_due_on.in_(days))
        settled = settled.where(RepairBatch.fees_due_on.in_(days))
    counts: dict[date, dict[str, Any]] = {
        day: {**NOTHING, "batches": int(batches), "charged": charged, "paid": paid, "awaiting": int(awaiting or 0)}
        for day, batches, charged, paid, awaiting in session.execute(statement)
    }
    for settled_on, number in session.execute(settled):
        if settled_on is not None:  # as the WHERE has it
            counts.setdefault(settled_on, dict(NOTHING))["settled"] = int(number)
    return counts


def refresh_fees_owed(session: Session, days: Collection[date] | None) -> int:
    """Make these due days' rows (None: every day's) equal a recount of the batches, inside the
    caller's transaction. Returns the rows written."""
    return recount_rows(session, FeesOwedDay, "fees_due_on", NOTHING, days, lambda wanted: counted(session, wanted))
