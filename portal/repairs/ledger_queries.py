"""The repair-fee ledger (docs/rules.md §7.2), computed in SQL.

Every batch whose fees are notified (notified, paid, returned) is a row: charged (its amount due),
paid, outstanding, its ageing on the day (domain.repairs.fee_ageing) and whether it is withheld
(domain.repairs.is_withheld). The totals per distributor are one GROUP BY over the same rows. The
buckets are written in SQL as comparisons of the due date with the day's boundaries, so they use the
index on (status, fees_due_on); tests/repairs/test_ledger.py proves they agree with ``fee_ageing``
on each boundary. A page costs a constant number of statements whatever the number of batches.

At scale (issue 11) a page reads only what it shows: the batches are two runs, those with fees
outstanding then the settled ones, each read off its partial index in the ledger's order
(ix_repair_batches_unpaid, ix_repair_batches_settled) and merged for the page; the totals paginate
the distributors first and sum only the page's distributors' batches; the grand total sums the
batches with fees outstanding only (what is owed, overdue, by ageing, withheld), never the whole
history. The notified-or-later states are written as "none of the earlier ones" (the same set: a
batch's status is one of BatchStatus), so SQLite, without statistics, does not take the status
index and sort every notified batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, and_, case, exists, func, literal, literal_column, select, type_coerce, union_all
from sqlalchemy.sql import ColumnElement

from ..db import Money
from ..distributors.models import Distributor
from ..domain.dates import add_days
from ..domain.repairs import NOTIFIED_OR_LATER, BatchStatus, FeeAgeing, fee_ageing
from ..extensions import db
from ..pagination import CappedPagination, count_cap, int_arg, page_args
from ..security import scoped, sees_every
from .fees import withheld_clause
from .models import FeesOwedDay, RepairBatch

ZERO: ColumnElement[int] = literal_column("0")  # whole fen, as the Money columns hold them

#: The states before the fees are notified: every other state than NOTIFIED_OR_LATER.
BEFORE_NOTICE = frozenset(set(BatchStatus) - NOTIFIED_OR_LATER)


def _bucket_bounds() -> list[tuple[FeeAgeing, int]]:
    """Each bucket of domain.repairs.fee_ageing but the last, with the most whole days past the due
    date it holds, read off the domain function itself (so the rule is stated once, there)."""
    on = date(2000, 1, 1)
    most: dict[FeeAgeing, int] = {}
    for days in range(0, 3660):
        most[fee_ageing(add_days(on, -days), on)] = days
    *bounded, _last = sorted(most.items(), key=lambda item: item[1])
    return bounded


BUCKET_BOUNDS = _bucket_bounds()


@dataclass(frozen=True)
class LedgerFilters:
    distributor_id: int | None = None
    ageing: FeeAgeing | None = None
    withheld_only: bool = False
    unpaid_only: bool = False  # only the batches with fees still outstanding


def unpaid_clause() -> ColumnElement[bool]:
    return RepairBatch.paid_amount < RepairBatch.amount_due


def outstanding_column() -> Any:
    return type_coerce(RepairBatch.amount_due - RepairBatch.paid_amount, Money())


def _ageing_whens(due_on: Any, on: date) -> list[Any]:
    """domain.repairs.fee_ageing(due_on, on) in SQL, but the last bucket: overdue by at most N days
    ⇔ due on or after ``on`` − N days."""
    return [(due_on >= add_days(on, -days), bucket.value) for bucket, days in BUCKET_BOUNDS]


def ageing_case(on: date) -> Any:
    """domain.repairs.fee_ageing(fees_due_on, on) in SQL. None for a batch with nothing
    outstanding (nothing to age)."""
    whens: list[Any] = [(~unpaid_clause(), None), (RepairBatch.fees_due_on.is_(None), None)]
    whens += _ageing_whens(RepairBatch.fees_due_on, on)
    return case(*whens, else_=literal(FeeAgeing.OVER_60.value, String(12)))


def notified_clause() -> ColumnElement[bool]:
    """status IN NOTIFIED_OR_LATER, written as "not any of the other states" (see the module's docstring)."""
    return and_(*(RepairBatch.status != status for status in sorted(BEFORE_NOTICE)))


def _unpaid_only(filters: LedgerFilters) -> bool:
    """Whether every batch the filters match has fees outstanding (an ageing or withholding
    implies it)."""
    return filters.unpaid_only or filters.ageing is not None or filters.withheld_only


def _conditions(filters: LedgerFilters, on: date) -> list[Any]:
    conditions: list[Any] = [notified_clause()]
    if filters.distributor_id is not None:
        conditions.append(RepairBatch.distributor_id == filters.distributor_id)
    if filters.ageing is not None:
        conditions.append(ageing_case(on) == filters.ageing.value)
    if filters.withheld_only:
        conditions.append(withheld_clause(on))
    if _unpaid_only(filters):
        conditions.append(unpaid_clause())
    return conditions


def _row_columns(on: date) -> list[Any]:
    return [
        RepairBatch.id,
        RepairBatch.number,
        RepairBatch.month,
        RepairBatch.status,
        RepairBatch.distributor_id,
        Distributor.code.label("distributor_code"),
        Distributor.name.label("distributor_name"),
        RepairBatch.notified_on,
        RepairBatch.fees_due_on,
        RepairBatch.amount_due,
        RepairBatch.paid_amount,
        outstanding_column().label("outstanding"),
        ageing_case(on).label("ageing"),
        case((withheld_clause(on), 1), else_=0).label("withheld"),
        RepairBatch.released,
    ]


def ledger_runs(
    filters: LedgerFilters, on: date, user: Any = None, columns: list[Any] | None = None
) -> list[Select[Any]]:
    """The ledger's batches as runs in its order, each read off its partial index by due date and
    number: those with fees outstanding, then (unless the filters match only those) the settled.
    ``columns``: what each row holds (by default :func:`ledger_rows`'s)."""
    conditions = _conditions(filters, on)
    runs = [conditions] if _unpaid_only(filters) else [[*conditions, unpaid_clause()], [*conditions, ~unpaid_clause()]]
    return [
        scoped(
            select(*(columns or _row_columns(on)))
            .join(Distributor, Distributor.id == RepairBatch.distributor_id)
            .where(*run)
            .order_by(RepairBatch.fees_due_on, RepairBatch.number),
            RepairBatch,
            user,
        )
        for run in runs
    ]


def ledger_rows(filters: LedgerFilters, on: date, first: int | None = None) -> Select[Any]:
    """One row per batch whose fees are notified, in the caller's scope; what is still owed first,
    the earliest due first: the runs of :func:`ledger_runs` one after the other. ``first``: only that
    many rows from the top are wanted (a page's OFFSET + LIMIT), so each run reads no further and
    the merge sorts at most twice that many."""
    runs = ledger_runs(filters, on)
    if len(runs) == 1:
        return runs[0]
    parts = []
    for number, run in enumerate(runs):
        run = run.add_columns(literal(number).label("run"))
        parts.append(select((run if first is None else run.limit(first)).subquery()))
    merged = union_all(*parts).subquery()
    return select(*(column for column in merged.c if column.key != "run")).order_by(
        merged.c.run, merged.c.fees_due_on, merged.c.number
    )


class _FilteredPage(CappedPagination):
    """A page of the ledger's rows with the capped count of ``select``; ``filters`` and ``on`` are
    kept for the page's own statements. ``param``: the query-string argument of its page number."""

    param = "page"

    @classmethod
    def of(cls, counted: Select[Any], filters: LedgerFilters, on: date, total: int | None = None) -> Any:
        _page, per_page = page_args()
        return cls(
            select=counted,
            session=db.session(),
            cap=count_cap(),
            total=total,
            filters=filters,
            on=on,
            page=int_arg(cls.param) or 1,
            per_page=per_page,
            max_per_page=None,
            error_out=False,
            count=True,
        )


class LedgerPage(_FilteredPage):
    """A page of :func:`ledger_rows` (rows, not entities) with the capped count of the batches
    matching: each run is read no further than the page's last row."""

    def _query_items(self) -> list[Any]:
        wanted = self._query_offset + self.per_page + 1
        statement = ledger_rows(self._query_args["filters"], self._query_args["on"], first=wanted)
        items = list(db.session.execute(statement.limit(self.per_page + 1).offset(self._query_offset)).all())
        self._more = len(items) > self.per_page
        return items[: self.per_page]


def ledger_page(filters: LedgerFilters, on: date) -> LedgerPage:
    """The page of the ledger's batches the request asks for (``?page=``), and their count (of the
    batches alone): unfiltered and in a scope of every distributor, exact, added up from the rows
    kept per due day (:func:`network_batch_count`); else capped, counted from the batches."""
    total = network_batch_count() if _network_wide(filters) else None
    page: LedgerPage = LedgerPage.of(
        scoped(select(RepairBatch.id).where(*_conditions(filters, on)), RepairBatch), filters, on, total
    )
    return page


def _network_wide(filters: LedgerFilters) -> bool:
    """Whether the ledger asked for is every distributor's, unfiltered: what the rows kept per due
    day (models.FeesOwedDay) hold, and so may answer."""
    return filters == LedgerFilters() and sees_every(RepairBatch)


def network_batch_count() -> int:
    """Every batch the ledger lists (notified or later), every distributor's: those owing and those
    settled on each due day (models.FeesOwedDay) added up."""
    statement = select(func.coalesce(func.sum(FeesOwedDay.batches + FeesOwedDay.settled), 0))
    return int(db.session.scalar(statement) or 0)


def export_columns(on: date) -> list[Any]:
    """The batches sheet's columns, in its order (repairs.exports.batches_sheet)."""
    return [
        Distributor.code,
        Distributor.name,
        RepairBatch.number,
        RepairBatch.month,
        RepairBatch.notified_on,
        RepairBatch.fees_due_on,
        RepairBatch.amount_due,
        RepairBatch.paid_amount,
        ageing_case(on),
        case((withheld_clause(on), 1), else_=0),
    ]


def export_runs(filters: LedgerFilters, on: date) -> list[Select[Any]]:
    """The ledger's batches for the download: the runs of :func:`ledger_rows`, to be read one after
    the other (each in its index's order, never sorted)."""
    return ledger_runs(filters, on, columns=export_columns(on))


def money_sum(value: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(value), ZERO), Money())


