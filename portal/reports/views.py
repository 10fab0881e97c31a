"""Monthly report pages (docs/rules.md §8): the months and their state, a report with its lines and
violations, a new report or a correction by form or by uploading the template, the template itself,
the violations list with head office's dismissal, and the quarter lock.

A distributor sees only its own reports and violations (``@loads`` and ``scoped``: another's answer
404, §4.4); head office sees every distributor's month and filters it.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from ..agreements.models import Agreement
from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain import reports as rules
from ..domain.agreements import AgreementStatus
from ..domain.errors import InvalidValue
from ..domain.permissions import may_read, may_review_violations, may_submit_reports
from ..domain.reports import ReportRefused, ReportState, ViolationKind
from ..errors import domain_message
from ..extensions import db
from ..forms import attempt, form_status, refuse
from ..pagination import CappedPagination, count_cap, page_args, paginate
from ..pricing.importing import UploadRefused
from ..products.models import Product
from ..security import allowed, loads
from . import queries, services
from .blueprint import bp
from .files import XLSX_MIMETYPE, ReportUpload, UploadProblems, read_report_file, template_xlsx, usable_regions
from .forms import DismissForm, LockForm, ReportForm, UploadForm, show_problems
from .models import MonthlyReport, Violation

#: A report state's badge colour (Bootstrap), for every page of the area.
STATE_BADGES = {
    ReportState.ON_TIME: "success",
    ReportState.LATE: "warning",
    ReportState.MISSING: "danger",
    ReportState.NOT_YET_DUE: "secondary",
}


@bp.context_processor
def _badges() -> dict[str, Any]:
    return {"state_badges": STATE_BADGES}


class ListPagination(Pagination):
    """The pagination macro's page over a list built in Python (a distributor's months: a few dozen)."""

    def _query_items(self) -> list[Any]:
        rows = self._query_args["rows"]
        return list(rows[self._query_offset : self._query_offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


class GridPagination(CappedPagination):
    """Head office's month: its rows (agreement, report, due day), counted at most to
    :data:`queries.GRID_COUNT_CAP` (or the lists' cap, if lower) from ``counted``."""

    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"].limit(self.per_page + 1).offset(self._query_offset)
        items = list(self._query_args["session"].execute(statement).all())
        self._more = len(items) > self.per_page
        return items[: self.per_page]

    def _query_count(self) -> int:
        rows = self._query_args
        self._query_args = {**rows, "select": rows["counted"]}  # the lists' capped count, of ``counted``
        try:
            return int(super()._query_count())
        finally:
            self._query_args = rows


def _paginate_grid(statement: Any, counted: Any) -> GridPagination:
    page, per_page = page_args()
    return GridPagination(
        select=statement,
        counted=counted,
        session=db.session(),
        cap=min(count_cap(), queries.GRID_COUNT_CAP),
        page=page,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        count=True,
    )


def _paginate_list(rows: list[Any]) -> Pagination:
    page, per_page = page_args()
    return ListPagination(page=page, per_page=per_page, max_per_page=per_page, error_out=False, rows=rows)


def _month_arg(name: str = "month") -> tuple[tuple[int, int] | None, str, list[str]]:
    text = request.args.get(name, "").strip()[:20]
    if not text:
        return None, "", []
    try:
        return rules.parse_month(text), text, []
    except InvalidValue as error:
        return None, text, [domain_message(error)]


def _state_arg() -> ReportState | None:
    value = request.args.get("state", "").strip()
    return ReportState(value) if value in {state.value for state in ReportState} else None


def _last_month(on: date) -> tuple[int, int]:
    return (on.year - 1, 12) if on.month == 1 else (on.year, on.month - 1)


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """A distributor's months, the latest first (missing ones too); head office's month of every
    distributor, filtered by month (last month by default), distributor and state."""
    on = today()
    state = _state_arg()
    if not current_user.is_head_office:
        distributor_id = current_user.distributor_id
        rows = queries.distributor_months(distributor_id, on, state) if distributor_id else []
        return render_template(
            "reports/index.html",
            page=_paginate_list(rows),
            rows=None,
            head_office=False,
            state=state,
            states=list(ReportState),
            submits=current_user.may(may_submit_reports) and distributor_id is not None,
            messages=[],
        )
    month, month_text, messages = _month_arg()
    year, number = month or _last_month(on)
    distributor_id = distributor_arg()
    page = _paginate_grid(
        queries.month_grid(year, number, on, distributor_id=distributor_id, state=state),
        queries.month_grid_counted(year, number, on, distributor_id=distributor_id, state=state),
    )
    return render_template(
        "reports/index.html",
        page=page,
        rows=queries.grid_rows(list(page.items), year, number, on),
        head_office=True,
        state=state,
        states=list(ReportState),
        month=rules.month_name(year, number),
        month_text=month_text or rules.month_name(year, number),
        distributor_id=distributor_id,
        picker=picked_distributor(),
        submits=False,
        messages=messages,
    ), 422 if messages else 200


@bp.get("/<int:report_id>")
@allowed(may_read)
@loads(MonthlyReport, "report_id", as_="report")
def show(report: MonthlyReport) -> Any:
    """A report: its state, lines, outlets and the violations found in them."""
    on = today()
    year, month = rules.parse_month(report.month)
    return render_template(
        "reports/show.html",
        report=report,
        state=rules.report_state(report.due_on, report.submitted_on, on),
        violations=queries.report_violations(report),
        locked=services.is_locked(rules.quarter_of_month(year, month)),
        corrects=current_user.may(may_submit_reports),
    )


# --- a new report or a correction, typed on the page ----------------------------------------------


def _agreement_for(distributor_id: int, month_text: str | None, on: date) -> Agreement | None:
    """The agreement whose products the form lists: the one binding the month typed, else the latest."""
    try:
        year, month = rules.parse_month(month_text)
        found = services.agreement_of_month(distributor_id, year, month)
        if found is not None:
            return found
    except InvalidValue:
        pass
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.distributor_id == distributor_id, Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.starts_on.desc())
        .limit(1)
    )


