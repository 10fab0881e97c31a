"""Head office's repair pages: the work queue and the steps after receipt — receive, inspect each
line, return freight, repaired, notify, ship back (docs/rules.md §7.2; contract §6.5.4).

The step forms live on the batch page (``repairs.show``, which includes templates/repairs/_steps.html
and reads the forms through :func:`workshop_steps`); each step posts here, and comes back to the
batch page with a flash, or, refused, shows the batch's steps again with what was typed and the
message on its field (422 for a value, 409 for the batch's state). The lines are inspected on their
own page, one row per line, with the fee cap of what is chosen beside each fee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..boards.models import Board
from ..clock import today
from ..domain import repairs as rules
from ..domain.errors import DomainError, InvalidValue
from ..domain.orders import days_late, days_left
from ..domain.permissions import may_handle_repairs, may_read_every_distributor
from ..domain.repairs import (
    AWAITING_REPAIR,
    INSPECTABLE,
    WITHHELD,
    BatchAction,
    BatchStatus,
    FaultCause,
    FeeCap,
    RepairOutcome,
    StepRefused,
)
from ..errors import domain_message
from ..extensions import db
from ..forms import attempt, form_status, refuse
from ..i18n import money
from ..pagination import page_end
from ..receivables.queries import paginate_rows
from ..security import allowed, loads
from . import services
from .blueprint import bp
from .models import RepairBatch, RepairLine
from .services import LineInspection, LineRefusals
from .workshop_forms import FreightForm, InspectForm, NotifyForm, ReceiveForm, RepairedForm, ReturnForm
from .workshop_queries import QUEUE_STATES, queue_statement, queue_total, state_counts

ZERO = Decimal("0.00")


# --- the work queue -------------------------------------------------------------------------------


@bp.get("/queue")
@allowed(may_read_every_distributor)
def queue() -> Any:
    """Every batch head office holds or awaits, by shown state: those awaiting repair nearest their
    30-day limit first, then the rest by days in their state. Read by all of head office (finance
    sees what is coming); the steps themselves need may_handle_repairs."""
    on = today()
    state = request.args.get("state", "")
    chosen = state if state in QUEUE_STATES else None
    counts = state_counts(on)
    return render_template(
        "repairs/queue.html",
        page=paginate_rows(queue_statement(chosen, on, first=page_end()), total=queue_total(chosen, counts)),
        counts=counts,
        states=QUEUE_STATES,
        state=chosen,
        on=on,
        awaiting_repair={status.value for status in AWAITING_REPAIR},
        days_in_state=rules.days_in_state,
        days_left=days_left,
        days_late=days_late,
        state_label=_state_label,
        WITHHELD=WITHHELD,
    )


def _state_label(state: str) -> str:
    return _(rules.WITHHELD_LABEL) if state == WITHHELD else _(BatchStatus(state).label)


# --- the step forms on the batch page ---------------------------------------------------------------


@dataclass
class Steps:
    """The step forms the batch's state allows (None: not now), for templates/repairs/_steps.html."""

    batch: RepairBatch
    on: date
    receive: ReceiveForm | None = None
    inspect: bool = False
    freight: FreightForm | None = None
    repaired: RepairedForm | None = None
    notify: NotifyForm | None = None
    fees_due_if_notified_today: date | None = None
    ship_back: ReturnForm | None = None
    withheld_message: str = ""
    submitted: Any = field(default=None)
    refused_elsewhere: Any = field(default=None)


def workshop_steps(batch: RepairBatch, on: date, submitted: Any = None) -> Steps:
    """The forms for ``batch`` on ``on``: blank (dates defaulting to today), or ``submitted`` with
    what was typed and its refusal in place of the blank one of its kind."""

    def form(kind: type) -> Any:
        return submitted if isinstance(submitted, kind) else kind(formdata=None)

    status = batch.status
    steps = Steps(batch, on, submitted=submitted)
    if rules.can(status, BatchAction.RECEIVE):
        steps.receive = form(ReceiveForm)
    if status in INSPECTABLE:
        steps.inspect = True
        steps.freight = form(FreightForm)
        if not isinstance(submitted, FreightForm):
            steps.freight.return_freight.data = batch.return_freight
    if rules.can(status, BatchAction.REPAIR):
        steps.repaired = form(RepairedForm)
    if rules.can(status, BatchAction.NOTIFY):
        steps.notify = form(NotifyForm)
        steps.fees_due_if_notified_today = rules.fees_due_on(on, batch.agreement.terms_on(on).repair_fee_due_days)
    if rules.can(status, BatchAction.RETURN):
        try:
            rules.check_return(status, unpaid=batch.unpaid, released=batch.released)
            steps.ship_back = form(ReturnForm)
        except DomainError as error:
            steps.withheld_message = _(error.message, unpaid=money(batch.unpaid))
            if isinstance(submitted, ReturnForm):
                steps.ship_back = submitted
    shown = (steps.receive, steps.freight, steps.repaired, steps.notify, steps.ship_back)
    if submitted is not None and all(submitted is not form for form in shown):
        steps.refused_elsewhere = submitted  # the state no longer allows its step: its message alone
    return steps


