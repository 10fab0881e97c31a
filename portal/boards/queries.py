"""An order's shipments and the units already replaced; the boards list and head office's on-time
delivery list, filtered and paginated in SQL (a page costs the same few statements whatever the number of rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload, selectinload

from ..agreements.models import AgreementTerms
from ..domain.dates import fewest_days_in
from ..domain.orders import DeliveryState, OrderStatus
from ..domain.warranty import PAST_SHIPMENT_WARRANTY, CoverageClass
from ..extensions import db
from ..orders.models import Order
from ..products.models import Product
from ..security import scoped
from .models import Board, BoardWindow, DeliveryDay, Shipment, ShipmentLine

# --- shipments ----------------------------------------------------------------------------------


def order_shipments(order_id: int) -> Select[Any]:
    """An order's shipments, oldest first, with their lines, products and boards: three statements
    in all, for the shipments page and the API."""
    return (
        select(Shipment)
        .where(Shipment.order_id == order_id)
        .options(
            selectinload(Shipment.lines).joinedload(ShipmentLine.product),
            selectinload(Shipment.boards).joinedload(Board.product),
        )
        .order_by(Shipment.shipped_on, Shipment.id)
    )


def shipments_of(order: Order) -> list[Shipment]:
    return list(db.session.scalars(order_shipments(order.id)))


def replaced_quantities(lost: Shipment) -> dict[int, int]:
    """Units already sent to replace ``lost``, by product (each lost unit is replaced once)."""
    rows = db.session.execute(
        select(ShipmentLine.product_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.replaces_shipment_id == lost.id)
        .group_by(ShipmentLine.product_id)
    )
    return {product_id: int(quantity or 0) for product_id, quantity in rows}


def in_a_window(on: date) -> ColumnElement[bool]:
    """SQL: one of the board's post-repair windows covers ``on`` (both ends inclusive)."""
    return (
        select(BoardWindow.id)
        .where(BoardWindow.board_id == Board.id, BoardWindow.starts_on <= on, BoardWindow.ends_on >= on)
        .exists()
    )


def coverage_class_is(coverage_class: CoverageClass, on: date) -> ColumnElement[bool]:
    """SQL for ``board.coverage.coverage_class(on) == coverage_class`` (docs/rules.md §7.1): in
    warranty up to its warranty end; past it, post-repair while one of its windows covers the day,
    else out of warranty. tests/boards/test_coverage.py proves the two agree, board by board and
    day by day."""
    if coverage_class is CoverageClass.NOT_YET_SHIPPED:
        return Board.shipped_on > on
    if coverage_class is CoverageClass.IN_WARRANTY:
        return and_(Board.shipped_on <= on, Board.warranty_end >= on)
    if coverage_class is CoverageClass.POST_REPAIR_WARRANTY:
        return and_(Board.warranty_end < on, in_a_window(on))
    return and_(Board.warranty_end < on, ~in_a_window(on))


def boards_matching(
    *,
    on: date,
    product_id: int | None = None,
    coverage_class: CoverageClass | None = None,
    distributor_id: int | None = None,
    serial: str | None = None,
    user: Any = None,
) -> Select[Any]:
    """Boards in the caller's scope matching every filter, newest shipment first, with product,
    order and distributor loaded in the same statement."""
    statement = (
        scoped(select(Board), Board, user)
        .options(joinedload(Board.product), joinedload(Board.order).joinedload(Order.distributor))
        .order_by(Board.shipped_on.desc(), Board.serial)
    )
    if product_id is not None:
        statement = statement.where(Board.product_id == product_id)
    if coverage_class is not None:
        statement = statement.where(coverage_class_is(coverage_class, on))
        if coverage_class in PAST_SHIPMENT_WARRANTY:
            statement = statement.where(_shipped_before_any_warranty_ended(on))
    if distributor_id is not None:
        statement = statement.where(Board.distributor_id == distributor_id)
    if serial:
        statement = statement.where(serial_starts_with(serial.strip().upper()))
    return statement


