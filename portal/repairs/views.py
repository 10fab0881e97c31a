"""Repair batch pages for distributors: the month's batch, adding boards, shipping, the packing list;
and the batch page everyone with access reads (docs/rules.md §7.2; contract §6.5.4).

The batch page includes the partials other modules write (head office's steps, the fee payments,
the rating) and merges the context their modules register (portal.repairs.queries
BATCH_PAGE_CONTEXT). A module whose form posts from the batch page and is refused shows the page
again with :func:`render_batch_page`, passing its form and the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..boards.models import Board
from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.errors import DomainError, InvalidValue
from ..domain.permissions import may_read, may_send_repair_batches
from ..domain.repairs import (
    BATCH_STATUS_LABELS,
    EDITABLE,
    WITHHELD_LABEL,
    FaultCause,
    FeeCap,
    RepairOutcome,
    fee_cap,
    parse_batch_month,
)
from ..domain.warranty import COVERED, CoverageClass
from ..errors import domain_message, refusal_status
from ..forms import form_status, refuse
from ..i18n import day
from ..pagination import paginate
from ..security import allowed, loads
from . import services
from .blueprint import bp
from .forms import AddBoardsForm, Collected, ShipBatchForm, parse_pasted, read_board_file
from .models import RepairBatch, RepairLine
from .queries import SHOWN_STATUSES, BatchFilters, batch_lines, batch_page_context, batches_matching, line_counts
from .services import BoardEntry, BoardProblems

LAST_FAULT = "repairs_last_fault"  # the scanned board's description, kept for the next scan


def _status_choices() -> list[tuple[str, str]]:
    labels = {status.value: label for status, label in BATCH_STATUS_LABELS.items()}
    return [(value, labels.get(value, WITHHELD_LABEL)) for value in SHOWN_STATUSES]


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """The batches in the caller's scope by shown status and month, the latest month first."""
    on = today()
    head_office = current_user.is_head_office
    chosen = request.args.get("status", "").strip()
    month_text = request.args.get("month", "").strip()[:20]
    messages = []
    month = None
    if month_text:
        try:
            month = parse_batch_month(month_text)
        except InvalidValue as error:
            messages.append(domain_message(error))
    filters = BatchFilters(
        distributor_id=distributor_arg() if head_office else None,
        status=chosen if chosen in SHOWN_STATUSES else None,
        month=month,
    )
    page = paginate(batches_matching(filters, on))
    sends = current_user.may(may_send_repair_batches) and current_user.distributor_id is not None
    return render_template(
        "repairs/index.html",
        page=page,
        on=on,
        filters=filters,
        month_text=month_text,
        statuses=_status_choices(),
        counts=line_counts([batch.id for batch in page.items]),
        head_office=head_office,
        picker=picked_distributor() if head_office else None,
        sends=sends,
        open_batch=services.open_batch_of(current_user.distributor_id) if sends else None,
        messages=messages,
    ), 422 if messages else 200


@dataclass(frozen=True)
class Estimate:
    """What a board may cost before the batch ships, by its coverage on ``on`` (§6.5.1-6.5.3):
    covered — free if the fault is covered, charged in full for human damage and the other causes
    the clause excludes; out of coverage — at most the cap."""

    coverage_class: CoverageClass
    cap: FeeCap | None = None

    @property
    def covered(self) -> bool:
        return self.coverage_class in COVERED

    @property
    def not_yet_shipped(self) -> bool:
        return self.coverage_class is CoverageClass.NOT_YET_SHIPPED


def estimates(batch: RepairBatch, lines: list[RepairLine], on: date) -> dict[int, Estimate]:
    """Each line's estimate on ``on``, by line id. The agent price is read once per product (the
    distributor's level in the price list in force on ``on``)."""
    cap_percent = batch.agreement.terms_on(on).repair_fee_cap_percent
    prices: dict[int, Decimal | None] = {}
    found = {}
    for line in lines:
        board: Board = line.board
        klass = board.coverage.coverage_class(on)
        cap = None
        if klass not in COVERED and klass is not CoverageClass.NOT_YET_SHIPPED:
            if board.product_id not in prices:
                prices[board.product_id] = services.agent_price(batch, board, on)
            cap = fee_cap(
                coverage_class=klass,
                cause=FaultCause.NORMAL_USE,
                outcome=RepairOutcome.REPAIRED,
                agent_price=prices[board.product_id],
                sale_price=board.unit_price,
                cap_percent=cap_percent,
            )
        found[line.id] = Estimate(klass, cap)
    return found


def _sends(batch: RepairBatch) -> bool:
    """The signed-in user fills and ships this batch: its distributor's, still open."""
    return bool(current_user.may(may_send_repair_batches) and batch.status in EDITABLE)


def render_batch_page(
    batch: RepairBatch, *, status: int = 200, refusal: str | None = None, **extra: Any
) -> tuple[str, int]:
    """The batch page, with ``extra`` (a refused form, say) in its context and ``status``."""
    on = today()
    lines = batch_lines(batch)
    editable = batch.status in EDITABLE
    context: dict[str, Any] = {
        "batch": batch,
        "today": on,
        "lines": lines,
        "editable": editable,
        "sends": _sends(batch),
        "estimates": estimates(batch, lines, on) if editable else {},
        "ship_form": ShipBatchForm(formdata=None),
        "refusal": refusal,
        "max_date": on.isoformat(),
    }
    context.update(batch_page_context(batch))
    context.update(extra)
    return render_template("repairs/show.html", **context), status


