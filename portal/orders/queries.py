"""The order area's reads, shared by the pages and the API: the order list with its filters, one
order with everything its page shows, the agreements one may order under, this quarter's ordered
amount against the quota, and whether a deposit is late on a given day.

Every list is one SELECT (plus the pagination's COUNT), whatever the number of orders: the
distributor is joined in the same statement and every figure a row shows is a column of the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..agreements.models import Agreement
from ..distributors.models import Distributor
from ..domain.dates import quarter_bounds, quarter_of
from ..domain.orders import OrderStatus, deposit_is_late, prorated_quota, quota_day
from ..extensions import db
from ..security import scoped
from .models import Order, OrderLine

# --- the list ------------------------------------------------------------------------------------


def orders_matching(
    *,
    distributor_id: int | None = None,
    status: OrderStatus | None = None,
    period: str | None = None,
    confirmed_from: date | None = None,
    confirmed_to: date | None = None,
    agreement_id: int | None = None,
    user: Any = None,
) -> Select[Any]:
    """Orders in the caller's scope matching every filter given, newest first, with their
    distributor loaded in the same statement (no query per row)."""
    statement = (
        scoped(select(Order), Order, user)
        .options(joinedload(Order.distributor))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if distributor_id is not None:
        statement = statement.where(Order.distributor_id == distributor_id)
    if agreement_id is not None:
        statement = statement.where(Order.agreement_id == agreement_id)
    if status is not None:
        statement = statement.where(Order.status == status)
    if period:
        statement = statement.where(Order.period == period)
    if confirmed_from is not None:
        statement = statement.where(Order.confirmed_on >= confirmed_from)
    if confirmed_to is not None:
        statement = statement.where(Order.confirmed_on <= confirmed_to)
    return statement


def with_lines(statement: Select[Any]) -> Select[Any]:
    """Also load each order's lines and their products: two more statements per page, not per row."""
    return statement.options(selectinload(Order.lines).selectinload(OrderLine.product))


def order_in_full(order_id: int) -> Order:
    """One order with everything its page shows, in a fixed handful of statements: lines and their
    products, payments, shipments with their lines and boards."""
    shipment = Order.shipments.property.mapper.class_
    statement = (
        select(Order)
        .where(Order.id == order_id)
        .options(
            joinedload(Order.distributor),
            joinedload(Order.agreement),
            selectinload(Order.lines).selectinload(OrderLine.product),
            selectinload(Order.payments),
            # Shipments are portal.boards' table, named here through the relationship only.
            selectinload(Order.shipments).selectinload(shipment.lines),
            selectinload(Order.shipments).selectinload(shipment.boards),
        )
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).one()


# --- ordering ------------------------------------------------------------------------------------


def ordering_agreements(on: date, user: Any = None) -> list[Agreement]:
    """The agreements in the caller's scope that bind on ``on`` (those one may order under), with
    their distributor, ordered by distributor code and number."""
    statement = (
        scoped(select(Agreement), Agreement, user)
        .join(Distributor, Agreement.distributor_id == Distributor.id)
        .where(Agreement.binds_on(on))
        .options(joinedload(Agreement.distributor))
        .order_by(Distributor.code, Agreement.number)
    )
    return list(db.session.scalars(statement))


def agreement_in_scope(agreement_id: int, user: Any = None) -> Agreement | None:
    """An agreement of any status, if the caller may see it (another distributor's: None)."""
    return db.session.scalar(scoped(select(Agreement), Agreement, user).where(Agreement.id == agreement_id))


# --- periods (§6.2.1: an order is for a month or a quarter) -------------------------------------


def period_suggestions(on: date) -> list[str]:
    """This month, the next two months, this quarter and the next: what the period box offers."""
    months = []
    year, month = on.year, on.month
    for _ in range(3):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    year, quarter = quarter_of(on)
    next_quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return [*months, f"{year}-Q{quarter}", f"{next_quarter[0]}-Q{next_quarter[1]}"]


# --- the quarter's ordered amount against the quota (§2.1, §9) -----------------------------------


def _ordered_in(first: date, last: date) -> list[Any]:
    """§9: an order counts towards the quarter ``first``–``last`` when it was confirmed in it and not
    cancelled since (the one statement of it, for one agreement or many)."""
    return [Order.confirmed_on >= first, Order.confirmed_on <= last, Order.status != OrderStatus.CANCELLED]


def ordered_amount(agreement_id: int, first: date, last: date) -> Decimal:
    """§9: the totals of the agreement's orders confirmed between ``first`` and ``last``, less those
    later cancelled (one SUM)."""
    total = db.session.scalar(
        select(func.sum(Order.total)).where(Order.agreement_id == agreement_id, *_ordered_in(first, last))
    )
    return total if total is not None else Decimal("0.00")


def ordered_amounts(first: date, last: date) -> dict[int, Decimal]:
    """:func:`ordered_amount` of every agreement with an order counting towards the quarter, by
    agreement id (one GROUP BY; the others ordered nothing)."""
    rows = db.session.execute(
        select(Order.agreement_id, func.sum(Order.total)).where(*_ordered_in(first, last)).group_by(Order.agreement_id)
    )
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True)
class QuotaMeter:
    year: int
    quarter: int
    first: date
    last: date
    ordered: Decimal  # confirmed in the quarter, not cancelled
    quota: Decimal  # prorated when the term covers the quarter in part
    full_quota: Decimal  # the term's quarterly quota

    @property
    def name(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def prorated(self) -> bool:
        return self.quota != self.full_quota

    @property
    def percent(self) -> int:
        """Attainment in whole percent, rounded down (0 when there is no quota)."""
        if self.quota <= 0:
            return 0
        return int(self.ordered * 100 / self.quota)


def quota_meter(agreement: Agreement, on: date) -> QuotaMeter:
    """The quarter of ``on``: what the agreement has ordered so far against its quota, the quota of
    the terms that set the quarter's (domain.orders.quota_day), as the assessment will use."""
    year, quarter = quarter_of(on)
    first, last = quarter_bounds(year, quarter)
    period = agreement.binding_period()
    full = agreement.terms_on(quota_day(period, first, last)).quarterly_quota
    quota = prorated_quota(full, period, first, last)
    return QuotaMeter(year, quarter, first, last, ordered_amount(agreement.id, first, last), quota, full)


# --- what an order's dates mean on a day ---------------------------------------------------------


def deposit_late(order: Order, on: date) -> bool:
    """The deposit was paid after its due date, or is still unpaid after it (§6)."""
    if order.deposit_due_on is None or order.status is OrderStatus.CANCELLED:
        return False
    return deposit_is_late(order.deposit_due_on, order.deposit_paid_on, on)