def _fill_inventory(form: ReportForm, agreement: Agreement | None, quantities: dict[str, int] | None = None) -> None:
    """One inventory line per authorised product (the quantity blank unless already reported)."""
    while len(form.inventory):
        form.inventory.pop_entry()
    for product in agreement.products if agreement is not None else []:
        entry = form.inventory.append_entry()
        entry.form.sku.data = product.sku
        if quantities and product.sku in quantities:
            entry.form.quantity.data = str(quantities[product.sku])


def _default_month(distributor_id: int, on: date) -> str:
    """The latest month not yet reported, else last month."""
    for row in queries.distributor_months(distributor_id, on):
        if row.report is None:
            return row.month
    return rules.month_name(*_last_month(on))


def _products_by_sku(form: ReportForm) -> dict[str, Any]:
    skus = [entry.form.sku.data for entry in form.inventory]
    return {product.sku: product for product in db.session.scalars(select(Product).where(Product.sku.in_(skus)))}


def _render_form(form: ReportForm, report: MonthlyReport | None, agreement: Agreement | None) -> Any:
    return render_template(
        "reports/form.html",
        form=form,
        report=report,
        products=_products_by_sku(form),
        skus=[product.sku for product in agreement.products] if agreement is not None else [],
        regions=usable_regions(agreement) if agreement is not None else [],
    ), form_status(form)


def _attempt_report(form: ReportForm, call: Any, *args: Any, **kwargs: Any) -> MonthlyReport | None:
    month = getattr(form, "month", None)
    data = services.ReportData(
        month=(month.data if month is not None else "") or "",
        inventory=form.rows("inventory"),
        sales=form.rows("sales"),
        outlets=form.rows("outlets"),
        note=form.note.data or "",
    )
    report: MonthlyReport | None = attempt(form, lambda: call(*args, data, **kwargs))
    refusal = getattr(form, "refusal", None)
    if isinstance(refusal, ReportRefused):
        show_problems(form, refusal.problems)
    return report


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_submit_reports)
def new() -> Any:
    """A new month's report typed on the page; "more rows" adds blank lines without saving."""
    distributor_id = current_user.distributor_id
    if distributor_id is None:
        flash(_("Your account is not linked to a distributor."), "danger")
        return redirect(url_for("reports.index"))
    on = today()
    form = ReportForm()
    if request.method == "GET":
        form.month.data = request.args.get("month", "").strip()[:7] or _default_month(distributor_id, on)
        agreement = _agreement_for(distributor_id, form.month.data, on)
        _fill_inventory(form, agreement)
        form.add_blank_rows()
        return _render_form(form, None, agreement)
    agreement = _agreement_for(distributor_id, form.month.data, on)
    if form.more.data:
        form.add_blank_rows()
        return _render_form(form, None, agreement)
    if form.validate_on_submit():
        report = _attempt_report(
            form, services.submit_report, distributor_id, today=on, submitted_by_id=current_user.id
        )
        if report is not None:
            flash(_("The report of %(month)s was submitted.", month=report.month), "success")
            return redirect(url_for("reports.show", report_id=report.id))
    return _render_form(form, None, agreement)


