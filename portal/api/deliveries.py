"""/api/v1/on-time-deliveries: head office's on-time delivery record (docs/rules.md §6, §6.4.1), as
the on-time delivery page lists it, with the same filters and through the same query.

Each row is an order with a delivery due date: whether it shipped by that date (met), shipped after
it or is still not shipped after it (late), or is not shipped and not yet due (open).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from ..boards.queries import DeliveryFilters, DeliveryState, days_past_due, deliveries_matching, delivery_state
from ..clock import today
from ..domain.orders import OrderStatus
from ..orders.models import Order
from ..security import HEAD_OFFICE, roles_required
from .blueprint import bp
from .core import Id, OutModel, QueryModel, api_doc, page_of, parse_query


class DeliveryQuery(QueryModel):
    distributor_id: Id | None = None
    due_from: date | None = Field(default=None, description="Delivery due on or after this date.")
    due_to: date | None = Field(default=None, description="Delivery due on or before this date.")
    state: DeliveryState | None = Field(default=None, description="The delivery's state today.")


class DeliveryOut(OutModel):
    order_id: int
    number: str
    distributor_id: int
    distributor_code: str
    status: OrderStatus
    delivery_due_on: date
    shipped_on: date | None = Field(description="The day the last units shipped; null while some are to ship.")
    state: DeliveryState = Field(description="As of today.")
    days_late: int = Field(description="Whole days past the due date (to shipping, or to today); 0 when met.")

    @model_validator(mode="before")
    @classmethod
    def _from_order(cls, value: Any) -> Any:
        if not isinstance(value, Order):
            return value
        on = today()
        return {
            "order_id": value.id,
            "number": value.number,
            "distributor_id": value.distributor_id,
            "distributor_code": value.distributor.code,
            "status": value.status,
            "delivery_due_on": value.delivery_due_on,
            "shipped_on": value.shipped_on,
            "state": delivery_state(value, on),
            "days_late": days_past_due(value, on),
        }


@bp.get("/on-time-deliveries")
@roles_required(*HEAD_OFFICE)
@api_doc(query=DeliveryQuery, response=DeliveryOut, list_of=True)
def list_deliveries() -> Any:
    """List orders by their delivery due date.

    Orders with a delivery due date, the latest due first, each with whether it shipped on time,
    filtered as on the on-time delivery page. Head office only.
    """
    query = parse_query(DeliveryQuery)
    filters = DeliveryFilters(
        distributor_id=query.distributor_id, due_from=query.due_from, due_to=query.due_to, state=query.state
    )
    return page_of(DeliveryOut, deliveries_matching(filters, today()))
