"""/api/v1/receivables: what distributors still owe on their orders (docs/rules.md §6), as the
receivables page lists it, with the same filters and through the same query: head office only.

Each row is one amount owed on one order: its deposit while unpaid, or its balance. The earliest
due come first (the longest overdue lead), those with no due date yet last.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from ..clock import today
from ..domain.orders import OrderStatus, days_late
from ..domain.permissions import may_read_receivables
from ..pagination import page_end
from ..receivables.queries import (
    DueState,
    Filters,
    ReceivableKind,
    owed_summary,
    paginate_rows,
    receivables_matching,
)
from ..security import allowed
from .blueprint import bp
from .core import Id, Money, OutModel, QueryModel, api_doc, page_of, parse_query


class ReceivableQuery(QueryModel):
    distributor_id: Id | None = None
    state: DueState | None = Field(default=None, description="Overdue today, or not yet due (or with no due date).")
    kind: ReceivableKind | None = None


class ReceivableOut(OutModel):
    order_id: int
    number: str = Field(description="The order's number.")
    distributor_id: int
    distributor_code: str
    distributor_name: str
    kind: ReceivableKind
    status: OrderStatus = Field(description="The order's status.")
    amount: Money = Field(description="The whole deposit or balance.")
    outstanding: Money = Field(description="What is still owed of it.")
    due_on: date | None = Field(description="Null for a balance while the deposit is unpaid.")
    days_late: int = Field(description="Whole days past the due date today; 0 while not late.")

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, value: Any) -> Any:
        """A row of the receivables query, with its days late as of today."""
        if isinstance(value, dict):
            return value
        return {**value._asdict(), "days_late": days_late(value.due_on, None, today())}


@bp.get("/receivables")
@allowed(may_read_receivables)
@api_doc(query=ReceivableQuery, response=ReceivableOut, list_of=True)
def list_receivables() -> Any:
    """List the amounts distributors owe.

    Deposits and balances of confirmed orders not yet paid in full, the earliest due first, filtered
    as on the receivables page. Head office only.
    """
    query = parse_query(ReceivableQuery)
    filters, on = Filters(distributor_id=query.distributor_id, state=query.state, kind=query.kind), today()
    # One aggregate over the indexes of the orders owing; not owed_overall, whose count of the
    # distributors owing the API does not show.
    total = owed_summary(filters, on).of().count

    def paginator(statement: Any) -> Any:
        return paginate_rows(statement, total=total)

    return page_of(ReceivableOut, receivables_matching(filters, on, page_end()), paginator)
