"""Shipping use cases (docs/rules.md §6, §7.1): units leave head office for an order, each
serialized board with its warranty from its shipment's date; a shipment lost or damaged in transit
is replaced at no charge. Each one is a transaction, like the order services (portal.orders.services).

Dates are given by the caller, and so is ``today``: a shipment dated after it is refused
(domain.dates.check_event_date). Nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.dates import check_event_date
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.orders import OrderEvent, OrderStatus, check_quantity, transition
from ..domain.roles import Role
from ..domain.warranty import warranty_end
from ..extensions import db
from ..orders.models import Order
from ..products.models import Product
from ..transactions import locked, transactional
from .models import Board, Shipment, ShipmentLine
from .queries import replaced_quantities


@dataclass(frozen=True)
class ShipmentLineRequest:
    product_id: int
    quantity: int
    serials: Sequence[str] = ()


class SerialProblems(DomainError):
    """Every bad serial of a shipment, listed (docs/rules.md §6: serials are unique across the portal).
    Each problem is (serial or SKU, message, params) for the page and the API to translate."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__(N_("Some serial numbers cannot be shipped; see the list."), field="serials")
        self.problems = problems

    def details(self) -> list[tuple[str, dict[str, Any]]]:
        return [(message, params) for _serial, message, params in self.problems]


# --- shipping ------------------------------------------------------------------------------------


def normalize_serial(text: str) -> str:
    return (text or "").strip().upper()


def _check_shipped_on(shipped_on: date, today: date) -> None:
    check_event_date(shipped_on, today=today, field="shipped_on", message=N_("A shipment cannot leave in the future."))


