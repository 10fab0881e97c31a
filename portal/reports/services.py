"""Monthly reports and their violations (docs/rules.md §8; contract §1.3, §3.2, §4.3, §5.1, §5.5),
each step one transaction.

A distributor submits a month's report once the month has ended, under the agreement that bound it
during the month; it corrects the report (its lines are replaced) until head office locks the
month's quarter. Each submission and correction is checked line by line (every bad cell listed,
nothing saved) and then for violations, which are kept with their evidence. A correction finds them
again: one that still holds stays, with its dismissal; one that no longer holds is removed (both
audited). Head office dismisses a violation with a reason and locks a quarter's reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from ..agreements.models import Agreement, SubAgentRequest
from ..agreements.services import region_chain
from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..distributors.models import Distributor
from ..domain import reports as rules
from ..domain.agreements import AgreementStatus
from ..domain.assessments import parse_quarter, quarter_has_ended, quarter_name
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.reports import Finding, ReportLines
from ..domain.subagents import SubAgentStatus
from ..extensions import db
from ..pricing.services import item_of, list_in_force
from ..products.models import Product
from ..regions.models import Region
from ..transactions import locked, transactional
from .models import MonthlyReport, QuarterLock, ReportInventoryLine, ReportOutlet, ReportSaleLine, Violation
from .queries import due_on_of

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ReportData:
    """A month's report as typed, uploaded or sent: each line a mapping of column → text
    (domain.reports INVENTORY_COLUMNS, SALE_COLUMNS, OUTLET_COLUMNS)."""

    month: str
    inventory: Sequence[Row] = field(default_factory=list)
    sales: Sequence[Row] = field(default_factory=list)
    outlets: Sequence[Row] = field(default_factory=list)
    note: str = ""


# --- what a month's report is bound to --------------------------------------------------------------


def agreement_of_month(distributor_id: int, year: int, month: int) -> Agreement | None:
    """The agreement that bound the distributor during the month (on at least one of its days; the
    latest to start when two did)."""
    first, last = rules.month_bounds(year, month)
    return db.session.scalar(
        select(Agreement)
        .where(
            Agreement.distributor_id == distributor_id,
            Agreement.status != AgreementStatus.DRAFT,
            Agreement.starts_on <= last,
            Agreement.ends_on >= first,
            or_(Agreement.terminated_on.is_(None), Agreement.terminated_on > first),
        )
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
        .limit(1)
    )


def is_locked(quarter: str) -> bool:
    return db.session.get(QuarterLock, quarter) is not None


def _check_not_locked(year: int, month: int) -> None:
    quarter = rules.quarter_of_month(year, month)
    if is_locked(quarter):
        raise DomainError(
            N_("Head office has locked the reports of %(quarter)s: they can no longer be submitted or corrected."),
            field="month",
            quarter=quarter,
        )


# --- reading and writing the lines ---------------------------------------------------------------------


def _read(agreement: Agreement, data: ReportData, year: int, month: int) -> tuple[ReportLines, dict[str, int]]:
    """The report's lines, checked (domain.reports.read_lines), and the product id of each SKU."""
    typed = {str(row.get("sku") or "").strip().upper() for rows in (data.inventory, data.sales) for row in rows} - {""}
    codes = {str(row.get("region_code") or "").strip() for rows in (data.sales, data.outlets) for row in rows} - {""}
    rows = db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(typed))).all()
    products: dict[str, int] = dict(rows)
    regions = set(db.session.scalars(select(Region.code).where(Region.code.in_(codes))))
    authorised = {product.sku for product in agreement.products}
    lines = rules.read_lines(
        data.inventory,
        data.sales,
        data.outlets,
        year=year,
        month=month,
        known_skus=products.keys(),
        authorised_skus=authorised,
        regions=regions,
    )
    return lines, products


def _approved(distributor_id: int) -> dict[str, int]:
    """The distributor's approved sub-agent requests by normalised name (the first one of a name)."""
    found: dict[str, int] = {}
    rows = db.session.execute(
        select(SubAgentRequest.name, SubAgentRequest.id)
        .where(SubAgentRequest.distributor_id == distributor_id, SubAgentRequest.status == SubAgentStatus.APPROVED)
        .order_by(SubAgentRequest.id)
    )
    for name, ident in rows:
        found.setdefault(rules.normal_name(name), ident)
    return found


