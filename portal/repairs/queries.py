"""The repair batch pages' queries (docs/rules.md §7.2): the batch list, filtered and paginated in SQL
with a fixed number of statements whatever the number of batches; the batch page's lines with their
boards, windows and products; and the optional context other modules add to the batch page.

The batch page (portal.repairs.views.show) includes partials written by other modules
(``repairs/_steps.html``, ``repairs/_fee_payments.html``, ``repairs/_rating.html``). Each gets
``batch``, ``today`` and ``lines``; a module whose partial needs more registers a provider in
:data:`BATCH_PAGE_CONTEXT` when it is imported::

    from .queries import BATCH_PAGE_CONTEXT

    def _payments_context(batch: RepairBatch) -> dict[str, Any]:
        return {"fee_payments": payments_of(batch)}

    BATCH_PAGE_CONTEXT.append(_payments_context)

Every provider is called once per rendering of the batch page (a fixed number of statements each,
please) and its dict is merged into the template's context; a later provider's key wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, select
from sqlalchemy.orm import joinedload, selectinload

from ..boards.models import Board
from ..domain.repairs import AWAITING_FEES, WITHHELD, BatchStatus
from ..extensions import db
from ..security import scoped
from .models import RepairBatch, RepairLine

#: Providers of extra context for the batch page: each takes the batch and returns a dict merged
#: into the template's context (see the module's docstring). Modules append to it on import.
BATCH_PAGE_CONTEXT: list[Callable[[RepairBatch], dict[str, Any]]] = []

#: The statuses the list filters on: the stored states, and "withheld" (shown in place of notified
#: while the fees are overdue and the batch is not released).
SHOWN_STATUSES = (*(status.value for status in BatchStatus), WITHHELD)


def batch_page_context(batch: RepairBatch) -> dict[str, Any]:
    """What every registered provider adds to the batch page, merged in registration order."""
    context: dict[str, Any] = {}
    for provide in BATCH_PAGE_CONTEXT:
        context.update(provide(batch))
    return context


withheld_on = RepairBatch.withheld_clause  # SQL for RepairBatch.is_withheld (one home: the model)


def shown_status_is(status: str, on: date) -> ColumnElement[bool]:
    """SQL for ``RepairBatch.shown_status(on) == status``: a notified batch that is withheld shows as
    withheld, not as notified."""
    if status == WITHHELD:
        return withheld_on(on)
    condition = RepairBatch.status == BatchStatus(status)
    if BatchStatus(status) in AWAITING_FEES:
        condition = and_(condition, not_(withheld_on(on)))
    return condition


@dataclass(frozen=True)
class BatchFilters:
    distributor_id: int | None = None  # head office only
    status: str | None = None  # a value of SHOWN_STATUSES
    month: str | None = None  # "2026-03"


def batches_matching(filters: BatchFilters, on: date, user: Any = None) -> Select[Any]:
    """The batches in the caller's scope that match ``filters`` (shown status on ``on``), the latest
    month first, then the latest made, with their distributor (joined: no statement per row). The
    order of the indexes on (month, id) and (status, month, id): a page reads its 25 rows off an
    index, never sorts every batch."""
    statement = (
        scoped(select(RepairBatch), RepairBatch, user)
        .options(joinedload(RepairBatch.distributor))
        .order_by(RepairBatch.month.desc(), RepairBatch.id.desc())
    )
    if filters.distributor_id is not None:
        statement = statement.where(RepairBatch.distributor_id == filters.distributor_id)
    if filters.status is not None:
        statement = statement.where(shown_status_is(filters.status, on))
    if filters.month is not None:
        statement = statement.where(RepairBatch.month == filters.month)
    return statement


def line_counts(batch_ids: Sequence[int]) -> dict[int, int]:
    """How many lines each batch has, in one statement."""
    if not batch_ids:
        return {}
    rows = db.session.execute(
        select(RepairLine.batch_id, func.count(RepairLine.id))
        .where(RepairLine.batch_id.in_(list(batch_ids)))
        .group_by(RepairLine.batch_id)
    )
    return {int(batch_id): int(count) for batch_id, count in rows}


def batch_lines(batch: RepairBatch) -> list[RepairLine]:
    """The batch's lines with their boards, the boards' windows and products, in a fixed number of
    statements whatever the number of lines."""
    return list(
        db.session.scalars(
            select(RepairLine)
            .where(RepairLine.batch_id == batch.id)
            .options(
                selectinload(RepairLine.board).selectinload(Board.windows),
                selectinload(RepairLine.board).joinedload(Board.product),
            )
            .order_by(RepairLine.id)
        )
    )