@bp.context_processor
def _workshop_helpers() -> dict[str, Any]:
    return {"workshop_steps": workshop_steps}


def _back(batch: RepairBatch, message: str) -> Any:
    flash(message, "success")
    return redirect(url_for("repairs.show", batch_id=batch.id))


def _again(batch: RepairBatch, form: Any) -> Any:
    """The batch's steps shown again with the refused form, what was typed and the message."""
    on = today()
    return render_template(
        "repairs/step.html", batch=batch, today=on, workshop=workshop_steps(batch, on, form)
    ), form_status(form)


@bp.post("/batches/<int:batch_id>/receive")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def receive(batch: RepairBatch) -> Any:
    """Head office has the boards: the 30-day turnaround starts (§6.5.4)."""
    form = ReceiveForm()
    if form.validate_on_submit():
        done = attempt(form, services.receive_batch, batch, received_on=form.received_on.data, today=today())
        if done is not None:
            return _back(
                done,
                _(
                    "Batch %(number)s received; repairs are due by %(due)s.",
                    number=done.number,
                    due=done.repair_due_on.isoformat() if done.repair_due_on else "—",
                ),
            )
    return _again(batch, form)


@bp.post("/batches/<int:batch_id>/return-freight")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def return_freight(batch: RepairBatch) -> Any:
    """The freight of shipping the boards back, before the notice."""
    form = FreightForm()
    if form.validate_on_submit():
        done = attempt(form, services.set_return_freight, batch, form.return_freight.data)
        if done is not None:
            return _back(
                done,
                _(
                    "Return freight of batch %(number)s: %(amount)s.",
                    number=done.number,
                    amount=money(done.return_freight),
                ),
            )
    return _again(batch, form)


@bp.post("/batches/<int:batch_id>/repaired")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def mark_repaired(batch: RepairBatch) -> Any:
    """Repairs done; late when past the 30-day limit (§6.5.4)."""
    form = RepairedForm()
    if form.validate_on_submit():
        done = attempt(form, services.mark_repaired, batch, repaired_on=form.repaired_on.data, today=today())
        if done is not None:
            if done.turnaround_late:
                message = _("Batch %(number)s marked repaired, past the 30-day limit.", number=done.number)
            else:
                message = _("Batch %(number)s marked repaired within the 30-day limit.", number=done.number)
            return _back(done, message)
    return _again(batch, form)


@bp.post("/batches/<int:batch_id>/notify")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def notify(batch: RepairBatch) -> Any:
    """The numbered written notice of the fees; due 7 days later (§6.5.4)."""
    form = NotifyForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            services.notify_fees,
            batch,
            notified_on=form.notified_on.data,
            today=today(),
            issued_by_id=current_user.id,
        )
        if done is not None:
            return _back(
                done,
                _(
                    "Fees of batch %(number)s notified: %(amount)s due by %(due)s.",
                    number=done.number,
                    amount=money(done.amount_due),
                    due=done.fees_due_on.isoformat() if done.fees_due_on else "—",
                ),
            )
    return _again(batch, form)


@bp.post("/batches/<int:batch_id>/ship-back")
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def ship_back(batch: RepairBatch) -> Any:
    """The boards go back to the distributor: refused while fees are unpaid unless released."""
    form = ReturnForm()
    if form.validate_on_submit():
        done = attempt(
            form,
            services.return_batch,
            batch,
            returned_on=form.returned_on.data,
            today=today(),
            carrier=form.carrier.data or "",
            tracking_number=form.tracking_number.data or "",
        )
        if done is not None:
            return _back(done, _("Batch %(number)s shipped back.", number=done.number))
    return _again(batch, form)


# --- inspecting the lines -------------------------------------------------------------------------


def _lines_of(batch: RepairBatch) -> list[RepairLine]:
    """The batch's lines with their boards and products, in three statements."""
    return list(
        db.session.scalars(
            select(RepairLine)
            .where(RepairLine.batch_id == batch.id)
            .options(selectinload(RepairLine.board).selectinload(Board.product))
            .order_by(RepairLine.id)
        )
    )