@bp.get("/batches/<int:batch_id>")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
def show(batch: RepairBatch) -> Any:
    """A batch: its steps and amounts, each line's board, fault, class and fees."""
    return render_batch_page(batch)


@bp.post("/batches/open")
@allowed(may_send_repair_batches)
def open_batch() -> Any:
    """Open the month's batch, or continue the one being filled."""
    distributor_id = current_user.distributor_id
    if distributor_id is None:
        flash(_("Your account is not linked to a distributor."), "danger")
        return redirect(url_for("repairs.index"))
    try:
        batch = services.open_batch(distributor_id, today=today(), created_by_id=current_user.id)
    except DomainError as error:
        flash(domain_message(error), "danger")
        return redirect(url_for("repairs.index"))
    return redirect(url_for("repairs.show", batch_id=batch.id))


def _collect(form: AddBoardsForm) -> Collected:
    """The boards of the form's three ways, in order (the typed serial first), with every line of the
    list or the file that cannot be read."""
    common = form.common_description.data or ""
    result = Collected()
    serial = (form.serial.data or "").strip()
    if serial:
        description = (form.fault_description.data or "").strip() or common.strip()
        result.entries.append(BoardEntry(serial, description))
    pasted = parse_pasted(form.pasted.data, common)
    result.entries += pasted.entries
    result.problems += pasted.problems
    file = form.board_file.data
    if file is not None and getattr(file, "filename", None):
        uploaded = read_board_file(file.read(), file.filename or "", common)
        result.entries += uploaded.entries
        result.problems += uploaded.problems
    return result


def _add_page(batch: RepairBatch, form: AddBoardsForm, problems: list[str], status: int) -> tuple[str, int]:
    return render_template(
        "repairs/add_boards.html",
        batch=batch,
        form=form,
        problems=problems,
        lines=batch_lines(batch),
        editable=batch.status in EDITABLE,
    ), status


@bp.route("/batches/<int:batch_id>/add", methods=["GET", "POST"])
@allowed(may_send_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
def add_boards(batch: RepairBatch) -> Any:
    """Add boards to the open batch: one serial typed or scanned (Enter adds it), a pasted list, a
    file. Every bad serial is listed with its reason and nothing is added."""
    form = AddBoardsForm()
    if request.method == "GET":
        form.fault_description.data = session.get(LAST_FAULT, "")
        return _add_page(batch, form, [], 200)
    if not form.validate_on_submit():
        return _add_page(batch, form, [], 422)
    collected = _collect(form)
    if collected.problems:
        return _add_page(batch, form, [_(message, **params) for message, params in collected.problems], 422)
    try:
        lines = services.add_boards(batch, collected.entries)
    except BoardProblems as error:
        return _add_page(batch, form, [_(message, **params) for message, params in error.details()], 422)
    except DomainError as error:
        refuse(form, error, "serial")
        return _add_page(batch, form, [], form_status(form))
    if form.serial.data:
        session[LAST_FAULT] = (form.fault_description.data or "").strip()[:500]
    flash(
        _("%(count)s boards added to batch %(number)s.", count=len(lines), number=batch.number)
        if len(lines) != 1
        else _(
            "%(serial)s added to batch %(number)s.", serial=collected.entries[0].serial.upper(), number=batch.number
        ),
        "success",
    )
    return redirect(url_for("repairs.add_boards", batch_id=batch.id))


@bp.post("/lines/<int:line_id>/remove")
@allowed(may_send_repair_batches)
@loads(RepairLine, "line_id", as_="line")
def remove_line(line: RepairLine) -> Any:
    """Take a board out of the batch before it ships."""
    batch, serial = line.batch, line.board.serial
    try:
        services.remove_line(line)
    except DomainError as error:
        return render_batch_page(batch, refusal=domain_message(error), status=refusal_status(error))
    flash(_("%(serial)s was taken out of batch %(number)s.", serial=serial, number=batch.number), "success")
    return redirect(url_for("repairs.show", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/ship")
@allowed(may_send_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
def ship(batch: RepairBatch) -> Any:
    """Ship the batch: the date (not after today), the carrier and the tracking number. Outside days
    1-10 of the month it is recorded as late."""
    form = ShipBatchForm()
    if form.validate_on_submit():
        try:
            shipped = services.ship_batch(
                batch,
                shipped_on=form.shipped_on.data,
                carrier=form.carrier.data or "",
                tracking_number=form.tracking_number.data or "",
                today=today(),
            )
        except DomainError as error:
            refuse(form, error)
        else:
            shipped_on = day(shipped.shipped_on)
            if shipped.shipped_late:
                message = _(
                    "Batch %(number)s shipped on %(day)s, after the first days of the month: recorded as late.",
                    number=shipped.number,
                    day=shipped_on,
                )
            else:
                message = _("Batch %(number)s shipped on %(day)s.", number=shipped.number, day=shipped_on)
            flash(message, "success")
            return redirect(url_for("repairs.show", batch_id=shipped.id))
    return render_batch_page(batch, ship_form=form, status=form_status(form))


@bp.get("/batches/<int:batch_id>/packing-list")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
def packing_list(batch: RepairBatch) -> Any:
    """The A4 packing list that goes in the box: each board with its class on the shipping date
    (before shipping: today), the fault, the count and a signature box."""
    on = today()
    lines = batch_lines(batch)
    on = batch.shipped_on or on
    classes = {line.id: line.coverage_class or line.board.coverage.coverage_class(on) for line in lines}
    return render_template("repairs/packing_list.html", batch=batch, lines=lines, classes=classes, on=on)
