"""What distributors still owe on their orders (docs/rules.md §6), computed in SQL.

Each payable order (confirmed or deposit paid) owes up to two amounts:

* its **deposit** while the paid amount has not reached it: the deposit less what is paid, due on
  the deposit due date (confirmation + 3 days, §6.3.1);
* its **balance**: the total less the larger of the deposit and what is paid. The contract only says
  "before shipment"; the portal counts it due on the order's delivery due date, deposit paid + the
  delivery period (§6.4.1: 30 days), since a balance paid later postpones delivery (one rule,
  ``domain.orders.delivery_due_on``, stored on the order). While the deposit is unpaid the balance
  has no due date yet.

The amounts owed are a UNION of parts, one kind of amount on orders of one status each, every part
read off a partial index of the orders still owing (``models.py``), never the orders' history. The
list merges the parts in their indexes' order; one aggregate over the indexes alone counts and sums
them all (the pages' counts and grand total); the totals per distributor are a page of the
distributors owing, by code, then one GROUP BY over those distributors' orders only. A page costs a
constant number of statements, and the same time, whatever the number of orders and distributors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Text,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.sql import ColumnElement

from ..db import Money
from ..distributors.models import Distributor
from ..domain.errors import N_
from ..domain.orders import AWAITING_DEPOSIT, AWAITING_PAYMENT, OrderStatus
from ..extensions import db
from ..orders.models import Order
from ..pagination import MAX_PAGE, CappedPagination, count_cap, int_arg, page_args


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

# An order still owes while less is paid than its total: true of every order awaiting payment (a
# deposit paid in full moves it to deposit paid, the total paid in full to paid in full;
# domain.orders.status_from_payments). Every receivables query repeats it literally: it is the
# predicate of the partial indexes of the orders still owing (models.py), and SQLite uses a partial
# index only for a query whose WHERE holds the index's predicate as it is written.
OWING: ColumnElement[bool] = Order.paid_amount < Order.total


def _literals(statuses: frozenset[OrderStatus] | set[OrderStatus]) -> list[ColumnElement[Any]]:
    """The statuses as SQL literals, not bound parameters, in a fixed order: as the partial indexes'
    predicates name them (SQLite matches a predicate only as it is written)."""
    return [literal_column(f"'{status.value}'") for status in sorted(statuses)]


@dataclass(frozen=True)
class Part:
    """One kind of amount owed on the orders of one status, read off its own partial index in the
    list's order (due date, then number; ``models.py``); the database merges the parts in order. Two
    parts never hold the same due date and number: a deposit and a balance with a due date are on
    orders of different statuses, a balance without one is never dated."""

    kind: ReceivableKind
    status: OrderStatus

    @property
    def due_on(self) -> Any:
        return Order.deposit_due_on if self.kind is ReceivableKind.DEPOSIT else Order.delivery_due_on

    @property
    def index_where(self) -> str:
        """The predicate of the part's partial index, which the list's WHERE holds as it is written
        (SQLite uses a partial index only then; a bound parameter would not match the literal)."""
        return f"CAST(status AS TEXT) = '{self.status.value}' AND paid_amount < total"

    @property
    def outstanding(self) -> Any:
        """The deposit less what is paid; the whole balance while the deposit is unpaid, else the
        total less what is paid (an expression in every part: SQLite merges the parts in order only
        while each column has the same affinity in all of them)."""
        if self.kind is ReceivableKind.DEPOSIT:
            return Order.deposit_amount - Order.paid_amount
        return case(
            (Order.status.in_(_literals(AWAITING_DEPOSIT)), Order.balance_amount),
            else_=Order.total - Order.paid_amount,
        )

    def columns(self, *, listed: bool = True) -> list[Any]:
        """The row's columns; ``listed=False``: only those the totals read (from the index alone)."""
        amount = Order.deposit_amount if self.kind is ReceivableKind.DEPOSIT else Order.balance_amount
        outstanding = self.outstanding
        listed_only = [Order.id.label("order_id"), Order.number.label("number")] if listed else []
        return [
            *listed_only,
            Order.distributor_id.label("distributor_id"),
            literal_column(f"'{self.kind.value}'", String(10)).label("kind"),
            Order.status.label("status"),
            *([type_coerce(amount, Money()).label("amount")] if listed else []),
            type_coerce(outstanding, Money()).label("outstanding"),
            self.due_on.label("due_on"),
        ]

    def conditions(self, filters: Filters, on: date, *, listed: bool = True) -> list[ColumnElement[bool]]:
        """``listed``: the list's, the status compared as the part's index predicate has it, an
        expression no index on the status column can seek: so SQLite reads the part's index in its
        order rather than seek the status elsewhere and sort. Else the totals', which seek the status
        in the indexes of the orders owing by status and distributor."""
        (status,) = _literals({self.status})
        conditions = [(cast(Order.status, Text) if listed else Order.status) == status, OWING]
        if self.kind is ReceivableKind.BALANCE:
            conditions.append(Order.balance_amount > Decimal("0.00"))
        if filters.distributor_id is not None:
            conditions.append(Order.distributor_id == filters.distributor_id)
        if filters.state is DueState.OVERDUE:
            conditions.append(self.due_on < on)
        elif filters.state is DueState.NOT_YET_DUE:
            conditions.append(self.due_on.is_(None) | (self.due_on >= on))
        return conditions


