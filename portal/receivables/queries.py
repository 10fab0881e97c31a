"""What distributors still owe on their orders (docs/rules.md §6), computed in SQL.

Each payable order (confirmed or deposit paid) owes up to two amounts:

* its **deposit** while the paid amount has not reached it: the deposit less what is paid, due on
  the deposit due date (confirmation + 3 days, §6.3.1);
* its **balance**: the total less the larger of the deposit and what is paid. The contract only says
  "before shipment"; the portal counts it due on the order's delivery due date, deposit paid + the
  delivery period (§6.4.1: 30 days), since a balance paid later postpones delivery (one rule,
  ``domain.orders.delivery_due_on``, stored on the order). While the deposit is unpaid the balance
  has no due date yet.

One UNION of the two kinds is filtered, ordered and paginated in the database; the totals per
distributor are a GROUP BY over the same rows. A page costs a constant number of statements
whatever the number of orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, String, case, func, literal, literal_column, select, type_coerce, union_all
from sqlalchemy.sql import ColumnElement

from ..db import Money
from ..distributors.models import Distributor
from ..domain.errors import N_
from ..domain.orders import AWAITING_DEPOSIT, AWAITING_PAYMENT, OrderStatus
from ..extensions import db
from ..orders.models import Order
from ..pagination import MAX_PAGE, int_arg, page_args


class ReceivableKind(StrEnum):
    DEPOSIT = "deposit"
    BALANCE = "balance"

    @property
    def label(self) -> str:
        return {ReceivableKind.DEPOSIT: N_("Deposit"), ReceivableKind.BALANCE: N_("Balance")}[self]


class DueState(StrEnum):
    OVERDUE = "overdue"
    NOT_YET_DUE = "not_yet_due"

    @property
    def label(self) -> str:
        return {DueState.OVERDUE: N_("Overdue"), DueState.NOT_YET_DUE: N_("Not yet due")}[self]


ZERO: ColumnElement[int] = literal_column("0")  # whole fen, as the Money columns hold them


# --- the rows ------------------------------------------------------------------------------------


def _receivable_rows() -> Any:
    """Every amount owed, one row per order and kind (a subquery)."""
    deposit = select(
        Order.id.label("order_id"),
        Order.number.label("number"),
        Order.distributor_id.label("distributor_id"),
        literal(ReceivableKind.DEPOSIT.value, String(10)).label("kind"),
        Order.status.label("status"),
        type_coerce(Order.deposit_amount, Money()).label("amount"),
        type_coerce(Order.deposit_amount - Order.paid_amount, Money()).label("outstanding"),
        Order.deposit_due_on.label("due_on"),
    ).where(Order.status.in_(AWAITING_DEPOSIT))
    balance = select(
        Order.id,
        Order.number,
        Order.distributor_id,
        literal(ReceivableKind.BALANCE.value, String(10)),
        Order.status,
        type_coerce(Order.balance_amount, Money()),
        type_coerce(
            case((Order.status.in_(AWAITING_DEPOSIT), Order.balance_amount), else_=Order.total - Order.paid_amount),
            Money(),
        ),
        Order.delivery_due_on,  # domain.orders.delivery_due_on, stored when a payment is booked
    ).where(Order.status.in_(AWAITING_PAYMENT), Order.balance_amount > Decimal("0.00"))
    return union_all(deposit, balance).subquery("receivables")


@dataclass(frozen=True)
class Filters:
    distributor_id: int | None = None
    state: DueState | None = None
    kind: ReceivableKind | None = None
    status: OrderStatus | None = None  # the order's: a balance after its deposit is DEPOSIT_PAID


def _filtered(rows: Any, filters: Filters, on: date) -> list[Any]:
    conditions = []
    if filters.distributor_id is not None:
        conditions.append(rows.c.distributor_id == filters.distributor_id)
    if filters.kind is not None:
        conditions.append(rows.c.kind == filters.kind.value)
    if filters.status is not None:
        conditions.append(rows.c.status == filters.status)
    if filters.state is DueState.OVERDUE:
        conditions.append(rows.c.due_on < on)
    elif filters.state is DueState.NOT_YET_DUE:
        conditions.append(rows.c.due_on.is_(None) | (rows.c.due_on >= on))
    return conditions


def receivables_matching(filters: Filters, on: date) -> Select[Any]:
    """The amounts owed matching ``filters``, with the distributor's code and name; the earliest due
    first (so the longest overdue lead), those without a due date last."""
    rows = _receivable_rows()
    return (
        select(rows, Distributor.code.label("distributor_code"), Distributor.name.label("distributor_name"))
        .join(Distributor, Distributor.id == rows.c.distributor_id)
        .where(*_filtered(rows, filters, on))
        .order_by(rows.c.due_on.is_(None), rows.c.due_on, rows.c.number, rows.c.kind.desc())
    )


def totals_by_distributor(filters: Filters, on: date) -> Select[*tuple[Any, ...]]:
    """Per distributor (GROUP BY in the database), by code: how many amounts, what is owed, what is
    overdue. Paginated (:func:`paginate_rows`): a page of distributors, never every one that owes;
    the grand total is :func:`owed_summary`'s one aggregate."""
    rows = _receivable_rows()
    overdue = case((rows.c.due_on < on, rows.c.outstanding), else_=ZERO)
    return (
        select(
            Distributor.id,
            Distributor.code,
            Distributor.name,
            func.count().label("count"),
            type_coerce(func.coalesce(func.sum(rows.c.outstanding), ZERO), Money()).label("outstanding"),
            type_coerce(func.coalesce(func.sum(overdue), ZERO), Money()).label("overdue"),
        )
        .join(Distributor, Distributor.id == rows.c.distributor_id)
        .where(*_filtered(rows, filters, on))
        .group_by(Distributor.id, Distributor.code, Distributor.name)
        .order_by(Distributor.code)
    )