def _line_id(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


@dataclass
class Row:
    """One line of the inspection page: its form row, the cap of what is chosen, and a message for
    the row as a whole."""

    line: RepairLine
    entry: Any
    cap: FeeCap | None = None
    errors: list[str] = field(default_factory=list)


class _Caps:
    """line_cap for each row, asked once per product, class, sale price, cause and outcome (the
    agent price takes a few statements)."""

    def __init__(self, batch: RepairBatch, on: date) -> None:
        self.batch, self.on = batch, on
        self.known: dict[tuple[Any, ...], FeeCap] = {}

    def __call__(self, line: RepairLine, cause: FaultCause, outcome: RepairOutcome) -> FeeCap | None:
        key = (line.board.product_id, line.coverage_class, line.board.unit_price, cause, outcome)
        if key not in self.known:
            try:
                self.known[key] = services.line_cap(self.batch, line, cause, outcome, self.on)
            except DomainError:
                return None
        return self.known[key]


def _choice(entry: Any) -> tuple[FaultCause, RepairOutcome] | None:
    cause, outcome = entry.cause.data or "", entry.outcome.data or ""
    if cause in {c.value for c in FaultCause} and outcome in {o.value for o in RepairOutcome}:
        return FaultCause(cause), RepairOutcome(outcome)
    return None


def _inspect_form(batch: RepairBatch, lines: list[RepairLine]) -> InspectForm:
    """The form with each line as it stands (a submitted one: as typed, lines not sent as they stand)."""
    submitted = request.method == "POST"
    form = InspectForm() if submitted else InspectForm(formdata=None)
    if not submitted:
        form.return_freight.data = batch.return_freight
    sent = {_line_id(entry.line_id.data) for entry in form.lines}
    for line in lines:
        if line.id not in sent:
            form.lines.append_entry(
                {
                    "line_id": str(line.id),
                    "cause": line.cause.value if line.cause else "",
                    "outcome": line.outcome.value if line.outcome else "",
                    "fee": line.fee,
                    "correction": "",
                }
            )
    return form


def _findings(rows: list[Row], caps: _Caps) -> list[LineInspection]:
    """The rows with a cause and an outcome, as the service takes them; a row half filled or with
    no fee where one is due gets its message."""
    findings = []
    for row in rows:
        entry = row.entry
        if not (entry.cause.data or entry.outcome.data):
            continue  # left blank: the line keeps its state
        choice = _choice(entry)
        if choice is None:
            row.errors.append(_("Choose both the fault cause and the outcome, or neither."))
            continue
        fee = entry.fee.data
        if fee is None:
            if entry.fee.errors:
                continue
            if row.cap is None or row.cap.takes_a_fee:
                entry.fee.errors = [*entry.fee.errors, _("Enter the fee (0.00 when nothing is charged).")]
                continue
            fee = ZERO
        findings.append(LineInspection(row.line.id, *choice, fee=fee, correction=entry.correction.data or ""))
    return findings


def _place(rows: list[Row], refused: LineRefusals) -> None:
    """Each refused line's message on its row: on the field it names, else on the row."""
    by_id = {row.line.id: row for row in rows}
    for line_id, error in refused.problems.items():
        row = by_id.get(line_id)
        if row is None:
            continue
        name = error.field if error.field in ("cause", "outcome", "fee", "correction") else None
        if name is None and isinstance(error, StepRefused) and row.line.inspected is not None:
            name = "correction"  # a changed result needs a correction's reason
        message = domain_message(error)
        if name is None:
            row.errors.append(message)
        else:
            target = getattr(row.entry, name)
            target.errors = [*target.errors, message]


@bp.route("/batches/<int:batch_id>/inspect", methods=["GET", "POST"])
@allowed(may_handle_repairs)
@loads(RepairBatch, "batch_id", as_="batch")
def inspect(batch: RepairBatch) -> Any:
    """Each line's cause, outcome and fee, with the cap of the current choice, the price and
    percentage it comes from, or why the line takes no fee. Lines left blank keep their state; a
    line already inspected changes only with a correction's reason. A fee above the cap or on a line
    that takes none is refused on its row, and nothing is saved (422). "Show the caps" recomputes
    the hints for the choices made without saving."""
    on = today()
    lines = _lines_of(batch)
    by_id = {line.id: line for line in lines}
    form = _inspect_form(batch, lines)
    inspecting = request.method == "POST" and "preview" not in request.form
    valid = form.validate_on_submit() if inspecting else False
    caps = _Caps(batch, form.inspected_on.data or on)
    rows: list[Row] = []
    for entry in form.lines:
        line = by_id.get(_line_id(entry.line_id.data) or 0)
        if line is None:
            form.form_errors.append(_("A line sent with the form is not in this batch; nothing was saved."))
            valid = False
            continue
        choice = _choice(entry)
        rows.append(Row(line, entry, caps(line, *choice) if choice else None))
    rows.sort(key=lambda row: row.line.id)
    status = 200
    if inspecting:
        findings = _findings(rows, caps)
        row_errors = any(row.errors or row.entry.errors for row in rows)
        if valid and not row_errors:
            try:
                done = services.inspect_lines(
                    batch,
                    findings,
                    inspected_on=form.inspected_on.data,
                    today=on,
                    return_freight=form.return_freight.data,
                )
            except LineRefusals as refused:
                _place(rows, refused)
                status = 422 if any(isinstance(e, InvalidValue) for e in refused.problems.values()) else 409
            except DomainError as error:
                refuse(form, error)
                status = form_status(form)
            else:
                message = ngettext(
                    "Findings recorded for %(num)d line of batch %(number)s.",
                    "Findings recorded for %(num)d lines of batch %(number)s.",
                    len(findings),
                    number=done.number,
                )
                if done.status is not BatchStatus.RECEIVED:
                    message += " " + _("Every line is inspected.")
                return _back(done, message)
        else:
            status = 422
    return render_template(
        "repairs/inspect.html",
        batch=batch,
        form=form,
        rows=rows,
        open_for_inspection=batch.status in INSPECTABLE,
        today=on,
        max_date=on.isoformat(),
    ), status