def _shipped_before_any_warranty_ended(on: date) -> ColumnElement[bool]:
    """A bound implied by ``warranty_end < on``, that lets the list skip the boards still in warranty
    through the index in its order instead of walking past them one by one: every board's warranty
    end is its shipping date plus the warranty months of the terms then in force
    (services._build_shipment), and every version of the terms is kept, so no warranty is shorter
    than the shortest of them (docs/rules.md §2, §7; domain.dates.fewest_days_in)."""
    shortest = db.session.scalar(select(func.min(AgreementTerms.warranty_months)))
    if shortest is None:
        return Board.shipped_on <= on  # no terms, no boards: nothing to skip
    at_least = timedelta(days=fewest_days_in(shortest))
    return Board.shipped_on < on - at_least


def next_prefix(prefix: str) -> str | None:
    """The first text after every text that starts with ``prefix`` ("HZ2026-" → "HZ2026."), or None
    when there is none (a prefix of only the last code point)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


def serial_starts_with(prefix: str) -> ColumnElement[bool]:
    """SQL: the serial starts with ``prefix``, as a range of the serial index (``serial >= prefix
    AND serial < next_prefix``) that both databases answer from the index, where ``LIKE … ESCAPE``
    scans every board. Every character is itself: "%" and "_" are no wildcards. Serials are
    stored in upper case (services.normalize_serial), so the caller upper-cases the prefix. Text
    compares by code point: SQLite's BINARY collation, PostgreSQL's "C"/"C.UTF-8" database collation."""
    upper = next_prefix(prefix)
    condition = Board.serial >= prefix
    return condition if upper is None else and_(condition, Board.serial < upper)


def board_with_history(board_id: int) -> Board:
    """A board for its look-up page: product, order, distributor and shipment in one statement, its
    post-repair windows in a second, and its repairs with their batches in a third, whatever the
    number of repairs. The repair line's class is reached through the mapper: portal.repairs is a
    higher layer, which this module does not import."""
    line = sa_inspect(Board).relationships["repair_lines"].mapper.class_
    return db.session.scalars(
        select(Board)
        .where(Board.id == board_id)
        .options(
            joinedload(Board.product),
            joinedload(Board.order).joinedload(Order.distributor),
            joinedload(Board.shipment),
            selectinload(Board.repair_lines).joinedload(line.batch),
        )
        .execution_options(populate_existing=True)
    ).one()


def board_products() -> list[Any]:
    """The product filter's choices: the products that carry serial numbers, read off the small
    products table (every board is one of them), never a DISTINCT over the boards."""
    return list(
        db.session.execute(
            select(Product.id, Product.sku, Product.name_zh, Product.name_en)
            .where(Product.serialized.is_(True))
            .order_by(Product.sku)
        )
    )


# --- on-time delivery (docs/rules.md §6, §10: orders shipped by their delivery due date) -----------


def _delivery_state_is(state: DeliveryState, on: date) -> ColumnElement[bool]:
    """SQL for ``order.delivery_state(on) == state`` (domain.orders.delivery_state), for orders
    with a delivery due date; tests/boards/test_delivery.py proves the two agree case by case."""
    shipped, due = Order.shipped_on, Order.delivery_due_on
    if state is DeliveryState.ON_TIME:
        return and_(shipped.is_not(None), shipped <= due)
    if state is DeliveryState.LATE:
        return or_(shipped > due, and_(shipped.is_(None), due < on))
    return and_(shipped.is_(None), due >= on)


@dataclass(frozen=True)
class DeliveryFilters:
    distributor_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    state: DeliveryState | None = None


def _delivery_conditions(filters: DeliveryFilters, on: date, with_state: bool = True) -> list[Any]:
    conditions: list[Any] = [Order.delivery_due_on.is_not(None), Order.status != OrderStatus.CANCELLED]
    if filters.distributor_id is not None:
        conditions.append(Order.distributor_id == filters.distributor_id)
    if filters.due_from is not None:
        conditions.append(Order.delivery_due_on >= filters.due_from)
    if filters.due_to is not None:
        conditions.append(Order.delivery_due_on <= filters.due_to)
    if with_state and filters.state is not None:
        conditions.append(_delivery_state_is(filters.state, on))
    return conditions


def deliveries_matching(filters: DeliveryFilters, on: date) -> Select[Any]:
    """Orders with a delivery due date, the latest due first (then the latest created): the order of
    the index on (delivery_due_on, id), so a page reads 25 index entries, never sorts them all."""
    return (
        select(Order)
        .options(joinedload(Order.distributor))
        .where(*_delivery_conditions(filters, on))
        .order_by(Order.delivery_due_on.desc(), Order.id.desc())
    )


@dataclass(frozen=True)
class DeliveryCounts:
    on_time: int
    shipped_late: int
    overdue: int  # not shipped, and the due date has passed
    not_yet_due: int

    @property
    def shipped(self) -> int:
        return self.on_time + self.shipped_late

    @property
    def on_time_percent(self) -> int | None:
        return 100 * self.on_time // self.shipped if self.shipped else None

    def matching(self, state: DeliveryState | None) -> int:
        """How many orders the list shows with the state filter ``state`` (None: every one): the
        list's pagination total, so no second COUNT over the orders."""
        if state is None:
            return self.shipped + self.overdue + self.not_yet_due
        if state is DeliveryState.LATE:
            return self.shipped_late + self.overdue
        if state is DeliveryState.ON_TIME:
            return self.on_time
        return self.not_yet_due


