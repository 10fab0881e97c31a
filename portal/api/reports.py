"""/api/v1/reports: a distributor's monthly reports (docs/rules.md §8; contract §4.3, §4.4, §5.5).

``POST /reports`` submits a month's report for the caller's distributor:
``{"month", "inventory": [{"sku", "quantity"}], "sales": [{"sold_on", "customer", "region_code",
"sku", "quantity", "unit_price", "serials"?}], "outlets": [{"kind", "name", "region_code"}], "note"?}``.
``POST /reports/{id}/correct`` replaces the lines of a report (the same body without ``month``, with
a ``reason``) until head office locks the quarter. Every bad line answers 422 naming its field
(``sales.3.region_code``), nothing saved; a month already reported, a locked quarter, a month no
agreement bound, 409. A distributor reads its own reports only (another's answers 404, §4.4).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from flask import abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import AliasPath, Field, computed_field

from ..clock import today
from ..domain.permissions import may_read, may_submit_reports
from ..domain.reports import OutletKind, ReportRefused, ReportState
from ..errors import domain_message
from ..reports import services
from ..reports.models import MonthlyReport
from ..reports.queries import report_violations, reports_matching
from ..security import allowed, loads
from .blueprint import bp
from .core import (
    ApiError,
    BodyModel,
    Id,
    Money,
    MoneyIn,
    OutModel,
    QueryModel,
    Sku,
    Timestamp,
    api_doc,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)
from .violations import ViolationOut

MONTH_PATTERN = r"20[0-9]{2}-(?:0[1-9]|1[0-2])"
Month = Annotated[
    text(7, pattern=MONTH_PATTERN, message=_l("Enter the month as YYYY-MM (2026-03).")),
    Field(description="The calendar month reported, YYYY-MM.", examples=["2026-02"]),
]
Quantity = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000, description="Whole units.")]
Code = Annotated[
    text(6, pattern="[0-9]{6}", message=_l("A region code has six digits (GB/T 2260), such as 330100.")),
    Field(description="The customer's or outlet's region (GB/T 2260), six digits.", examples=["330106"]),
]


class InventoryIn(BodyModel):
    sku: Sku
    quantity: Quantity = Field(description="On hand at the month's end: zero or more.")


class SaleIn(BodyModel):
    sold_on: date = Field(description="Within the month reported.")
    customer: text(200, min_length=1)
    region_code: Code
    sku: Sku
    quantity: Quantity = Field(description="More than zero.")
    unit_price: MoneyIn
    serials: list[text(60, min_length=1)] = Field(default=[], max_length=1000, description="Where known.")


class OutletIn(BodyModel):
    kind: OutletKind
    name: text(200, min_length=1)
    region_code: Code


class LinesIn(BodyModel):
    inventory: list[InventoryIn] = Field(default=[], max_length=5000)
    sales: list[SaleIn] = Field(default=[], max_length=5000)
    outlets: list[OutletIn] = Field(default=[], max_length=5000)
    note: text(1000) = ""


class ReportIn(LinesIn):
    month: Month


class CorrectionIn(LinesIn):
    reason: text(500) = Field(default="", description="Why the report is corrected (kept in the audit trail).")


class InventoryOut(OutModel):
    sku: str = Field(validation_alias=AliasPath("product", "sku"))
    quantity: int


class SaleOut(OutModel):
    id: int
    sold_on: date
    customer: str
    region_code: str
    sku: str = Field(validation_alias=AliasPath("product", "sku"))
    quantity: int
    unit_price: Money
    serials: str


class OutletOut(OutModel):
    kind: OutletKind
    name: str
    region_code: str
    sub_agent_request_id: int | None


class ReportSummaryOut(OutModel):
    id: int
    distributor_id: int
    agreement_id: int
    month: str
    due_on: date
    submitted_on: date
    late: bool
    corrections: int
    corrected_at: Timestamp | None
    note: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> ReportState:
        """A submitted report is on time or late (docs/rules.md §8)."""
        return ReportState.LATE if self.late else ReportState.ON_TIME


class ReportOut(ReportSummaryOut):
    inventory: list[InventoryOut]
    sales: list[SaleOut]
    outlets: list[OutletOut]
    violations: list[ViolationOut]


class ReportQuery(QueryModel):
    distributor_id: Id | None = None
    month: Annotated[str | None, Field(pattern=f"^{MONTH_PATTERN}$", description="YYYY-MM.")] = None


def _rows(data: LinesIn) -> dict[str, list[dict[str, str]]]:
    """The body's lines as the text cells the service reads (domain.reports.read_lines)."""

    def cell(value: Any) -> str:
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, date | datetime):
            return value.isoformat()
        if isinstance(value, list):
            return " ".join(value)
        return str(value)

    return {
        section: [{name: cell(value) for name, value in line.model_dump().items()} for line in getattr(data, section)]
        for section in ("inventory", "sales", "outlets")
    }


