"""Head office's repair work queue (docs/rules.md §7.2; contract §6.5.4), computed in SQL.

Every unfinished batch that head office holds or waits for — shipped onwards, so not the open ones
the distributors are still filling — by its shown state (the stored status, or ``withheld`` while
its fees are overdue and it is not released: RepairBatch.shown_status). The batches awaiting repair
come first, the nearest to (or furthest past) their 30-day limit first (``repair_due_on`` is
domain.repairs.repair_due_on, stored at receipt); then the others, the longest in their state
first. One statement for the page, one for its count, one for the counts per state, whatever the
number of batches (tests/repairs/test_workshop.py counts them).

The WHERE on ``status`` is served by ix_repair_batches_status_status_since (status, status_since),
which also gives the per-state lists in their order; ``repair_due_on`` has its own index.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, select

from ..distributors.models import Distributor
from ..domain.dates import add_days
from ..domain.repairs import AWAITING_FEES, AWAITING_REPAIR, EDITABLE, UNFINISHED, WITHHELD, BatchStatus
from ..extensions import db
from .models import RepairBatch, RepairLine

#: What the queue lists: every unfinished batch past the distributor's hands.
QUEUED = frozenset(UNFINISHED - EDITABLE)
#: The shown states the queue filters on, in the order of the steps.
QUEUE_STATES: tuple[str, ...] = (*(status.value for status in BatchStatus if status in QUEUED), WITHHELD)

#: The home page's card: batches awaiting repair with this many days or fewer left to the limit
#: (or past it). Head office's own warning threshold, not an agreement term.
NEAR_LIMIT_DAYS = 7


withheld = RepairBatch.withheld_clause  # SQL for RepairBatch.is_withheld (one home: the model)


def _state_filter(state: str | None, on: date) -> list[ColumnElement[bool]]:
    if state is None:
        return [RepairBatch.status.in_(QUEUED)]
    if state == WITHHELD:
        return [withheld(on)]
    status = BatchStatus(state)
    if status in AWAITING_FEES:
        return [RepairBatch.status == status, not_(withheld(on))]
    return [RepairBatch.status == status]


def queue_statement(state: str | None, on: date) -> Select[*tuple[Any, ...]]:
    """The queue's rows (one per batch, with its distributor and number of lines), filtered by a
    shown state of :data:`QUEUE_STATES` (None: all of them), in the queue's order."""
    awaiting = RepairBatch.status.in_(AWAITING_REPAIR)
    lines = (
        select(func.count(RepairLine.id)).where(RepairLine.batch_id == RepairBatch.id).correlate(RepairBatch)
    ).scalar_subquery()
    return (
        select(
            RepairBatch.id,
            RepairBatch.number,
            RepairBatch.month,
            RepairBatch.status,
            RepairBatch.status_since,
            RepairBatch.shipped_on,
            RepairBatch.shipped_late,
            RepairBatch.received_on,
            RepairBatch.repair_due_on,
            RepairBatch.amount_due,
            RepairBatch.paid_amount,
            RepairBatch.fees_due_on,
            RepairBatch.released,
            withheld(on).label("withheld"),
            lines.label("lines"),
            Distributor.code.label("distributor_code"),
            Distributor.name.label("distributor_name"),
        )
        .join(Distributor, Distributor.id == RepairBatch.distributor_id)
        .where(*_state_filter(state, on))
        .order_by(
            case((awaiting, 0), else_=1),
            case((awaiting, RepairBatch.repair_due_on), else_=None).asc().nulls_last(),
            RepairBatch.status_since,
            RepairBatch.id,
        )
    )


def state_counts(on: date) -> dict[str, int]:
    """How many batches are in each shown state (the queue's tabs), and ``open``: the batches the
    distributors are still filling. One statement."""
    shown = case((withheld(on), WITHHELD), else_=RepairBatch.status)
    rows = db.session.execute(select(shown, func.count()).where(RepairBatch.status.in_(UNFINISHED)).group_by(shown))
    counts = dict.fromkeys((BatchStatus.OPEN.value, *QUEUE_STATES), 0)
    for state, number in rows:
        key = state.value if isinstance(state, BatchStatus) else str(state)
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def near_limit_clause(on: date, days: int = NEAR_LIMIT_DAYS) -> ColumnElement[bool]:
    """Awaiting repair with ``days`` or fewer left to the 30-day limit, or past it."""
    return and_(RepairBatch.status.in_(AWAITING_REPAIR), RepairBatch.repair_due_on <= add_days(on, days))


def near_limit_count(on: date, days: int = NEAR_LIMIT_DAYS) -> int:
    """Batches awaiting repair with ``days`` or fewer left to the 30-day limit, or past it."""
    return int(db.session.scalar(select(func.count()).select_from(RepairBatch).where(near_limit_clause(on, days))) or 0)


def near_limit_batches(on: date, limit: int, days: int = NEAR_LIMIT_DAYS) -> list[Any]:
    """The first ``limit`` of those batches in the queue's order (the nearest to, or furthest past,
    the limit first), as the queue's rows: one statement."""
    return list(db.session.execute(queue_statement(None, on).where(near_limit_clause(on, days)).limit(limit)))
