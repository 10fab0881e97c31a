"""The access guard's foreign orders, payments, shipments and boards: all under the other
distributor's one active agreement (tests/builders.py ``active_agreement_of``), made through the
services like every test record. The order builders themselves live in tests/builders.py."""

from __future__ import annotations

from datetime import date

from portal.boards.models import Board, Shipment
from portal.distributors.models import Distributor
from portal.orders.models import Order
from portal.orders.services import is_first_order
from portal.receivables.models import Payment

from ..builders import (  # noqa: F401  (re-exported: tests import the order builders from here too)
    START,
    active_agreement_of,
    foreign_record,
    make_active_agreement,
    make_order,
    make_price_list,
    make_product,
    pay,
    ship,
)


def _confirmed_order(other: Distributor) -> Order:
    """Boards confirmed on 2 March 2026: 50 (¥60,000, the first order's minimum) for the agreement's
    first order, one for a later one."""
    agreement = active_agreement_of(other)
    board = next(product for product in agreement.products if product.serialized)
    units = 50 if is_first_order(agreement) else 1
    return make_order(agreement, {board: units}, confirm_on=date(2026, 3, 2))


@foreign_record(Order)
def foreign_order(other: Distributor) -> Order:
    agreement = active_agreement_of(other)
    return make_order(agreement, {agreement.products[0]: 1})


@foreign_record(Payment)
def foreign_payment(other: Distributor) -> Payment:
    return pay(_confirmed_order(other), "100.00", date(2026, 3, 3))


def shipped_order(other: Distributor) -> tuple[Order, Shipment]:
    """A confirmed order paid in full on 3 March and shipped on the 4th."""
    order = _confirmed_order(other)
    pay(order, order.total, date(2026, 3, 3))
    board = next(line.product for line in order.lines)
    serials = [f"SN{order.id:04d}{n:04d}" for n in range(order.lines[0].quantity)]
    shipment = ship(order, {board: serials}, on=date(2026, 3, 4))
    return order, shipment


@foreign_record(Shipment)
def foreign_shipment(other: Distributor) -> Shipment:
    return shipped_order(other)[1]


@foreign_record(Board)
def foreign_board(other: Distributor) -> Board:
    return shipped_order(other)[1].boards[0]
