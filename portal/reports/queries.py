"""The reports area's read-only queries (docs/rules.md §8): the months a distributor reports with
their state, head office's month of every distributor, the violations list, and two small helpers
the home dashboards use (:func:`next_report_due`, :func:`new_violations_count`).

Every list runs a fixed number of statements whatever the number of rows: head office's month and
the violations are filtered and paginated in SQL; a distributor's months (a few dozen at most, one
per month of its agreements, shown even without a report) are built from its agreements and its
reports, each read in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from ..agreements.models import Agreement, AgreementTerms
from ..distributors.models import Distributor
from ..domain import reports as rules
from ..domain.agreements import AgreementStatus
from ..domain.dates import add_months
from ..domain.reports import ReportState, ViolationKind
from ..extensions import db
from ..security import scoped
from .models import MonthlyReport, Violation


@dataclass(frozen=True)
class MonthRow:
    """One month of one distributor as both sides see it: its report, if any, and its state."""

    month: str
    distributor: Distributor
    due_on: date
    report: MonthlyReport | None
    state: ReportState
    violations: int = 0


# --- a distributor's months -------------------------------------------------------------------------


def _agreements_of(distributor_id: int) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.distributor_id == distributor_id, Agreement.status != AgreementStatus.DRAFT)
            .options(selectinload(Agreement.term_versions), joinedload(Agreement.distributor))
            .order_by(Agreement.starts_on)
        )
    )


def _month_agreements(agreements: list[Agreement], on: date) -> dict[str, tuple[Agreement, int, int]]:
    """Each month to report (rules.months_to_report), with the agreement binding it (the latest to start)."""
    found: dict[str, tuple[Agreement, int, int]] = {}
    for agreement in agreements:  # by start: a later agreement wins a month both bound
        period = agreement.binding_period()
        if period is None:
            continue
        for year, month in rules.months_to_report(period[0], period[1], on):
            found[rules.month_name(year, month)] = (agreement, year, month)
    return found


def due_on_of(agreement: Agreement, year: int, month: int) -> date:
    """§4.3: the month's report is due on the due day of the agreement's terms in force at the
    month's end."""
    last = rules.month_bounds(year, month)[1]
    return rules.report_due_on(year, month, agreement.terms_on(last).monthly_report_due_day)


def violation_counts(report_ids: list[int]) -> dict[int, int]:
    """How many violations (dismissed or not) each report has, in one statement."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Violation.report_id, func.count(Violation.id))
        .where(Violation.report_id.in_(report_ids))
        .group_by(Violation.report_id)
    )
    return {int(report_id): int(count) for report_id, count in rows}


def distributor_months(distributor_id: int, on: date, state: ReportState | None = None) -> list[MonthRow]:
    """Every month the distributor reports, from its first agreement's start to last month, the
    latest first: with its report, or missing / not yet due without one."""
    months = _month_agreements(_agreements_of(distributor_id), on)
    reports = {
        report.month: report
        for report in db.session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.distributor_id == distributor_id)
            .options(joinedload(MonthlyReport.distributor))
        )
    }
    counts = violation_counts([report.id for report in reports.values()])
    rows = []
    for name in sorted(set(months) | set(reports), reverse=True):
        report = reports.get(name)
        if report is not None:
            due_on, distributor = report.due_on, report.distributor
        else:
            agreement, year, month = months[name]
            due_on, distributor = due_on_of(agreement, year, month), agreement.distributor
        row_state = rules.report_state(due_on, report.submitted_on if report else None, on)
        if state is None or row_state is state:
            rows.append(
                MonthRow(name, distributor, due_on, report, row_state, counts.get(report.id, 0) if report else 0)
            )
    return rows


# --- head office's month of every distributor ---------------------------------------------------------


def _due_day_of(year: int, month: int) -> Any:
    """SQL: the agreement's monthly_report_due_day in the terms in force at the month's end."""
    last = rules.month_bounds(year, month)[1]
    return (
        select(AgreementTerms.monthly_report_due_day)
        .where(AgreementTerms.agreement_id == Agreement.id, AgreementTerms.effective_from <= last)
        .order_by(AgreementTerms.effective_from.desc())
        .limit(1)
        .correlate(Agreement)
        .scalar_subquery()
    )


def _binds_during(model: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(
        model.status != AgreementStatus.DRAFT,
        model.starts_on <= last,
        model.ends_on >= first,
        or_(model.terminated_on.is_(None), model.terminated_on > first),
    )


def past_due(due_day: Any, year: int, month: int, on: date) -> ColumnElement[bool]:
    """SQL for ``on > report_due_on(year, month, due_day)`` (tested against the domain rule): never
    before the following month, always after it, and within it when the due day is before ``on``'s."""
    following = add_months(date(year, month, 1), 1)
    if on < following:
        return false()
    if (on.year, on.month) != (following.year, following.month):
        return true()
    return due_day < on.day