@transactional
def ship_order(
    order: Order,
    lines: Sequence[ShipmentLineRequest],
    *,
    shipped_on: date,
    role: Role,
    today: date,
    carrier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """Ship some or all of the remaining units (§6.4). Each board's warranty runs from this date
    (§7.1). Every bad serial is listed; nothing ships while any is bad."""
    _check_shipped_on(shipped_on, today)
    order = locked(Order, order.id)
    remaining = {line.product_id: line.quantity - line.shipped_quantity for line in order.lines}
    shipped_all = all(
        sum(line.quantity for line in lines if line.product_id == product_id) == left
        for product_id, left in remaining.items()
    )
    status = transition(order.status, OrderEvent.SHIP_ALL if shipped_all else OrderEvent.SHIP_PART, role)
    if order.paid_in_full_on and shipped_on < order.paid_in_full_on:
        raise InvalidValue(N_("Nothing ships before the order is paid in full."), field="shipped_on")
    shipment = _build_shipment(order, lines, remaining, shipped_on, carrier, tracking_number)
    for line in order.lines:
        line.shipped_quantity += sum(r.quantity for r in lines if r.product_id == line.product_id)
    order.status = status
    if status is OrderStatus.SHIPPED:
        order.shipped_on = shipped_on
    return shipment


@transactional
def ship_replacement(
    lost: Shipment,
    lines: Sequence[ShipmentLineRequest],
    *,
    shipped_on: date,
    today: date,
    carrier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """§6.4.1: loss or damage in transit is head office's; replacement units ship at no charge."""
    _check_shipped_on(shipped_on, today)
    lost = locked(Shipment, lost.id)
    if not lost.lost_or_damaged:
        raise DomainError(N_("Mark the shipment lost or damaged before sending replacements."))
    if shipped_on < lost.shipped_on:
        raise InvalidValue(N_("Replacements cannot ship before the shipment they replace."), field="shipped_on")
    order = lost.order
    # Each lost unit is replaced once: what earlier replacements sent is no longer owed.
    replaced = replaced_quantities(lost)
    sent = {line.product_id: line.quantity - replaced.get(line.product_id, 0) for line in lost.lines}
    shipment = _build_shipment(order, lines, sent, shipped_on, carrier, tracking_number)
    shipment.replaces_shipment_id = lost.id
    return shipment


@transactional
def mark_lost_or_damaged(shipment: Shipment, note: str) -> Shipment:
    if not note.strip():
        raise InvalidValue(N_("Describe what was lost or damaged."), field="loss_note")
    shipment = locked(Shipment, shipment.id)
    shipment.lost_or_damaged, shipment.loss_note = True, note.strip()
    return shipment


def _check_each_product_once(lines: Sequence[ShipmentLineRequest]) -> None:
    """At least one unit ships, and each product is on one line."""
    if not lines or all(line.quantity == 0 for line in lines):
        raise InvalidValue(N_("Ship at least one unit."), field="lines")
    if len({line.product_id for line in lines}) != len(lines):
        raise InvalidValue(N_("Each product appears once; add up its quantities."), field="lines")


def _check_within_what_remains(
    line: ShipmentLineRequest, allowed: dict[int, int], products: dict[int, Product]
) -> None:
    check_quantity(line.quantity)
    if line.product_id not in allowed:
        raise InvalidValue(N_("This product is not on the order."), field="lines")
    if line.quantity > allowed[line.product_id]:
        raise InvalidValue(
            N_("More units than remain to ship for %(sku)s."), field="lines", sku=products[line.product_id].sku
        )


def _serial_count_problems(
    product: Product, serials: list[str], quantity: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """A serialized product ships one serial number per unit; any other product none."""
    if product.serialized and len(serials) != quantity:
        return [
            (
                product.sku,
                N_("%(sku)s: %(count)s serial numbers for %(quantity)s units."),
                {"sku": product.sku, "count": len(serials), "quantity": quantity},
            )
        ]
    if not product.serialized and serials:
        return [(product.sku, N_("%(sku)s has no serial numbers."), {"sku": product.sku})]
    return []


def _serials_to_ship(
    lines: Sequence[ShipmentLineRequest], allowed: dict[int, int], products: dict[int, Product]
) -> dict[str, int]:
    """Each serial number to ship, with its product. Refuses a line beyond what remains to ship
    (InvalidValue), then every serial problem at once (SerialProblems): a count that does not match
    the units, a serial too long, listed twice, or already shipped."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    wanted: dict[str, int] = {}
    for line in lines:
        _check_within_what_remains(line, allowed, products)
        product = products[line.product_id]
        serials = [normalize_serial(s) for s in line.serials if normalize_serial(s)]
        problems += _serial_count_problems(product, serials, line.quantity)
        for serial in serials:
            if len(serial) > 60:
                problems.append(
                    (serial, N_("Serial %(serial)s is longer than 60 characters."), {"serial": serial[:60]})
                )
            elif serial in wanted:
                problems.append((serial, N_("Serial %(serial)s is listed twice."), {"serial": serial}))
            wanted[serial] = line.product_id
    if wanted:
        for serial in db.session.scalars(select(Board.serial).where(Board.serial.in_(list(wanted)))):
            problems.append((serial, N_("Serial %(serial)s has already shipped."), {"serial": serial}))
    if problems:
        raise SerialProblems(problems)
    return wanted


def _build_shipment(
    order: Order,
    lines: Sequence[ShipmentLineRequest],
    allowed: dict[int, int],
    shipped_on: date,
    carrier: str,
    tracking_number: str,
) -> Shipment:
    _check_each_product_once(lines)
    prices = {line.product_id: line.unit_price for line in order.lines}
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(list(allowed))))}
    warranty_months = order.agreement.terms_on(shipped_on).warranty_months
    wanted = _serials_to_ship(lines, allowed, products)
    shipment = Shipment(
        order_id=order.id, shipped_on=shipped_on, carrier=carrier.strip(), tracking_number=tracking_number.strip()
    )
    shipment.lines = [
        ShipmentLine(product_id=line.product_id, quantity=line.quantity) for line in lines if line.quantity
    ]
    db.session.add(shipment)
    db.session.flush()
    end = warranty_end(shipped_on, warranty_months)
    db.session.add_all(
        Board(
            serial=serial,
            product_id=product_id,
            distributor_id=order.distributor_id,
            order_id=order.id,
            shipment_id=shipment.id,
            shipped_on=shipped_on,
            warranty_end=end,
            unit_price=prices[product_id],
        )
        for serial, product_id in wanted.items()
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # a serial shipped by another request at the same moment
        raise DomainError(
            N_("Another shipment took one of these serial numbers just now; try again."), field="serials"
        ) from error
    return shipment