def _totals_columns(on: date) -> list[Any]:
    """Batches, charged, paid, outstanding, overdue, the outstanding in each ageing bucket, and the
    batches withheld on ``on``: summed over whatever rows the statement groups."""
    outstanding = RepairBatch.amount_due - RepairBatch.paid_amount
    bucket = ageing_case(on)
    overdue = case((unpaid_clause() & (RepairBatch.fees_due_on < on), outstanding), else_=ZERO)
    return [
        func.count().label("batches"),  # count(*): the indexes hold every column summed, not the id
        money_sum(RepairBatch.amount_due).label("charged"),
        money_sum(RepairBatch.paid_amount).label("paid"),
        money_sum(outstanding).label("outstanding"),
        money_sum(overdue).label("overdue"),
        *(
            money_sum(case((bucket == ageing.value, outstanding), else_=ZERO)).label(ageing.value)
            for ageing in FeeAgeing
        ),
        func.coalesce(func.sum(case((withheld_clause(on), 1), else_=0)), 0).label("withheld"),
    ]


def _sums_by_distributor(filters: LedgerFilters, on: date) -> Select[Any]:
    """:func:`_totals_columns` per distributor id, in the caller's scope: read off
    ix_repair_batches_distributor_fees alone."""
    statement = (
        select(RepairBatch.distributor_id, *_totals_columns(on))
        .where(*_conditions(filters, on))
        .group_by(RepairBatch.distributor_id)
    )
    return scoped(statement, RepairBatch)


