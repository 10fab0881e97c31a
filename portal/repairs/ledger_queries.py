"""The repair-fee ledger (docs/rules.md §7.2), computed in SQL.

Every batch whose fees are notified (notified, paid, returned) is a row: charged (its amount due),
paid, outstanding, its ageing on the day (domain.repairs.fee_ageing) and whether it is withheld
(domain.repairs.is_withheld). The totals per distributor are one GROUP BY over the same rows. The
buckets are written in SQL as comparisons of the due date with the day's boundaries, so they use the
index on (status, fees_due_on); tests/repairs/test_ledger.py proves they agree with ``fee_ageing``
on each boundary. A page costs a constant number of statements whatever the number of batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, case, func, literal, literal_column, select, type_coerce
from sqlalchemy.sql import ColumnElement

from ..db import Money
from ..distributors.models import Distributor
from ..domain.dates import add_days
from ..domain.repairs import NOTIFIED_OR_LATER, FeeAgeing, fee_ageing
from ..extensions import db
from ..security import scoped
from .fees import withheld_clause
from .models import RepairBatch

ZERO: ColumnElement[int] = literal_column("0")  # whole fen, as the Money columns hold them


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


def ageing_case(on: date) -> Any:
    """domain.repairs.fee_ageing(fees_due_on, on) in SQL: overdue by at most N days ⇔ due on or
    after ``on`` − N days. None for a batch with nothing outstanding (nothing to age)."""
    whens: list[Any] = [(~unpaid_clause(), None), (RepairBatch.fees_due_on.is_(None), None)]
    whens += [(RepairBatch.fees_due_on >= add_days(on, -days), bucket.value) for bucket, days in BUCKET_BOUNDS]
    return case(*whens, else_=literal(FeeAgeing.OVER_60.value, String(12)))


def _conditions(filters: LedgerFilters, on: date) -> list[Any]:
    conditions: list[Any] = [RepairBatch.status.in_(NOTIFIED_OR_LATER)]
    if filters.distributor_id is not None:
        conditions.append(RepairBatch.distributor_id == filters.distributor_id)
    if filters.ageing is not None:
        conditions.append(ageing_case(on) == filters.ageing.value)
    if filters.withheld_only:
        conditions.append(withheld_clause(on))
    if filters.unpaid_only:
        conditions.append(unpaid_clause())
    return conditions


def ledger_rows(filters: LedgerFilters, on: date) -> Select[Any]:
    """One row per batch whose fees are notified, in the caller's scope; what is still owed first,
    the earliest due first."""
    statement = (
        select(
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
        )
        .join(Distributor, Distributor.id == RepairBatch.distributor_id)
        .where(*_conditions(filters, on))
        .order_by(~unpaid_clause(), RepairBatch.fees_due_on, RepairBatch.number)
    )
    return scoped(statement, RepairBatch)


def _money_sum(value: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(value), ZERO), Money())


def _totals_columns(on: date) -> list[Any]:
    """Batches, charged, paid, outstanding, overdue, the outstanding in each ageing bucket, and the
    batches withheld on ``on``: summed over whatever rows the statement groups."""
    outstanding = RepairBatch.amount_due - RepairBatch.paid_amount
    bucket = ageing_case(on)
    overdue = case((unpaid_clause() & (RepairBatch.fees_due_on < on), outstanding), else_=ZERO)
    return [
        func.count(RepairBatch.id).label("batches"),
        _money_sum(RepairBatch.amount_due).label("charged"),
        _money_sum(RepairBatch.paid_amount).label("paid"),
        _money_sum(outstanding).label("outstanding"),
        _money_sum(overdue).label("overdue"),
        *(
            _money_sum(case((bucket == ageing.value, outstanding), else_=ZERO)).label(ageing.value)
            for ageing in FeeAgeing
        ),
        func.coalesce(func.sum(case((withheld_clause(on), 1), else_=0)), 0).label("withheld"),
    ]


def ledger_totals_matching(filters: LedgerFilters, on: date) -> Select[Any]:
    """Per distributor (GROUP BY in the database), by code, the :func:`_totals_columns`; a page of
    them at a time (receivables.queries.paginate_rows), never every distributor."""
    statement = (
        select(Distributor.id, Distributor.code, Distributor.name, *_totals_columns(on))
        .join(Distributor, Distributor.id == RepairBatch.distributor_id)
        .where(*_conditions(filters, on))
        .group_by(Distributor.id, Distributor.code, Distributor.name)
        .order_by(Distributor.code)
    )
    return scoped(statement, RepairBatch)


def ledger_totals(filters: LedgerFilters, on: date) -> list[Any]:
    """Every distributor's row of :func:`ledger_totals_matching` (tests; pages read a page of them)."""
    return list(db.session.execute(ledger_totals_matching(filters, on)))


def grand_totals(filters: LedgerFilters, on: date) -> Any:
    """The :func:`_totals_columns` over every distributor matching ``filters``: one aggregate."""
    statement = select(*_totals_columns(on)).where(*_conditions(filters, on))
    return db.session.execute(scoped(statement, RepairBatch)).one()


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
        func.count(RepairBatch.id),
        _money_sum(outstanding),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        _money_sum(case((overdue, outstanding), else_=ZERO)),
        func.coalesce(func.sum(case((withheld_clause(on), 1), else_=0)), 0),
    ).where(*_conditions(filters, on), unpaid_clause())
    count, owed, overdue_count, overdue_amount, withheld = db.session.execute(scoped(statement, RepairBatch)).one()
    return FeesOwed(int(count), owed, int(overdue_count), overdue_amount, int(withheld))