def _write_lines(report: MonthlyReport, lines: ReportLines, products: dict[str, int], approved: dict[str, int]) -> None:
    report.inventory = [
        ReportInventoryLine(product_id=products[line.sku], quantity=line.quantity) for line in lines.inventory
    ]
    report.sales = [
        ReportSaleLine(
            sold_on=line.sold_on,
            customer=line.customer,
            region_code=line.region_code,
            product_id=products[line.sku],
            quantity=line.quantity,
            unit_price=line.unit_price,
            serials=line.serials,
        )
        for line in lines.sales
    ]
    report.outlets = [
        ReportOutlet(
            kind=line.kind,
            name=line.name,
            region_code=line.region_code,
            sub_agent_request_id=rules.approved_request(line.name, approved),
        )
        for line in lines.outlets
    ]


class _Floors:
    """The minimum resale price in force on a day for a product, each list and item read once."""

    def __init__(self) -> None:
        self.lists: dict[date, int | None] = {}
        self.items: dict[tuple[int, int], Decimal | None] = {}

    def __call__(self, product_id: int, on: date) -> Decimal | None:
        if on not in self.lists:
            price_list = list_in_force(on)
            self.lists[on] = price_list.id if price_list is not None else None
        list_id = self.lists[on]
        if list_id is None:
            return None
        if (list_id, product_id) not in self.items:
            item = item_of(list_id, product_id)
            self.items[(list_id, product_id)] = item.min_resale_price if item is not None else None
        return self.items[(list_id, product_id)]


def find_violations(
    agreement: Agreement, lines: ReportLines, products: dict[str, int], approved: dict[str, int], month_end: date
) -> list[Finding]:
    """§1.3, §3.2, §5.1: each sale against the agreement's territories and the floor in force on its
    date; each outlet and sub-agent against the approved requests."""
    grants = agreement.grants()
    floors = _Floors()
    chains: dict[str, list[str]] = {}
    found: list[Finding] = []
    for sale in lines.sales:
        if sale.region_code not in chains:
            chains[sale.region_code] = region_chain(sale.region_code)
        product_id = products[sale.sku]
        found += rules.sale_findings(
            sale, product_id, chains[sale.region_code], grants, floors(product_id, sale.sold_on)
        )
    for outlet in lines.outlets:
        finding = rules.outlet_finding(outlet, rules.approved_request(outlet.name, approved), month_end)
        if finding is not None:
            found.append(finding)
    return found


def _key(violation: Violation) -> tuple[Any, ...]:
    return Finding(
        violation.kind,
        violation.occurred_on,
        violation.customer,
        violation.region_code,
        violation.product_id,
        violation.quantity,
        violation.unit_price,
        violation.min_resale_price,
        violation.outlet_name,
    ).key


def _detail(finding: Finding) -> str:
    """The evidence in a sentence (kept in English, as stored; pages show the columns)."""
    if finding.kind is rules.ViolationKind.CROSS_TERRITORY:
        return f"Sold to {finding.customer} in region {finding.region_code}, outside the territories held that day."
    if finding.kind is rules.ViolationKind.BELOW_PRICE:
        return (
            f"Sold to {finding.customer} at {finding.unit_price}, "
            f"below the minimum resale price {finding.min_resale_price}."
        )
    return f"{finding.outlet_name} ({finding.region_code}) has no approved sub-agent request."


def _record_violations(report: MonthlyReport, found: list[Finding], found_on: date) -> None:
    kept = db.session.scalars(select(Violation).where(Violation.report_id == report.id).order_by(Violation.id)).all()
    by_id = {violation.id: violation for violation in kept}
    gone, new = rules.reconcile(found, [(violation.id, _key(violation)) for violation in kept])
    with audit_reason("no longer found in the corrected report"):
        for ident in gone:
            db.session.delete(by_id[ident])
        db.session.flush()
    for finding in new:
        db.session.add(
            Violation(
                distributor_id=report.distributor_id,
                agreement_id=report.agreement_id,
                report_id=report.id,
                kind=finding.kind,
                occurred_on=finding.occurred_on,
                found_on=found_on,
                customer=finding.customer,
                region_code=finding.region_code,
                product_id=finding.product_id,
                quantity=finding.quantity,
                unit_price=finding.unit_price,
                min_resale_price=finding.min_resale_price,
                outlet_name=finding.outlet_name,
                detail=_detail(finding)[:1000],
            )
        )
    db.session.flush()


# --- the steps --------------------------------------------------------------------------------------