def ledger_totals_matching(filters: LedgerFilters, on: date) -> Select[Any]:
    """Per distributor (GROUP BY in the database), by code, the :func:`_totals_columns` of every
    distributor (the download; pages read :func:`ledger_totals_page`)."""
    sums = _sums_by_distributor(filters, on).subquery()
    return (
        select(Distributor.id, Distributor.code, Distributor.name, *(c for c in sums.c if c.key != "distributor_id"))
        .join(sums, sums.c.distributor_id == Distributor.id)
        .order_by(Distributor.code)
    )


def ledger_totals(filters: LedgerFilters, on: date) -> list[Any]:
    """Every distributor's row of :func:`ledger_totals_matching` (tests; pages read a page of them)."""
    return list(db.session.execute(ledger_totals_matching(filters, on)))


@dataclass(frozen=True)
class DistributorTotals:
    """A row of the totals per distributor: the distributor and its :func:`_totals_columns`."""

    id: int
    code: str
    name: str
    sums: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.sums[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.sums[name]


def distributors_with_fees(filters: LedgerFilters, on: date) -> Select[*tuple[Any, ...]]:
    """The distributors of the totals in the caller's scope, by code: unfiltered, every one (those
    with no fees notified show zeros: counting the distributors with a batch would probe each
    distributor's batches, ten times the work at ten times the distributors); filtered, those
    with a batch matching ``filters``."""
    statement = scoped(select(Distributor.id, Distributor.code, Distributor.name), Distributor).order_by(
        Distributor.code
    )
    if filters == LedgerFilters():
        return statement
    batches = scoped(
        select(RepairBatch.id).where(RepairBatch.distributor_id == Distributor.id, *_conditions(filters, on)),
        RepairBatch,
    )
    return statement.where(exists(batches))


def _no_sums() -> dict[str, Any]:
    """The :func:`_totals_columns` of a distributor with no batch: nothing charged, paid or owed."""
    zero = Decimal("0.00")
    return {"batches": 0, "charged": zero, "paid": zero, "outstanding": zero, "overdue": zero, "withheld": 0} | {
        ageing.value: zero for ageing in FeeAgeing
    }


class TotalsPage(_FilteredPage):
    """A page of the distributors (``?totals_page=``), each with the totals of its batches: the
    page's distributors first, then one GROUP BY over their batches only."""

    param = "totals_page"

    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"].limit(self.per_page + 1).offset(self._query_offset)
        distributors = list(db.session.execute(statement).all())
        self._more = len(distributors) > self.per_page
        distributors = distributors[: self.per_page]
        filters, on = self._query_args["filters"], self._query_args["on"]
        sums = _sums_by_distributor(filters, on).where(RepairBatch.distributor_id.in_([d.id for d in distributors]))
        by_id = {row.distributor_id: row._asdict() for row in db.session.execute(sums)}
        return [DistributorTotals(d.id, d.code, d.name, by_id.get(d.id) or _no_sums()) for d in distributors]


def ledger_totals_page(filters: LedgerFilters, on: date) -> TotalsPage:
    """The page of the totals per distributor the request asks for (``?totals_page=``)."""
    page: TotalsPage = TotalsPage.of(distributors_with_fees(filters, on), filters, on)
    return page


def grand_totals(filters: LedgerFilters, on: date) -> Any:
    """The :func:`_totals_columns` over the batches with fees outstanding matching ``filters``, in
    the caller's scope. Not the history's charged and paid (those would read every batch ever
    notified): the page's foot shows what is owed. Unfiltered and in a scope of every distributor
    (head office's), :func:`network_grand_totals`; else :func:`grand_totals_counted`."""
    if _network_wide(filters):
        return network_grand_totals(on)
    return grand_totals_counted(filters, on)


def grand_totals_counted(filters: LedgerFilters, on: date) -> Any:
    """:func:`grand_totals` counted from the batches: one aggregate off ix_repair_batches_unpaid."""
    statement = select(*_totals_columns(on)).where(*_conditions(filters, on), unpaid_clause())
    return db.session.execute(scoped(statement, RepairBatch)).one()


def _network_columns(on: date) -> dict[str, Any]:
    """The sums over the rows kept per due day (models.FeesOwedDay), by name: those of
    :func:`_totals_columns` and the count of overdue batches. Each day's outstanding falls in the
    ageing bucket of the day (domain.repairs.fee_ageing); the days before ``on`` are overdue
    (fees_overdue) and their batches awaiting the fees withheld (is_withheld)."""
    day = FeesOwedDay.fees_due_on
    owed = FeesOwedDay.charged - FeesOwedDay.paid
    overdue = day < on
    bucket = case(*_ageing_whens(day, on), else_=literal(FeeAgeing.OVER_60.value, String(12)))
    columns = {
        "batches": func.coalesce(func.sum(FeesOwedDay.batches), 0),
        "charged": money_sum(FeesOwedDay.charged),
        "paid": money_sum(FeesOwedDay.paid),
        "outstanding": money_sum(owed),
        "overdue": money_sum(case((overdue, owed), else_=ZERO)),
        **{ageing.value: money_sum(case((bucket == ageing.value, owed), else_=ZERO)) for ageing in FeeAgeing},
        "withheld": func.coalesce(func.sum(case((overdue, FeesOwedDay.awaiting), else_=0)), 0),
        "overdue_batches": func.coalesce(func.sum(case((overdue, FeesOwedDay.batches), else_=0)), 0),
    }
    return {name: column.label(name) for name, column in columns.items()}


def network_grand_totals(on: date) -> Any:
    """:func:`grand_totals` of every distributor, unfiltered, added up from the rows kept current
    per due day (:func:`_network_columns`). tests/repairs/test_fees_owed.py proves it equal to
    :func:`grand_totals_counted` on each side of a due date and of each bucket's bounds."""
    columns = _network_columns(on)
    return db.session.execute(select(*(columns[column.key] for column in _totals_columns(on)))).one()


@dataclass(frozen=True)
class FeesOwed:
    """The batches with fees outstanding, what they owe, and of them those overdue (past their
    fees_due_on) and those withheld on the day."""

    count: int = 0
    outstanding: Decimal = Decimal("0.00")
    overdue_count: int = 0
    overdue: Decimal = Decimal("0.00")
    withheld: int = 0


def fees_owed(filters: LedgerFilters, on: date) -> FeesOwed:
    """The repair fees still owed in the caller's scope, over every distributor matching
    ``filters``: one aggregate statement (the home pages' totals)."""
    outstanding = RepairBatch.amount_due - RepairBatch.paid_amount
    overdue = RepairBatch.fees_due_on < on
    statement = select(
        func.count(),
        money_sum(outstanding),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        money_sum(case((overdue, outstanding), else_=ZERO)),
        func.coalesce(func.sum(case((withheld_clause(on), 1), else_=0)), 0),
    ).where(*_conditions(filters, on), unpaid_clause())
    count, owed, overdue_count, overdue_amount, withheld = db.session.execute(scoped(statement, RepairBatch)).one()
    return FeesOwed(int(count), owed, int(overdue_count), overdue_amount, int(withheld))


def network_fees_owed(on: date) -> FeesOwed:
    """:func:`fees_owed` of every distributor (head office's, unfiltered), added up from the rows
    kept current per due day (:func:`_network_columns`): a few hundred rows a year, however many
    batches owe. tests/repairs/test_fees_owed.py proves it equal to :func:`fees_owed` on each side
    of a due date. Head office's only: the rows hold no distributor to scope by."""
    columns = _network_columns(on)
    names = ("batches", "outstanding", "overdue_batches", "overdue", "withheld")
    count, owed, overdue_count, overdue_amount, withheld = db.session.execute(
        select(*(columns[name] for name in names))
    ).one()
    return FeesOwed(int(count), owed, int(overdue_count), overdue_amount, int(withheld))