def _binding_agreement(first: date, last: date) -> Any:
    """SQL: the id of the agreement that binds the distributor during the month (the latest to
    start, when two did: the first by number if they started the same day), read from the
    distributor's agreements in the order of their index."""
    agreement = aliased(Agreement)
    return (
        select(agreement.id)
        .where(agreement.distributor_id == Distributor.id, _binds_during(agreement, first, last))
        .order_by(agreement.starts_on.desc(), agreement.number)
        .limit(1)
        .correlate(Distributor)
        .scalar_subquery()
    )


def _grid(
    columns: tuple[Any, ...],
    year: int,
    month: int,
    on: date,
    distributor_id: int | None,
    state: ReportState | None,
) -> Select[Any]:
    """``columns`` of head office's month, filtered: each distributor joined to its binding agreement
    and its report of the month, if any."""
    first, last = rules.month_bounds(year, month)
    name = rules.month_name(year, month)
    statement = (
        select(*columns).select_from(Distributor).join(Agreement, Agreement.id == _binding_agreement(first, last))
    )
    if distributor_id is not None:
        statement = statement.where(Distributor.id == distributor_id)
    statement = statement.outerjoin(
        MonthlyReport, and_(MonthlyReport.distributor_id == Distributor.id, MonthlyReport.month == name)
    )
    due_day = _due_day_of(year, month)
    if state is ReportState.ON_TIME:
        statement = statement.where(MonthlyReport.id.is_not(None), MonthlyReport.late.is_(False))
    elif state is ReportState.LATE:
        statement = statement.where(MonthlyReport.late.is_(True))
    elif state is ReportState.MISSING:
        statement = statement.where(MonthlyReport.id.is_(None), past_due(due_day, year, month, on))
    elif state is ReportState.NOT_YET_DUE:
        statement = statement.where(MonthlyReport.id.is_(None), not_(past_due(due_day, year, month, on)))
    return statement


def month_grid(
    year: int, month: int, on: date, *, distributor_id: int | None = None, state: ReportState | None = None
) -> Select[Any]:
    """Rows of (agreement, report or None, due day): every distributor an agreement bound during the
    month (the latest to start, when two did), by distributor code, filtered by ``state`` in SQL.

    The distributors are walked in code order (their index), each with its binding agreement found
    among its own, so a page reads its own rows only, however many distributors there are."""
    columns = (Agreement, MonthlyReport, _due_day_of(year, month).label("due_day"))
    return (
        _grid(columns, year, month, on, distributor_id, state)
        .options(contains_eager(Agreement.distributor))
        .order_by(Distributor.code)
    )


#: How many rows of head office's month the page counts at most: the total is exact up to here, and
#: past it reads "more than 1,000" (counting every distributor would grow with their number).
GRID_COUNT_CAP = 1_000


def month_grid_counted(
    year: int, month: int, on: date, *, distributor_id: int | None = None, state: ReportState | None = None
) -> Select[Any]:
    """The rows :func:`month_grid` has, as distributor ids, to count. Without a state filter, the
    distributors an agreement bound during the month (which one, and the reports, do not matter)."""
    if state is not None:
        return _grid((Distributor.id,), year, month, on, distributor_id, state)
    first, last = rules.month_bounds(year, month)
    agreement = aliased(Agreement)
    statement = select(Distributor.id).where(
        select(agreement.id)
        .where(agreement.distributor_id == Distributor.id, _binds_during(agreement, first, last))
        .exists()
    )
    if distributor_id is not None:
        statement = statement.where(Distributor.id == distributor_id)
    return statement