def _correction_form(report: MonthlyReport) -> ReportForm:
    form = ReportForm(formdata=None)
    del form.month  # a correction is of its own month
    _fill_inventory(form, report.agreement, {line.product.sku: line.quantity for line in report.inventory})
    for line in report.sales:
        entry = form.sales.append_entry()
        for name, value in (
            ("sold_on", line.sold_on.isoformat()),
            ("customer", line.customer),
            ("region_code", line.region_code),
            ("sku", line.product.sku),
            ("quantity", str(line.quantity)),
            ("unit_price", f"{line.unit_price:.2f}"),
            ("serials", line.serials),
        ):
            entry.form[name].data = value
    for outlet in report.outlets:
        entry = form.outlets.append_entry()
        entry.form.kind.data, entry.form.name.data = outlet.kind.value, outlet.name
        entry.form.region_code.data = outlet.region_code
    form.note.data = report.note
    return form


@bp.route("/<int:report_id>/correct", methods=["GET", "POST"])
@allowed(may_submit_reports)
@loads(MonthlyReport, "report_id", as_="report")
def correct(report: MonthlyReport) -> Any:
    """Correct a report: its lines are replaced, until head office locks the quarter."""
    if request.method == "GET":
        return _render_form(_correction_form(report), report, report.agreement)
    form = ReportForm()
    del form.month  # a correction is of its own month
    if form.more.data:
        form.add_blank_rows()
        return _render_form(form, report, report.agreement)
    if form.validate_on_submit():
        corrected = _attempt_report(form, services.correct_report, report, today=today(), reason=form.reason.data or "")
        if corrected is not None:
            flash(_("The report of %(month)s was corrected.", month=report.month), "success")
            return redirect(url_for("reports.show", report_id=report.id))
    return _render_form(form, report, report.agreement)


# --- the template and uploads -----------------------------------------------------------------------