PARTS = (
    # the deposit, due on the deposit due date, while it is unpaid
    *(Part(ReceivableKind.DEPOSIT, status) for status in sorted(AWAITING_DEPOSIT)),
    # the balance, due by the delivery due date once the deposit is paid (no due date before)
    *(Part(ReceivableKind.BALANCE, status) for status in sorted(AWAITING_PAYMENT)),
)


@dataclass(frozen=True)
class Filters:
    distributor_id: int | None = None
    state: DueState | None = None
    kind: ReceivableKind | None = None
    status: OrderStatus | None = None  # the order's: a balance after its deposit is DEPOSIT_PAID


def _chosen(filters: Filters, on: date, *extra: ColumnElement[bool], listed: bool = True) -> list[tuple[Part, Any]]:
    """Each part the filters can match with its conditions (at least one, matching nothing if none
    can, so a statement always has its columns)."""
    parts = [part for part in PARTS if filters.kind in (None, part.kind) and filters.status in (None, part.status)]
    none = [false()] if not parts else []
    return [(part, [*part.conditions(filters, on, listed=listed), *extra, *none]) for part in parts or PARTS[:1]]


def _parts(filters: Filters, on: date, *extra: ColumnElement[bool], listed: bool = True) -> list[Any]:
    """A SELECT of each part the filters can match."""
    return [
        select(*part.columns(listed=listed)).where(*conditions)
        for part, conditions in _chosen(filters, on, *extra, listed=listed)
    ]


def _union(selects: list[Any]) -> Any:
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _receivable_rows(filters: Filters, on: date, *extra: ColumnElement[bool]) -> Any:
    """Every amount owed matching ``filters`` (and ``extra``), one row per order and kind, with the
    columns the totals read: a subquery the database reads from the index of the orders owing alone."""
    return _union(_parts(filters, on, *extra, listed=False)).subquery("receivables")


def receivables_matching(filters: Filters, on: date, first: int | None = None) -> Select[*tuple[Any, ...]]:
    """The amounts owed matching ``filters``, with the distributor's code and name; the earliest due
    first (so the longest overdue lead), those without a due date last, then looked up for the rows
    returned only. Each part is read in its index's order and SQLite merges them in order: a page
    costs a page, however many owe. PostgreSQL merges the parts of a UNION in order only when each
    is limited: with ``first`` (a page's end, :func:`page_end`) each part stops after that many
    rows there, as the whole's first rows are among its parts' first (else it sorts every row)."""
    parts = _parts(filters, on)
    if first is not None and db.session.get_bind().dialect.name == "postgresql":
        parts = [select(ordered(part).limit(first).subquery()) for part in parts]
    rows = _union(parts).subquery("receivables")
    of_distributor = Distributor.id == rows.c.distributor_id
    return ordered(
        select(
            rows,
            select(Distributor.code).where(of_distributor).scalar_subquery().label("distributor_code"),
            select(Distributor.name).where(of_distributor).scalar_subquery().label("distributor_name"),
        )
    )


def ordered(statement: Select[Any]) -> Select[Any]:
    """The list's order: by due date, those without one last, then by number."""
    by = statement.selected_columns
    return statement.order_by(by.due_on.asc().nulls_last(), by.number)


def distributors_owing(filters: Filters, on: date) -> Select[*tuple[Any, ...]]:
    """The distributors with an amount owed matching ``filters``, by code: read in the code's index
    order, each checked through the index of the orders owing (paginated: a page of them)."""
    owes = [part.where(Order.distributor_id == Distributor.id).exists() for part in _parts(filters, on, listed=False)]
    return select(Distributor.id, Distributor.code, Distributor.name).where(or_(*owes)).order_by(Distributor.code)