def grid_rows(items: list[Any], year: int, month: int, on: date) -> list[MonthRow]:
    """A page of :func:`month_grid`'s rows as MonthRows, with the reports' violation counts (one statement)."""
    counts = violation_counts([report.id for _, report, _ in items if report is not None])
    rows = []
    for agreement, report, due_day in items:
        due_on = report.due_on if report is not None else rules.report_due_on(year, month, int(due_day or 10))
        rows.append(
            MonthRow(
                rules.month_name(year, month),
                agreement.distributor,
                due_on,
                report,
                rules.report_state(due_on, report.submitted_on if report else None, on),
                counts.get(report.id, 0) if report is not None else 0,
            )
        )
    return rows


# --- the reports API's list --------------------------------------------------------------------------


def reports_matching(distributor_id: int | None = None, month: str | None = None, user: Any = None) -> Select[Any]:
    """The submitted reports in the caller's scope, the latest month first, then by distributor (the
    order of an index, so a page reads only its rows)."""
    statement = scoped(select(MonthlyReport), MonthlyReport, user).order_by(
        MonthlyReport.month.desc(), MonthlyReport.distributor_id
    )
    if distributor_id is not None:
        statement = statement.where(MonthlyReport.distributor_id == distributor_id)
    if month is not None:
        statement = statement.where(MonthlyReport.month == month)
    return statement


# --- violations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViolationFilters:
    kind: ViolationKind | None = None
    distributor_id: int | None = None  # head office only
    dismissed: bool | None = None
    month: str | None = None  # the report's month


def violations_matching(filters: ViolationFilters, user: Any = None) -> Select[Any]:
    """The violations in the caller's scope, the latest first, with their distributor, report and
    product joined (no statement per row)."""
    statement = (
        scoped(select(Violation), Violation, user)
        .options(joinedload(Violation.distributor), joinedload(Violation.report), joinedload(Violation.product))
        .order_by(Violation.occurred_on.desc(), Violation.id.desc())
    )
    if filters.kind is not None:
        statement = statement.where(Violation.kind == filters.kind)
    if filters.distributor_id is not None:
        statement = statement.where(Violation.distributor_id == filters.distributor_id)
    if filters.dismissed is True:
        statement = statement.where(Violation.dismissed_on.is_not(None))
    elif filters.dismissed is False:
        statement = statement.where(Violation.dismissed_on.is_(None))
    if filters.month is not None:
        statement = statement.where(
            Violation.report_id.in_(select(MonthlyReport.id).where(MonthlyReport.month == filters.month))
        )
    return statement


def report_violations(report: MonthlyReport) -> list[Violation]:
    return list(
        db.session.scalars(
            select(Violation)
            .where(Violation.report_id == report.id)
            .options(joinedload(Violation.product))
            .order_by(Violation.occurred_on, Violation.id)
        )
    )


# --- for the home dashboards ------------------------------------------------------------------------


def next_report_due(agreement: Agreement, on: date) -> tuple[str, date] | None:
    """The distributor's next report under ``agreement``: the earliest ended month it has not
    reported (its due day may have passed: it is then missing), else the current month if the
    agreement binds in it (due once it ends); None when nothing is left to report."""
    period = agreement.binding_period()
    if period is None:
        return None
    reported = set(
        db.session.scalars(select(MonthlyReport.month).where(MonthlyReport.distributor_id == agreement.distributor_id))
    )
    owed = rules.next_month_to_report(period, on, reported)
    if owed is None:
        return None
    return rules.month_name(*owed), due_on_of(agreement, *owed)


def new_violations_count(since: date, distributor_id: int | None = None) -> int:
    """Violations found on or after ``since`` and not dismissed (sales' home: "new violations")."""
    statement = select(func.count(Violation.id)).where(Violation.found_on >= since, Violation.dismissed_on.is_(None))
    if distributor_id is not None:
        statement = statement.where(Violation.distributor_id == distributor_id)
    return int(db.session.scalar(statement) or 0)