@bp.get("/template.xlsx")
@allowed(may_submit_reports)
def template() -> Any:
    """The Excel template pre-filled with the distributor's authorised products and region codes."""
    distributor_id = current_user.distributor_id
    agreement = _agreement_for(distributor_id, request.args.get("month"), today()) if distributor_id else None
    if agreement is None:
        flash(_("You have no agreement: there is nothing to report."), "danger")
        return redirect(url_for("reports.index"))
    content = template_xlsx(agreement, get_locale())
    name = f"monthly-report-{agreement.distributor.code}.xlsx"
    return send_file(io.BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _upload(form: UploadForm, report: MonthlyReport | None) -> tuple[MonthlyReport | None, list[Any]]:
    """Read the file and submit (or correct) the report: the report, or None with the file's problems."""
    file = form.report_file.data
    if file is None or not getattr(file, "filename", ""):
        form.report_file.errors = [_("Choose the file to upload.")]
        return None, []
    try:
        upload: ReportUpload = read_report_file(file.filename, file.read())
    except UploadProblems as error:
        refuse(form, error)
        return None, error.problems
    except UploadRefused as error:
        refuse(form, error, "report_file")
        return None, []
    data = services.ReportData(
        month=report.month if report is not None else form.month.data or "",
        inventory=upload.rows("inventory"),
        sales=upload.rows("sales"),
        outlets=upload.rows("outlets"),
    )
    if report is None:
        result = attempt(
            form,
            services.submit_report,
            current_user.distributor_id,
            data,
            today=today(),
            submitted_by_id=current_user.id,
        )
    else:
        result = attempt(form, services.correct_report, report, data, today=today(), reason=form.reason.data or "")
    refusal = getattr(form, "refusal", None)
    if isinstance(refusal, ReportRefused):
        return None, [upload.where(problem) for problem in refusal.problems]
    return result, []


def _upload_page(form: UploadForm, report: MonthlyReport | None, problems: list[Any]) -> Any:
    return render_template("reports/upload.html", form=form, report=report, problems=problems), form_status(form)


@bp.route("/upload", methods=["GET", "POST"])
@allowed(may_submit_reports)
def upload() -> Any:
    """A new report from the filled template (or a CSV of its sales lines); every bad row listed, nothing saved."""
    distributor_id = current_user.distributor_id
    if distributor_id is None:
        flash(_("Your account is not linked to a distributor."), "danger")
        return redirect(url_for("reports.index"))
    form = UploadForm()
    problems: list[Any] = []
    if request.method == "GET":
        form.month.data = request.args.get("month", "").strip()[:7] or _default_month(distributor_id, today())
    elif form.validate_on_submit():
        report, problems = _upload(form, None)
        if report is not None:
            flash(_("The report of %(month)s was submitted.", month=report.month), "success")
            return redirect(url_for("reports.show", report_id=report.id))
    return _upload_page(form, None, problems)


@bp.route("/<int:report_id>/upload", methods=["GET", "POST"])
@allowed(may_submit_reports)
@loads(MonthlyReport, "report_id", as_="report")
def upload_correction(report: MonthlyReport) -> Any:
    """Correct a report by uploading the template again: its lines are replaced by the file's."""
    form = UploadForm()
    del form.month  # a correction is of its own month
    problems: list[Any] = []
    if request.method == "POST" and form.validate_on_submit():
        corrected, problems = _upload(form, report)
        if corrected is not None:
            flash(_("The report of %(month)s was corrected.", month=report.month), "success")
            return redirect(url_for("reports.show", report_id=report.id))
    return _upload_page(form, report, problems)


# --- violations ------------------------------------------------------------------------------------


@bp.get("/violations")
@allowed(may_read)
def violations() -> Any:
    """The violations in the caller's scope, the latest first, by kind, distributor, dismissed and month."""
    head_office = current_user.is_head_office
    kind_value = request.args.get("kind", "").strip()
    kind = ViolationKind(kind_value) if kind_value in {k.value for k in ViolationKind} else None
    dismissed_value = request.args.get("dismissed", "").strip()
    dismissed = {"yes": True, "no": False}.get(dismissed_value)
    month, month_text, messages = _month_arg()
    filters = queries.ViolationFilters(
        kind=kind,
        distributor_id=distributor_arg() if head_office else None,
        dismissed=dismissed,
        month=rules.month_name(*month) if month else None,
    )
    return render_template(
        "reports/violations.html",
        page=paginate(queries.violations_matching(filters)),
        filters=filters,
        kinds=list(ViolationKind),
        dismissed_value=dismissed_value if dismissed is not None else "",
        month_text=month_text,
        head_office=head_office,
        picker=picked_distributor() if head_office else None,
        reviews=current_user.may(may_review_violations),
        messages=messages,
    ), 422 if messages else 200


@bp.route("/violations/<int:violation_id>/dismiss", methods=["GET", "POST"])
@allowed(may_review_violations)
@loads(Violation, "violation_id", as_="violation")
def dismiss(violation: Violation) -> Any:
    """Head office dismisses a violation with a reason the distributor reads (audited)."""
    form = DismissForm()
    if (
        form.validate_on_submit()
        and attempt(
            form,
            services.dismiss_violation,
            violation,
            form.reason.data,
            today=today(),
            dismissed_by_id=current_user.id,
        )
        is not None
    ):
        flash(_("The violation was dismissed."), "success")
        return redirect(url_for("reports.show", report_id=violation.report_id))
    return render_template("reports/dismiss.html", form=form, violation=violation), form_status(form)


# --- the quarter lock ------------------------------------------------------------------------------


@bp.route("/locks", methods=["GET", "POST"])
@allowed(may_review_violations)
def locks() -> Any:
    """Lock a quarter's reports: from then on none of its months can be submitted or corrected."""
    form = LockForm()
    if form.validate_on_submit():
        lock = attempt(form, services.lock_quarter, form.quarter.data, today=today(), locked_by_id=current_user.id)
        if lock is not None:
            flash(_("The reports of %(quarter)s are locked.", quarter=lock.quarter), "success")
            return redirect(url_for("reports.locks"))
    return render_template("reports/locks.html", form=form, locks=services.locked_quarters()), form_status(form)
