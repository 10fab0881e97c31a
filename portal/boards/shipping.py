"""Turning what a person (or a program) hands over into shipment lines for boards.services.

Serials come typed or pasted per product and from one uploaded file for the whole shipment; a file
with a ``sku`` column says which product each serial belongs to, a file without one may only be used
when a single serialized product is being shipped. Problems are collected, never raised one by one,
so the page can list every one of them; the service then adds its own (duplicates, serials already
shipped, counts that do not match the quantity) and ships nothing while any remains.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..domain.errors import N_
from ..extensions import db
from ..orders.models import Order
from ..products.models import Product
from .models import Board, Shipment
from .serials import SerialFile, split_serials
from .services import ShipmentLineRequest

Problem = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Target:
    """A product that can ship now, and how many units of it are left to ship."""

    product: Product
    remaining: int


def order_targets(order: Order) -> list[Target]:
    return [
        Target(line.product, line.quantity - line.shipped_quantity)
        for line in order.lines
        if line.quantity > line.shipped_quantity
    ]


def replacement_targets(lost: Shipment, replaced: dict[int, int]) -> list[Target]:
    return [
        Target(line.product, line.quantity - replaced.get(line.product_id, 0))
        for line in lost.lines
        if line.quantity > replaced.get(line.product_id, 0)
    ]


@dataclass
class TypedLine:
    """One product's line as typed on the page: the quantity (None: as many as serials) and text."""

    product_id: str
    quantity: str | None
    serials_text: str


@dataclass
class Collected:
    lines: list[ShipmentLineRequest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _serials_from_file(upload: SerialFile, targets: Sequence[Target], result: Collected) -> dict[int, list[str]]:
    """The uploaded file's serials by product id; its problems, and the rows that name no serialized
    product left to ship, go to ``result``."""
    result.problems.extend((p.message, {"line": p.line, **p.params}) for p in upload.problems)
    by_sku = {t.product.sku.upper(): t for t in targets}
    serialized = [t for t in targets if t.product.serialized]
    from_file: dict[int, list[str]] = {}
    if upload.has_sku:
        for line, sku, serial in upload.rows:
            target = by_sku.get(sku or "")
            if target is None or not target.product.serialized:
                result.problems.append(
                    (
                        N_("Line %(line)s: %(sku)s is not a serialized product left to ship on this order."),
                        {"line": line, "sku": sku},
                    )
                )
                continue
            from_file.setdefault(target.product.id, []).append(serial)
    elif upload.rows:
        if len(serialized) == 1:
            from_file[serialized[0].product.id] = [serial for _, _, serial in upload.rows]
        else:
            result.problems.append(
                (
                    N_(
                        "The file has no sku column, and more than one serialized product "
                        "is left to ship: add a sku column."
                    ),
                    {},
                )
            )
    return from_file


def collect_lines(typed: Iterable[TypedLine], targets: Sequence[Target], upload: SerialFile | None) -> Collected:
    """Shipment lines from the page's fields and the uploaded file, with every problem found."""
    result = Collected()
    by_id = {str(t.product.id): t for t in targets}
    from_file = _serials_from_file(upload, targets, result) if upload is not None else {}
    for entry in typed:
        target = by_id.get(entry.product_id)
        if target is None:
            result.problems.append((N_("This product is not on the order."), {}))
            continue
        product = target.product
        serials = split_serials(entry.serials_text) + from_file.pop(product.id, [])
        if entry.quantity is None or not entry.quantity.strip():
            quantity = len(serials) if product.serialized else 0
        else:
            quantity = int(entry.quantity)
        if quantity == 0 and not serials:
            continue
        if quantity == 0:
            result.problems.append(
                (
                    N_("%(sku)s: %(count)s serial numbers for %(quantity)s units."),
                    {"sku": product.sku, "count": len(serials), "quantity": 0},
                )
            )
            continue
        result.lines.append(ShipmentLineRequest(product.id, quantity, serials))
    if not result.lines and not result.problems:
        result.problems.append((N_("Ship at least one unit."), {}))
    return result


def pre_check_serials(lines: Sequence[ShipmentLineRequest]) -> list[Problem]:
    """The serial problems the service would find (twice listed, already shipped), for a page that
    will not call the service because of other problems: the user sees them all at once."""
    serials = [s for line in lines for s in line.serials]
    problems: list[Problem] = [
        (N_("Serial %(serial)s is listed twice."), {"serial": serial})
        for serial, count in Counter(serials).items()
        if count > 1
    ]
    if serials:
        shipped = db.session.scalars(select(Board.serial).where(Board.serial.in_(set(serials))))
        problems += [(N_("Serial %(serial)s has already shipped."), {"serial": serial}) for serial in shipped]
    return problems
