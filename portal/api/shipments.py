"""/api/v1 shipments: head-office sales ships paid orders; anyone who may see the order reads them.

``POST /orders/{id}/shipments`` takes ``{"shipped_on", "lines": [{"sku", "quantity", "serials"}]}``
and goes through :func:`portal.boards.services.ship_order`, as the page does: an unpaid order is
refused (409), and so is a shipment with any bad serial (409, every bad serial listed under
``fields.serials``); nothing ships while any is bad. Sales records a shipment lost or damaged in
transit (``POST /shipments/{id}/lost``) and ships free replacement units for it (``POST
/shipments/{id}/replacements``, the same body as a shipment), as the pages do (§6.4.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any

from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field, model_validator

from ..boards import services
from ..boards.models import Shipment
from ..boards.queries import order_shipments
from ..clock import today
from ..domain.orders import MAX_QUANTITY, MIN_QUANTITY
from ..domain.permissions import may_read, may_ship_orders
from ..extensions import db
from ..orders.models import Order
from ..security import allowed, loads
from .blueprint import bp
from .core import BodyModel, OutModel, Sku, Timestamp, api_doc, invalid, one, page_of, parse_body, text

Serial = text(60, min_length=1)
Carrier = text(100)


class ShipmentLineIn(BodyModel):
    sku: Sku
    quantity: Annotated[int, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY)]
    serials: Annotated[list[Serial], Field(max_length=20_000)] = Field(
        default_factory=list, description="Exactly one per unit of a serialized product; none otherwise."
    )


class ShipmentIn(BodyModel):
    shipped_on: date | None = Field(
        default=None, description="Default today; never later, never before the order was paid in full."
    )
    carrier: Carrier = ""
    tracking_number: Carrier = ""
    lines: Annotated[list[ShipmentLineIn], Field(min_length=1)]


class LossIn(BodyModel):
    loss_note: Annotated[text(500, min_length=1), Field(description="What was lost or damaged in transit.")]


class ShipmentLineOut(OutModel):
    sku: str
    quantity: int
    serials: list[str]


class ShipmentOut(OutModel):
    id: int
    order_id: int
    shipped_on: date
    carrier: str
    tracking_number: str
    lost_or_damaged: bool
    loss_note: str
    replaces_shipment_id: int | None = Field(description="Set on free replacement units for a lost shipment.")
    created_at: Timestamp
    lines: list[ShipmentLineOut]

    @model_validator(mode="before")
    @classmethod
    def _from_shipment(cls, value: Any) -> Any:
        """A Shipment row: its lines with the serials of the boards it carried, per product."""
        if not isinstance(value, Shipment):
            return value
        serials: dict[int, list[str]] = {}
        for board in value.boards:
            serials.setdefault(board.product_id, []).append(board.serial)
        fields = {name: getattr(value, name) for name in cls.model_fields if name != "lines"}
        return fields | {
            "lines": [
                {"sku": line.product.sku, "quantity": line.quantity, "serials": serials.get(line.product_id, [])}
                for line in value.lines
            ]
        }


@bp.get("/orders/<int:order_id>/shipments")
@allowed(may_read)
@loads(Order, "order_id")
@api_doc(response=ShipmentOut, list_of=True)
def list_shipments(order: Order) -> Any:
    """List the shipments of an order.

    Oldest first, each with its lines and the serial numbers of the boards it carried; free
    replacements name the shipment they replace. Another distributor's order answers 404.
    """
    return page_of(ShipmentOut, order_shipments(order.id))


@bp.post("/orders/<int:order_id>/shipments")
@allowed(may_ship_orders)
@loads(Order, "order_id")
@api_doc(body=ShipmentIn, response=ShipmentOut, status=201)
def create_shipment(order: Order) -> Any:
    """Ship some or all of the units left on an order.

    Each board's warranty runs from ``shipped_on``. Refused: an order not paid in full (409); more
    units than remain, or a SKU not on the order (422); any bad serial — too many or too few for
    the quantity, listed twice, already shipped — (409, every one listed under ``fields.serials``).
    """
    return _ship(services.ship_order, order, order.lines, role=current_user.role)


def _ship(ship: Callable[..., Shipment], record: Order | Shipment, lines: Iterable[Any], **extra: Any) -> Any:
    """Read a shipment's body, check its SKUs against the ``lines`` that may ship (an order's, or a
    lost shipment's) and ``ship(record, lines, shipped_on=…, carrier=…, tracking_number=…, **extra)``;
    answers the new shipment (201)."""
    data = parse_body(ShipmentIn)
    by_sku = {line.product.sku.upper(): line.product_id for line in lines}
    errors = {
        f"lines.{i}.sku": [_("This product is not on the order.")]
        for i, line in enumerate(data.lines)
        if line.sku.upper() not in by_sku
    }
    if errors:
        raise invalid(errors)
    requests = [
        services.ShipmentLineRequest(by_sku[line.sku.upper()], line.quantity, line.serials) for line in data.lines
    ]
    shipment = ship(
        record,
        requests,
        shipped_on=data.shipped_on or today(),
        today=today(),
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        **extra,
    )
    shipment = db.session.scalar(order_shipments(shipment.order_id).where(Shipment.id == shipment.id))
    return one(ShipmentOut, shipment, 201)


@bp.post("/shipments/<int:shipment_id>/lost")
@allowed(may_ship_orders)
@loads(Shipment, "shipment_id")
@api_doc(body=LossIn, response=ShipmentOut)
def mark_shipment_lost(shipment: Shipment) -> Any:
    """Record a shipment lost or damaged in transit.

    Loss or damage in transit is head office's risk (§6.4.1): once recorded, free replacement units
    can ship with POST /shipments/{id}/replacements. ``loss_note`` says what was lost or damaged.
    """
    data = parse_body(LossIn)
    services.mark_lost_or_damaged(shipment, data.loss_note)
    return one(ShipmentOut, db.session.scalar(order_shipments(shipment.order_id).where(Shipment.id == shipment.id)))


@bp.post("/shipments/<int:shipment_id>/replacements")
@allowed(may_ship_orders)
@loads(Shipment, "shipment_id")
@api_doc(body=ShipmentIn, response=ShipmentOut, status=201)
def create_replacement(shipment: Shipment) -> Any:
    """Ship free replacement units for a shipment lost or damaged in transit.

    At no charge (§6.4.1), at most the units the lost shipment carried less those already
    replaced, never before the lost shipment's date (422). A shipment not recorded lost or damaged
    answers 409; bad serials answer 409 as for a shipment, every one listed under ``fields.serials``.
    """
    return _ship(services.ship_replacement, shipment, shipment.lines)
