"""Rows for the home pages' tests (monthly reports, violations, assessments, quarter figures):
written straight into their tables with keyword defaults, as little as each page reads (the
reports' and assessments' own tests make theirs through their services). Orders, payments and
batches are made through the services (tests/builders.py, tests/repairs/builders.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portal.agreements.models import Agreement
from portal.assessments.models import Assessment
from portal.compliance.models import QuarterFigures
from portal.domain.dates import quarter_bounds
from portal.domain.reports import ViolationKind, month_bounds, month_name, report_due_on
from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation


def make_report(agreement: Agreement, month: str, *, submitted_on: date | None = None) -> MonthlyReport:
    """The distributor's report of ``month`` ("2026-03"), submitted on its due day by default."""
    year, number = (int(part) for part in month.split("-"))
    due_on = report_due_on(year, number, agreement.terms_on(month_bounds(year, number)[1]).monthly_report_due_day)
    report = MonthlyReport(
        distributor_id=agreement.distributor_id,
        agreement_id=agreement.id,
        month=month,
        due_on=due_on,
        submitted_on=submitted_on or due_on,
        late=bool(submitted_on and submitted_on > due_on),
    )
    db.session.add(report)
    db.session.commit()
    return report


def make_violation(
    agreement: Agreement,
    *,
    found_on: date,
    occurred_on: date | None = None,
    kind: ViolationKind = ViolationKind.BELOW_PRICE,
    dismissed_on: date | None = None,
    customer: str = "宁波港通物流",
    region_code: str = "330200",
) -> Violation:
    """A violation found on ``found_on`` in a sale of ``occurred_on`` (by default the 15th of the
    month before), kept with the report of the sale's month (made when missing)."""
    if occurred_on is None:
        occurred_on = (found_on.replace(day=1) - timedelta(days=1)).replace(day=15)
    month = month_name(occurred_on.year, occurred_on.month)
    report = db.session.scalar(
        select(MonthlyReport).where(
            MonthlyReport.distributor_id == agreement.distributor_id, MonthlyReport.month == month
        )
    ) or make_report(agreement, month)
    violation = Violation(
        distributor_id=agreement.distributor_id,
        agreement_id=agreement.id,
        report_id=report.id,
        kind=kind,
        occurred_on=occurred_on,
        found_on=found_on,
        customer=customer,
        region_code=region_code,
        dismissed_on=dismissed_on,
        dismiss_reason="已核实为误报" if dismissed_on else "",
    )
    db.session.add(violation)
    db.session.commit()
    return violation


def make_assessment(
    agreement: Agreement,
    quarter: str,
    *,
    ordered: str = "42000.00",
    quota: str = "50000.00",
    reviewed_on: date | None = None,
) -> Assessment:
    """The agreement's assessment of ``quarter`` ("2026-Q1"), computed the day after it ended; not
    yet reviewed unless ``reviewed_on``."""
    year, number = int(quarter[:4]), int(quarter[-1])
    first, last = quarter_bounds(year, number)
    assessment = Assessment(
        agreement_id=agreement.id,
        distributor_id=agreement.distributor_id,
        quarter=quarter,
        first_day=first,
        last_day=last,
        full_quota=Decimal(quota),
        quota=Decimal(quota),
        ordered_amount=Decimal(ordered),
        figures={},
        computed_on=last,
        reviewed_on=reviewed_on,
        comment="达标" if reviewed_on else "",
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


def make_quarter_figures(
    agreement: Agreement, quarter: str, *, score: str, as_of: date, **counts: Any
) -> QuarterFigures:
    """The agreement's kept-current figures of ``quarter`` with its compliance ``score``: the row the
    compliance hook keeps (portal.compliance.figures), with the score set as the home page tests
    need it; call it after the records it would be refreshed from."""
    figures = db.session.scalar(
        select(QuarterFigures).where(QuarterFigures.agreement_id == agreement.id, QuarterFigures.quarter == quarter)
    )
    if figures is None:
        figures = QuarterFigures(
            agreement_id=agreement.id,
            distributor_id=agreement.distributor_id,
            quarter=quarter,
            quota=Decimal("50000.00"),
            ordered_amount=Decimal("0.00"),
        )
        db.session.add(figures)
    figures.as_of = as_of
    figures.score = Decimal(score)
    for name, value in counts.items():
        setattr(figures, name, value)
    db.session.commit()
    return figures