@dataclass(frozen=True)
class Owed:
    """How many amounts are owed and how much, and of them how many are overdue and how much."""

    count: int = 0
    outstanding: Decimal = Decimal("0.00")
    overdue_count: int = 0
    overdue: Decimal = Decimal("0.00")

    def __add__(self, other: Owed) -> Owed:
        return Owed(
            self.count + other.count,
            self.outstanding + other.outstanding,
            self.overdue_count + other.overdue_count,
            self.overdue + other.overdue,
        )


@dataclass(frozen=True)
class OwedSummary:
    """:func:`owed_summary`'s answer: what is owed per kind of amount and order status."""

    parts: dict[tuple[ReceivableKind, OrderStatus], Owed]

    def of(self, kind: ReceivableKind | None = None, status: OrderStatus | None = None) -> Owed:
        """The sum over the kind and status given (None: every one)."""
        return sum(
            (
                owed
                for (part_kind, part_status), owed in self.parts.items()
                if kind in (None, part_kind) and status in (None, part_status)
            ),
            Owed(),
        )


def owed_summary(filters: Filters, on: date) -> OwedSummary:
    """The amounts owed matching ``filters`` summed per kind and order status, with the overdue
    ones (due before ``on``) apart: one GROUP BY, whatever the number of orders. The home pages'
    totals (finance's receivables, a distributor's deposits and balances)."""
    rows = _receivable_rows()
    overdue = rows.c.due_on < on
    statement = (
        select(
            rows.c.kind,
            rows.c.status,
            func.count().label("amounts"),
            type_coerce(func.coalesce(func.sum(rows.c.outstanding), ZERO), Money()).label("outstanding"),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0).label("overdue_count"),
            type_coerce(func.coalesce(func.sum(case((overdue, rows.c.outstanding), else_=ZERO)), ZERO), Money()).label(
                "overdue"
            ),
        )
        .where(*_filtered(rows, filters, on))
        .group_by(rows.c.kind, rows.c.status)
    )
    return OwedSummary(
        {
            (ReceivableKind(row.kind), OrderStatus(row.status)): Owed(
                int(row.amounts), row.outstanding, int(row.overdue_count), row.overdue
            )
            for row in db.session.execute(statement)
        }
    )


class RowPagination(SelectPagination):
    """``db.paginate`` for a SELECT of several columns: its rows, not only their first column.
    ``param`` is the query-string argument holding its page number (two lists on one page)."""

    param = "page"

    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(statement).all())


def paginate_rows(statement: Select[*tuple[Any, ...]], param: str = "page") -> RowPagination:
    page, per_page = page_args()
    if param != "page":
        page = int_arg(param, upper=MAX_PAGE) or 1
    pagination = RowPagination(
        select=statement,
        session=db.session,
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
        count=True,
    )
    pagination.param = param
    return pagination