@transactional
def submit_report(
    distributor_id: int, data: ReportData, *, today: date, submitted_by_id: int | None = None
) -> MonthlyReport:
    """§4.3, §8: the distributor's report of a month that has ended. Refused: a month not yet ended,
    no agreement binding that month, a locked quarter, a month already reported (correct it
    instead), and every bad line (ReportRefused). Late when submitted after the due day."""
    year, month = rules.parse_month(data.month)
    rules.check_month_ended(year, month, today)
    distributor = locked(Distributor, distributor_id)  # two submissions of one month: one report
    if distributor is None:
        raise InvalidValue(N_("There is no such distributor."), field="distributor_id")
    agreement = agreement_of_month(distributor_id, year, month)
    if agreement is None:
        raise DomainError(
            N_("No agreement bound you during %(month)s: there is nothing to report."),
            field="month",
            month=rules.month_name(year, month),
        )
    _check_not_locked(year, month)
    name = rules.month_name(year, month)
    existing = db.session.scalar(
        select(MonthlyReport.id).where(MonthlyReport.distributor_id == distributor_id, MonthlyReport.month == name)
    )
    if existing is not None:
        raise DomainError(
            N_("The report of %(month)s was already submitted: correct it instead."), field="month", month=name
        )
    lines, products = _read(agreement, data, year, month)
    approved = _approved(distributor_id)
    due_on = due_on_of(agreement, year, month)
    report = MonthlyReport(
        distributor_id=distributor_id,
        agreement_id=agreement.id,
        month=name,
        due_on=due_on,
        submitted_on=today,
        submitted_by_id=submitted_by_id,
        late=today > due_on,
        note=data.note.strip()[:1000],
    )
    _write_lines(report, lines, products, approved)
    db.session.add(report)
    db.session.flush()
    month_end = rules.month_bounds(year, month)[1]
    _record_violations(report, find_violations(agreement, lines, products, approved, month_end), today)
    return report


@transactional
def correct_report(report: MonthlyReport, data: ReportData, *, today: date, reason: str = "") -> MonthlyReport:
    """Replace a report's lines until head office locks its quarter. The first submission's date
    stays (so does on time or late); the correction is counted and audited with its reason, and the
    violations are found again (a dismissal stays on one that still holds)."""
    report = locked(MonthlyReport, report.id)
    year, month = rules.parse_month(report.month)
    _check_not_locked(year, month)
    agreement = report.agreement
    lines, products = _read(agreement, data, year, month)
    approved = _approved(report.distributor_id)
    why = reason.strip()[:500] or f"correction {report.corrections + 1} of the {report.month} report"
    with audit_reason(why):
        _write_lines(report, lines, products, approved)
        report.corrections += 1
        report.corrected_at = utcnow()
        if data.note.strip():
            report.note = data.note.strip()[:1000]
        db.session.flush()
        month_end = rules.month_bounds(year, month)[1]
        _record_violations(report, find_violations(agreement, lines, products, approved, month_end), today)
    return report


@transactional
def dismiss_violation(
    violation: Violation, reason: str, *, today: date, dismissed_by_id: int | None = None
) -> Violation:
    """Head office dismisses a violation with a reason the distributor reads (audited)."""
    reason = reason.strip()
    if not reason:
        raise InvalidValue(N_("Give the reason for dismissing the violation."), field="reason")
    if len(reason) > 500:
        raise InvalidValue(N_("Write at most %(length)s characters."), field="reason", length=500)
    violation = locked(Violation, violation.id)
    if violation.dismissed_on is not None:
        raise DomainError(N_("This violation was already dismissed on %(on)s."), on=violation.dismissed_on.isoformat())
    violation.dismissed_on = today
    violation.dismissed_at = utcnow()
    violation.dismissed_by_id = dismissed_by_id
    violation.dismiss_reason = reason
    with audit_reason(reason):
        db.session.flush()
    return violation


@transactional
def lock_quarter(quarter: str, *, today: date, locked_by_id: int | None = None) -> QuarterLock:
    """Head office locks a quarter's reports once the quarter has ended: from then on they cannot be
    submitted or corrected (§8)."""
    year, number = parse_quarter(quarter)
    name = quarter_name(year, number)
    if not quarter_has_ended(year, number, today):
        raise InvalidValue(N_("The quarter %(quarter)s has not ended yet."), field="quarter", quarter=name)
    if is_locked(name):
        raise DomainError(N_("The reports of %(quarter)s are already locked."), field="quarter", quarter=name)
    lock = QuarterLock(quarter=name, locked_on=today, locked_by_id=locked_by_id)
    db.session.add(lock)
    db.session.flush()
    return lock


def locked_quarters() -> list[QuarterLock]:
    return list(db.session.scalars(select(QuarterLock).order_by(QuarterLock.quarter.desc())))


def report_of(distributor_id: int, month: str) -> MonthlyReport | None:
    return db.session.scalar(
        select(MonthlyReport).where(MonthlyReport.distributor_id == distributor_id, MonthlyReport.month == month)
    )