def _refused(error: ReportRefused) -> ApiError:
    fields: dict[str, list[str]] = {}
    for problem in error.problems:
        fields.setdefault(problem.path, []).append(_(problem.message, **problem.params))
    return ApiError(422, error.code, domain_message(error), fields)


def _full(report: MonthlyReport) -> Any:
    payload = ReportOut.model_validate(
        {
            **ReportSummaryOut.model_validate(report).model_dump(exclude={"state"}),
            "inventory": [InventoryOut.model_validate(line) for line in report.inventory],
            "sales": [SaleOut.model_validate(line) for line in report.sales],
            "outlets": [OutletOut.model_validate(line) for line in report.outlets],
            "violations": [ViolationOut.model_validate(v) for v in report_violations(report)],
        }
    )
    return payload


@bp.get("/reports")
@allowed(may_read)
@api_doc(query=ReportQuery, response=ReportSummaryOut, list_of=True)
def list_reports() -> Any:
    """List monthly reports.

    The latest month first, without their lines (GET /reports/{id} has them). A distributor user
    sees its own only; filter by ``distributor_id`` and ``month``.
    """
    query = parse_query(ReportQuery)
    statement = reports_matching(distributor_id=query.distributor_id or None, month=query.month or None)
    return page_of(ReportSummaryOut, statement)


@bp.post("/reports")
@allowed(may_submit_reports)
@api_doc(body=ReportIn, response=ReportOut, status=201)
def create_report() -> Any:
    """Submit a monthly report.

    For the caller's distributor, once the month has ended. Each bad line answers 422 on its field
    (``sales.3.region_code``) and nothing is saved; a month already reported (correct it), a locked
    quarter or a month no agreement bound, 409.
    """
    if current_user.distributor_id is None:
        abort(403)
    data = parse_body(ReportIn)
    try:
        report = services.submit_report(
            current_user.distributor_id,
            services.ReportData(month=data.month, note=data.note, **_rows(data)),
            today=today(),
            submitted_by_id=current_user.id,
        )
    except ReportRefused as error:
        raise _refused(error) from error
    response = one(ReportOut, _full(report), 201, Location=url_for("api.get_report", report_id=report.id))
    return response


@bp.get("/reports/<int:report_id>")
@allowed(may_read)
@loads(MonthlyReport, "report_id", as_="report")
@api_doc(response=ReportOut)
def get_report(report: MonthlyReport) -> Any:
    """Show a monthly report with its lines and violations.

    Another distributor's report answers 404, like a missing one.
    """
    return one(ReportOut, _full(report))


@bp.post("/reports/<int:report_id>/correct")
@allowed(may_submit_reports)
@loads(MonthlyReport, "report_id", as_="report")
@api_doc(body=CorrectionIn, response=ReportOut)
def correct_report(report: MonthlyReport) -> Any:
    """Correct a monthly report.

    Its inventory, sales and outlets are replaced by the body's; the violations are found again (a
    dismissal stays on one that still holds). A locked quarter answers 409; a bad line, 422.
    """
    data = parse_body(CorrectionIn)
    try:
        services.correct_report(
            report,
            services.ReportData(month=report.month, note=data.note, **_rows(data)),
            today=today(),
            reason=data.reason,
        )
    except ReportRefused as error:
        raise _refused(error) from error
    return one(ReportOut, _full(report))
