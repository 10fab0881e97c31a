"""Assessments for tests, made through the services like every test record
(portal.assessments.services), and the access guard's foreign assessment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.agreements.models import Agreement
from portal.assessments import services
from portal.assessments.models import Assessment
from portal.distributors.models import Distributor
from portal.domain.reports import ViolationKind
from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation

from ..builders import active_agreement_of, foreign_record

AFTER_Q1 = date(2026, 4, 2)  # the day after the first quarter of 2026 has ended (and one more)


def make_assessment(agreement: Agreement, year: int = 2026, quarter: int = 1, *, on: date = AFTER_Q1) -> Assessment:
    """The agreement's assessment of the quarter, computed on ``on`` (with every other agreement's)."""
    services.compute_assessments(year, quarter, on)
    return db.session.scalar(
        select(Assessment).where(Assessment.agreement_id == agreement.id, Assessment.quarter == f"{year}-Q{quarter}")
    )


def make_violation(
    agreement: Agreement,
    occurred_on: date,
    *,
    kind: ViolationKind = ViolationKind.BELOW_PRICE,
    dismissed_on: date | None = None,
) -> Violation:
    """A violation of the agreement on ``occurred_on``, in a report of its month, written straight into
    the tables (the reports area finds them; the assessments only count them)."""
    month = occurred_on.strftime("%Y-%m")
    report = db.session.scalar(
        select(MonthlyReport).where(MonthlyReport.agreement_id == agreement.id, MonthlyReport.month == month)
    )
    if report is None:
        report = MonthlyReport(
            distributor_id=agreement.distributor_id,
            agreement_id=agreement.id,
            month=month,
            due_on=occurred_on,
            submitted_on=occurred_on,
        )
        db.session.add(report)
        db.session.flush()
    violation = Violation(
        distributor_id=agreement.distributor_id,
        agreement_id=agreement.id,
        report_id=report.id,
        kind=kind,
        occurred_on=occurred_on,
        found_on=occurred_on,
        customer="杭州某客户",
        region_code="330106",
        detail="test",
        dismissed_on=dismissed_on,
        dismiss_reason="test" if dismissed_on else "",
    )
    db.session.add(violation)
    db.session.commit()
    return violation


@foreign_record(Assessment)
def foreign_assessment(other: Distributor) -> Assessment:
    return make_assessment(active_agreement_of(other))
