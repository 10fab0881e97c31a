"""/api/v1/orders: purchase orders (docs/api.md; docs/rules.md §6).

The same rules as the pages, through the same services: a distributor drafts and submits orders
under its active agreement and cancels them before confirmation; head-office sales also confirms
(prices lock from the list in force on the confirmation date) and cancels confirmed orders with a
reason; finance reads. Another distributor's order answers 404; a rule or the order's state
refusing the step, 409; a bad field, 422 naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import AliasPath, BaseModel, BeforeValidator, Field

from ..clock import today
from ..domain.errors import N_, InvalidValue
from ..domain.orders import MAX_QUANTITY, MIN_QUANTITY, PERIOD_PATTERN, OrderStatus, check_period, check_quantity
from ..domain.permissions import may_confirm_orders, may_draft_orders, may_read, may_ship_orders
from ..orders import services
from ..orders.models import Order
from ..orders.queries import agreement_in_scope, orders_matching, with_lines
from ..products.models import Product
from ..security import allowed, loads
from .blueprint import bp
from .core import (
    UNSENT,
    BodyModel,
    Id,
    Money,
    OutModel,
    PatchModel,
    QueryModel,
    Sku,
    Timestamp,
    api_doc,
    domain_checked,
    invalid,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

Period = Annotated[
    text(
        20,
        pattern=PERIOD_PATTERN,
        message=_l("Enter the month as YYYY-MM (2026-03) or the quarter as YYYY-Qn (2026-Q1)."),
    ),
    domain_checked(check_period),
    Field(description="The month (YYYY-MM) or quarter (YYYY-Qn) the order is for.", examples=["2026-03", "2026-Q2"]),
]
Quantity = Annotated[
    int,
    domain_checked(check_quantity),
    Field(description="Whole units.", json_schema_extra={"minimum": MIN_QUANTITY, "maximum": MAX_QUANTITY}),
]
Notes = text(1000)
Reason = text(500)
# Whether the prices are locked, read off the confirmation date.
Locked = Annotated[bool, BeforeValidator(lambda confirmed_on: confirmed_on is not None)]


class LineIn(BodyModel):
    sku: Sku
    quantity: Quantity


class OrderIn(BodyModel):
    agreement_id: Id = Field(description="One of the distributor's active agreements.")
    period: Period = ""
    wanted_delivery_on: date | None = None
    notes: Notes = ""
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class OrderPatch(PatchModel):
    """A draft's fields as the order form has them; only the fields sent change."""

    period: Period = UNSENT
    wanted_delivery_on: date | None = Field(default=UNSENT, description="Null clears it.")
    notes: Notes = UNSENT
    lines: list[LineIn] = Field(
        default=UNSENT, min_length=1, max_length=500, description="Replace all the lines of the draft."
    )


class ConfirmIn(BodyModel):
    confirmed_on: date | None = Field(
        default=None, description="Default today (Asia/Shanghai); never later than today."
    )


class CancelIn(BodyModel):
    reason: Reason = Field(default="", description="Required to cancel a confirmed order.")


class LineOut(OutModel):
    sku: str = Field(validation_alias=AliasPath("product", "sku"))
    quantity: int
    unit_price: Money = Field(description="Indicative until the order is confirmed, locked from then on.")
    amount: Money
    shipped_quantity: int


class OrderOut(OutModel):
    id: int
    number: str
    distributor_id: int
    agreement_id: int
    status: OrderStatus
    period: str
    wanted_delivery_on: date | None
    notes: str
    lines: list[LineOut]
    total: Money
    is_first_order: bool
    prices_locked: Locked = Field(
        validation_alias="confirmed_on", description="True once confirmed: the unit prices no longer change."
    )
    deposit_amount: Money | None
    balance_amount: Money | None
    submitted_on: date | None
    confirmed_on: date | None
    deposit_due_on: date | None
    deposit_paid_on: date | None
    paid_in_full_on: date | None
    delivery_due_on: date | None = Field(
        description="Deposit paid + the delivery period while the balance is open; the paid-in-full date when "
        "the balance is paid later; null until the deposit is paid (docs/rules.md §6)."
    )
    paid_amount: Money
    shipped_on: date | None
    cancelled_on: date | None
    cancel_reason: str
    created_at: Timestamp


class OrderQuery(QueryModel):
    distributor_id: Id | None = Field(default=None, description="Head office only; a distributor sees its own.")
    agreement_id: Id | None = None
    status: OrderStatus | None = None
    period: Period | None = None
    confirmed_from: date | None = None
    confirmed_to: date | None = None


def _out(order: Order) -> Any:
    return one(OrderOut, order)


def _optional_body(model: type[BaseModel]) -> Any:
    """Steps whose body is optional: an empty body means every default."""
    return parse_body(model) if request.get_data(cache=True).strip() else model()


@bp.get("/orders")
@allowed(may_read)
@api_doc(query=OrderQuery, response=OrderOut, list_of=True)
def list_orders() -> Any:
    """List orders.

    Newest first. A distributor user sees only its own company's orders.
    """
    query = parse_query(OrderQuery)
    statement = orders_matching(
        distributor_id=query.distributor_id if current_user.is_head_office else None,
        agreement_id=query.agreement_id,
        status=query.status,
        period=query.period,
        confirmed_from=query.confirmed_from,
        confirmed_to=query.confirmed_to,
    )
    return page_of(OrderOut, with_lines(statement))