def shipped_conditions() -> list[Any]:
    """The orders the on-time figures count: those with a delivery due date, not cancelled."""
    return _delivery_conditions(DeliveryFilters(), date.min, with_state=False)


def _bucket(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def shipped_buckets() -> tuple[Any, Any]:
    """The counts of orders shipped on time and shipped late (domain.orders.delivery_state), as
    aggregate columns: for delivery_counts and the kept-current tallies (tallies.py) alike."""
    shipped, due = Order.shipped_on, Order.delivery_due_on
    return (
        _bucket(_delivery_state_is(DeliveryState.ON_TIME, date.min)).label("on_time"),
        _bucket(shipped > due).label("shipped_late"),
    )


def waiting_bucket() -> Any:
    """The count of orders not shipped yet, as an aggregate column (the kept-current tallies')."""
    return _bucket(Order.shipped_on.is_(None)).label("waiting")


def delivery_counts(filters: DeliveryFilters, on: date) -> DeliveryCounts:
    """How many orders of the filtered period shipped on time, shipped late, are overdue and are not
    yet due, and the list's pagination total besides.

    Unfiltered: the kept-current tallies per delivery due day added up (models.DeliveryDay, a few
    hundred rows a year), the orders waiting on the days before ``on`` being the overdue ones
    (domain.orders.delivery_state: not shipped and the due date passed); no order is read.
    Filtered by distributor or due dates: one statement over the orders matching, answered from the
    index on (delivery_due_on, shipped_on, status) alone."""
    shipped, due = Order.shipped_on, Order.delivery_due_on
    if filters == DeliveryFilters(state=filters.state):
        past = DeliveryDay.delivery_due_on < on
        tallied = db.session.execute(
            select(
                func.coalesce(func.sum(DeliveryDay.on_time), 0),
                func.coalesce(func.sum(DeliveryDay.shipped_late), 0),
                func.coalesce(func.sum(case((past, DeliveryDay.waiting), else_=0)), 0),
                func.coalesce(func.sum(case((past, 0), else_=DeliveryDay.waiting)), 0),
            )
        ).one()
        return DeliveryCounts(*(int(count) for count in tallied))
    waiting = {
        "overdue": _bucket(and_(shipped.is_(None), due < on)).label("overdue"),
        "not_yet_due": _bucket(_delivery_state_is(DeliveryState.NOT_YET_DUE, on)).label("not_yet_due"),
    }
    conditions = _delivery_conditions(filters, on, with_state=False)
    row = db.session.execute(select(*shipped_buckets(), *waiting.values()).where(*conditions)).one()
    return DeliveryCounts(
        int(row.on_time or 0), int(row.shipped_late or 0), int(row.overdue or 0), int(row.not_yet_due or 0)
    )
