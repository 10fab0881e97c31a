"""Head office's repair work queue (docs/rules.md §7.2; contract §6.5.4), computed in SQL.

Every unfinished batch that head office holds or waits for — shipped onwards, so not the open ones
the distributors are still filling — by its shown state (the stored status, or ``withheld`` while
its fees are overdue and it is not released: RepairBatch.shown_status). The batches awaiting repair
come first, the nearest to (or furthest past) their 30-day limit first (``repair_due_on`` is
domain.repairs.repair_due_on, stored at receipt); then the others, the longest in their state
first. One statement for the page and two for the counts per state (which give the page's total),
whatever the number of batches (tests/repairs/test_workshop.py counts them).

Each stored status is read as a run off an index in its order — (status, repair_due_on,
status_since, id) for the batches awaiting repair, (status, status_since, id) for the others —
no further than the page's last row, and the runs are merged (:func:`queue_statement`); the page's
total is :func:`state_counts`'s, so nothing sorts or counts every unfinished batch twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, cast, func, literal, not_, null, select, union_all

from ..distributors.models import Distributor
from ..domain.dates import add_days
from ..domain.repairs import AWAITING_FEES, AWAITING_REPAIR, EDITABLE, UNFINISHED, WITHHELD, BatchStatus
from ..extensions import db
from .ledger_queries import unpaid_clause
from .models import RepairBatch, RepairLine

#: What the queue lists: every unfinished batch past the distributor's hands.
QUEUED = frozenset(UNFINISHED - EDITABLE)
#: The shown states the queue filters on, in the order of the steps.
QUEUE_STATES: tuple[str, ...] = (*(status.value for status in BatchStatus if status in QUEUED), WITHHELD)

#: The home page's card: batches awaiting repair with this many days or fewer left to the limit
#: (or past it). Head office's own warning threshold, not an agreement term.
NEAR_LIMIT_DAYS = 7


withheld = RepairBatch.withheld_clause  # SQL for RepairBatch.is_withheld (one home: the model)


def _queue_columns(on: date) -> list[Any]:
    lines = (
        select(func.count(RepairLine.id)).where(RepairLine.batch_id == RepairBatch.id).correlate(RepairBatch)
    ).scalar_subquery()
    return [
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
    ]


def _runs(state: str | None) -> list[tuple[BatchStatus | None, bool]]:
    """The queue as runs of one stored status each (None: the withheld batches), with whether the
    run awaits repair: each is read off the index on (status, repair_due_on, status_since, id) or
    (status, status_since, id) in its own order, so no run is ever sorted whole."""
    if state == WITHHELD:
        return [(None, False)]
    statuses = [status for status in BatchStatus if status in QUEUED] if state is None else [BatchStatus(state)]
    return [(status, status in AWAITING_REPAIR) for status in statuses]


def queue_statement(
    state: str | None, on: date, *, first: int | None = None, where: Sequence[ColumnElement[bool]] = ()
) -> Select[Any]:
    """The queue's rows (one per batch, with its distributor and number of lines), filtered by a
    shown state of :data:`QUEUE_STATES` (None: all of them) and ``where``, in the queue's order:
    awaiting repair first, the nearest to (or furthest past) the limit first, then the longest in
    their state. Each status's run reads at most ``first`` rows (a page's OFFSET + LIMIT) before
    the runs are merged, so a page costs the same however many batches there are."""
    parts = []
    for status, awaiting in _runs(state):
        conditions: list[ColumnElement[bool]] = list(where)
        if status is None:
            conditions.append(withheld(on))
        else:
            conditions.append(RepairBatch.status == status)
            if status in AWAITING_FEES and state is not None:
                conditions.append(not_(withheld(on)))
        order = (RepairBatch.repair_due_on, RepairBatch.status_since, RepairBatch.id)
        run = (
            select(
                *_queue_columns(on),
                literal(0 if awaiting else 1).label("queue_group"),
                (RepairBatch.repair_due_on if awaiting else cast(null(), Date)).label("queue_due"),
            )
            .join(Distributor, Distributor.id == RepairBatch.distributor_id)
            .where(*conditions)
            .order_by(*(order if awaiting else order[1:]))
        )
        parts.append(select((run if first is None else run.limit(first)).subquery()))
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return select(*(c for c in merged.c if c.key not in ("queue_group", "queue_due"))).order_by(
        merged.c.queue_group, merged.c.queue_due.asc().nulls_last(), merged.c.status_since, merged.c.id
    )


def queue_total(state: str | None, counts: dict[str, int]) -> int:
    """How many batches the queue lists with the state filter ``state``, from :func:`state_counts`
    (no second count): the page's total."""
    return counts.get(state, 0) if state is not None else sum(counts.get(each, 0) for each in QUEUE_STATES)


def state_counts(on: date) -> dict[str, int]:
    """How many batches are in each shown state (the queue's tabs), and ``open``: the batches the
    distributors are still filling. Two statements, each answered from an index alone: the stored
    statuses (the status index), and the withheld batches among those owing fees
    (:func:`withheld_counts`), which are shown as withheld instead of notified."""
    rows = db.session.execute(
        select(RepairBatch.status, func.count()).where(RepairBatch.status.in_(UNFINISHED)).group_by(RepairBatch.status)
    )
    counts = dict.fromkeys((BatchStatus.OPEN.value, *QUEUE_STATES), 0)
    for status, number in rows:
        counts[status.value] = int(number)
    for status, number in db.session.execute(withheld_counts(on)):
        counts[status.value] -= int(number)
        counts[WITHHELD] += int(number)
    return counts


def withheld_counts(on: date) -> Select[BatchStatus, int]:
    """(status, how many) of the batches withheld on ``on``: read from an index alone, the partial
    one of the unpaid batches or the (status, fees_due_on) one, which both hold what
    withheld_clause reads."""
    return select(RepairBatch.status, func.count()).where(unpaid_clause(), withheld(on)).group_by(RepairBatch.status)


def near_limit_clause(on: date, days: int = NEAR_LIMIT_DAYS) -> ColumnElement[bool]:
    """Awaiting repair with ``days`` or fewer left to the 30-day limit, or past it."""
    return and_(RepairBatch.status.in_(AWAITING_REPAIR), RepairBatch.repair_due_on <= add_days(on, days))


def near_limit_count(on: date, days: int = NEAR_LIMIT_DAYS) -> int:
    """Batches awaiting repair with ``days`` or fewer left to the 30-day limit, or past it."""
    return int(db.session.scalar(select(func.count()).select_from(RepairBatch).where(near_limit_clause(on, days))) or 0)


def near_limit_batches(on: date, limit: int, days: int = NEAR_LIMIT_DAYS) -> list[Any]:
    """The first ``limit`` of those batches in the queue's order (the nearest to, or furthest past,
    the limit first), as the queue's rows: one statement."""
    return list(
        db.session.execute(queue_statement(None, on, first=limit, where=[near_limit_clause(on, days)]).limit(limit))
    )