def _line_requests(lines: list[LineIn], products: Iterable[Product]) -> list[services.LineRequest]:
    """The lines by SKU as the service takes them; a SKU not among ``products`` is refused (422)."""
    by_sku = {product.sku: product.id for product in products}
    requests = []
    for index, line in enumerate(lines):
        if line.sku not in by_sku:
            raise InvalidValue(N_("This agreement does not authorise that product."), field=f"lines.{index}.sku")
        requests.append(services.LineRequest(by_sku[line.sku], line.quantity))
    return requests


@bp.post("/orders")
@allowed(may_draft_orders)
@api_doc(body=OrderIn, response=OrderOut, status=201)
def create_order() -> Any:
    """Draft an order.

    Under one of the distributor's active agreements (409 otherwise), for products the agreement
    authorises, priced for information from the list in force today for the agreement's level.
    Submit it with POST /orders/{id}/submit.
    """
    data = parse_body(OrderIn)
    agreement = agreement_in_scope(data.agreement_id)
    if agreement is None:
        raise invalid({"agreement_id": [_("There is no agreement with this id.")]})
    lines = _line_requests(data.lines, agreement.products)
    order = services.create_order(
        agreement,
        lines,
        on=today(),
        created_by_id=current_user.id,
        period=data.period,
        wanted_delivery_on=data.wanted_delivery_on,
        notes=data.notes,
    )
    return one(OrderOut, order, 201, Location=url_for("api.get_order", order_id=order.id))


@bp.get("/orders/<int:order_id>")
@allowed(may_read)
@loads(Order, "order_id")
@api_doc(response=OrderOut)
def get_order(order: Order) -> Any:
    """Show one order.

    Another distributor's order answers 404, like a missing one.
    """
    return _out(order)


@bp.post("/orders/<int:order_id>/submit")
@allowed(may_draft_orders)
@loads(Order, "order_id")
@api_doc(response=OrderOut)
def submit_order(order: Order) -> Any:
    """Submit a draft to head office.

    The agreement's first order must total at least the first-order minimum (409). No body.
    """
    return _out(services.submit_order(order, current_user.role, today()))


@bp.post("/orders/<int:order_id>/confirm")
@allowed(may_confirm_orders)
@loads(Order, "order_id")
@api_doc(body=ConfirmIn, response=OrderOut)
def confirm_order(order: Order) -> Any:
    """Confirm a submitted order.

    Head-office sales only. The unit prices lock from the price list in force on `confirmed_on`
    (default today, never in the future) for the agreement's level; deposit (a first order: the
    whole total), balance and the deposit due date follow. Confirming twice answers 409.
    """
    data = _optional_body(ConfirmIn)
    return _out(services.confirm_order(order, current_user.role, data.confirmed_on or today(), today=today()))


@bp.post("/orders/<int:order_id>/cancel")
@allowed(may_draft_orders)
@loads(Order, "order_id")
@api_doc(body=CancelIn, response=OrderOut)
def cancel_order(order: Order) -> Any:
    """Cancel an order.

    A distributor cancels its draft or submitted orders; head-office sales also a confirmed one,
    with a `reason` (for example: the deposit is overdue). Anything later answers 409.
    """
    data = _optional_body(CancelIn)
    return _out(services.cancel_order(order, current_user.role, today(), data.reason))


@bp.patch("/orders/<int:order_id>")
@allowed(may_draft_orders)
@loads(Order, "order_id")
@api_doc(body=OrderPatch, response=OrderOut)
def update_order(order: Order) -> Any:
    """Change a draft order.

    Its period, wanted delivery date, notes and lines, as the order form allows; only the fields
    sent change, and ``lines`` replace all its lines (products the agreement authorises; a
    product already on the draft may stay). Only a draft can be changed (409).
    """
    data = parse_body(OrderPatch)
    sent = data.model_dump(exclude_unset=True)
    on = today()
    if "lines" in sent:
        products = [*order.agreement.products, *(line.product for line in order.lines)]
        lines = _line_requests(data.lines or [], products)
    else:
        lines = [services.LineRequest(line.product_id, line.quantity) for line in order.lines]
    wanted_delivery_on = data.wanted_delivery_on if "wanted_delivery_on" in sent else order.wanted_delivery_on
    order = services.update_order(
        order,
        lines,
        on=on,
        period=sent.get("period", order.period),
        wanted_delivery_on=wanted_delivery_on,
        notes=sent.get("notes", order.notes),
    )
    return _out(order)


@bp.post("/orders/<int:order_id>/close")
@allowed(may_ship_orders)
@loads(Order, "order_id")
@api_doc(response=OrderOut)
def close_order(order: Order) -> Any:
    """Close a fully shipped order.

    Head-office sales, once nothing more is expected on it. Any other status answers 409. No body.
    """
    return _out(services.close_order(order, current_user.role))