def totals_by_distributor(filters: Filters, on: date, *extra: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """Per distributor (a GROUP BY over the index of the orders owing): how many amounts
    (``count``), what is owed, what is overdue. The page runs it for a page of distributors only
    (:func:`totals_of`)."""
    rows = _receivable_rows(filters, on, *extra)
    return select(rows.c.distributor_id, *_owed_columns(rows.c.outstanding, rows.c.due_on, on)).group_by(
        rows.c.distributor_id
    )


def totals_of(distributors: list[Any], filters: Filters, on: date) -> list[DistributorOwed]:
    """Per distributor of ``distributors`` (a page of :func:`distributors_owing`), in their order:
    how many amounts, what is owed, what is overdue. One GROUP BY over those distributors' orders."""
    statement = totals_by_distributor(filters, on, Order.distributor_id.in_([d.id for d in distributors]))
    sums = {row.distributor_id: _owed(row) for row in db.session.execute(statement)}
    return [
        DistributorOwed(d.id, d.code, d.name, sums[d.id].count, sums[d.id].outstanding, sums[d.id].overdue)
        for d in distributors
        if d.id in sums
    ]


@dataclass(frozen=True)
class DistributorOwed:
    id: int
    code: str
    name: str
    count: int
    outstanding: Decimal
    overdue: Decimal


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


def _owed_columns(outstanding: Any, due_on: Any, on: date) -> list[Any]:
    """How many amounts, what is owed, how many are overdue (due before ``on``) and how much."""
    overdue = due_on < on
    return [
        func.count().label("count"),
        type_coerce(func.coalesce(func.sum(outstanding), ZERO), Money()).label("outstanding"),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0).label("overdue_count"),
        type_coerce(func.coalesce(func.sum(case((overdue, outstanding), else_=ZERO)), ZERO), Money()).label("overdue"),
    ]


def _owed(row: Any) -> Owed:
    return Owed(int(row._mapping["count"]), row.outstanding, int(row.overdue_count or 0), row.overdue)


def _sums_by_part(filters: Filters, on: date) -> Any:
    """Each part's sums, its kind and status beside them: each aggregated straight off its index of
    the orders owing (read alone, never the orders' history), one row a part (a subquery)."""
    return _union(
        [
            select(
                literal_column(f"'{part.kind.value}'", String(10)).label("kind"),
                literal_column(f"'{part.status.value}'", String(20)).label("status"),
                *_owed_columns(part.outstanding, part.due_on, on),
            ).where(*conditions)
            for part, conditions in _chosen(filters, on, listed=False)
        ]
    ).subquery("sums")


def _summary(rows: list[Any]) -> OwedSummary:
    return OwedSummary(
        {(ReceivableKind(row.kind), OrderStatus(row.status)): _owed(row) for row in rows if row._mapping["count"]}
    )


def owed_summary(filters: Filters, on: date) -> OwedSummary:
    """The amounts owed matching ``filters`` summed per kind and order status, with the overdue
    ones (due before ``on``) apart: one statement, an aggregate a part, whatever the number of
    orders. The home pages' totals (finance's receivables, a distributor's deposits and balances)."""
    return _summary(list(db.session.execute(select(_sums_by_part(filters, on)))))


@dataclass(frozen=True)
class OwedOverall:
    """:func:`owed_overall`'s answer: every amount owed matching the filters, and by how many
    distributors (the list's and the totals' page counts)."""

    owed: Owed
    distributors: int


def owed_overall(filters: Filters, on: date) -> OwedOverall:
    """The amounts owed matching ``filters`` (:func:`owed_summary`'s sums, added up) and how many
    distributors owe them, in one statement: the distributors of every part merged in their
    indexes' order, each once."""
    ids = [select(Order.distributor_id).where(*conditions) for _, conditions in _chosen(filters, on, listed=False)]
    owing = (union(*ids) if len(ids) > 1 else ids[0].distinct()).order_by(literal_column("1")).subquery()
    distributors = select(func.count()).select_from(owing).scalar_subquery().label("distributors")
    sums = _sums_by_part(filters, on)
    rows = list(db.session.execute(select(sums, distributors)))
    return OwedOverall(_summary(rows).of(), int(rows[0].distributors))


class RowPagination(CappedPagination):
    """``db.paginate`` for a SELECT of several columns: its rows, not only their first column; its
    count is the ``total`` the caller knows (an aggregate it runs anyway), else capped.
    ``param`` is the query-string argument holding its page number (two lists on one page)."""

    param = "page"

    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(statement).all())


def paginate_rows(statement: Any, param: str = "page", total: int | None = None) -> RowPagination:
    """A page of ``statement``'s rows; their ``total`` when the caller knows it already (an
    aggregate it runs anyway), else one capped COUNT."""
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
        total=total,
        cap=count_cap(),
    )
    pagination.param = param
    return pagination
