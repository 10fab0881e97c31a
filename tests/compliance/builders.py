"""Test data of the compliance area. Orders, payments, shipments and repair batches are made
through their services (tests/builders.py, tests/repairs/builders.py); monthly reports and
violations are written straight into their tables until the reports services land."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.agreements.models import Agreement
from portal.domain.reports import ViolationKind
from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation


def make_report(agreement: Agreement, month: str, *, due_on: date, submitted_on: date) -> MonthlyReport:
    """A submitted monthly report of ``agreement``'s distributor for ``month``."""
    report = MonthlyReport(
        distributor_id=agreement.distributor_id,
        agreement_id=agreement.id,
        month=month,
        due_on=due_on,
        submitted_on=submitted_on,
        late=submitted_on > due_on,
    )
    db.session.add(report)
    db.session.commit()
    return report


def make_violation(
    report: MonthlyReport,
    kind: ViolationKind = ViolationKind.BELOW_PRICE,
    *,
    occurred_on: date,
    **fields: Any,
) -> Violation:
    violation = Violation(
        distributor_id=report.distributor_id,
        agreement_id=report.agreement_id,
        report_id=report.id,
        kind=kind,
        occurred_on=occurred_on,
        found_on=report.submitted_on,
        **fields,
    )
    db.session.add(violation)
    db.session.commit()
    return violation
