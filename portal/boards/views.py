"""Boards (docs/rules.md §6, §7.1): head-office sales ships paid orders with a serial number per board,
records loss or damage in transit and ships free replacements; everyone looks up a board's
coverage (a distributor its own boards only); head office sees its on-time delivery record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.errors import N_, DomainError
from ..domain.orders import SHIPPABLE, DeliveryState
from ..domain.permissions import may_read, may_read_every_distributor, may_ship_orders
from ..domain.warranty import CoverageClass
from ..errors import domain_message
from ..extensions import db
from ..forms import apply_domain_error, attempt, form_status
from ..orders.models import Order
from ..pagination import int_arg, page_args, paginate
from ..security import allowed, loads, scoped
from . import services
from .forms import LossForm, ShipmentForm
from .models import Board, Shipment
from .queries import (
    DeliveryFilters,
    board_products,
    board_with_history,
    boards_matching,
    deliveries_matching,
    delivery_counts,
    replaced_quantities,
    shipments_of,
)
from .serials import read_serial_file
from .services import SerialProblems, ShipmentLineRequest, normalize_serial
from .shipping import (
    Problem,
    Target,
    TypedLine,
    collect_lines,
    order_targets,
    pre_check_serials,
    replacement_targets,
)

bp = Blueprint("boards", __name__, url_prefix="/boards")


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "today": today(),
    }


def _date_arg(name: str) -> tuple[date | None, bool]:
    """``?name=YYYY-MM-DD``: (the date or None, whether something unreadable was given)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, False
    try:
        return date.fromisoformat(raw), False
    except ValueError:
        return None, True


# The repair batch's page (portal.repairs, a higher layer): linked by endpoint name when it exists.
BATCH_PAGE = "repairs.show"

BAD_DATE = N_("The date %(value)s is not a date in the form YYYY-MM-DD, such as 2026-03-05.")


# --- boards -------------------------------------------------------------------------------------


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """Boards in the caller's scope, filtered by product, coverage class today and serial."""
    on = today()
    chosen = request.args.get("class", "")
    coverage_class = CoverageClass(chosen) if chosen in {c.value for c in CoverageClass} else None
    serial = request.args.get("serial", "").strip()[:60]
    head_office = current_user.is_head_office
    statement = boards_matching(
        on=on,
        product_id=int_arg("product_id"),
        coverage_class=coverage_class,
        distributor_id=distributor_arg() if head_office else None,
        serial=serial,
    )
    picker = picked_distributor() if head_office else None
    return render_template(
        "boards/index.html",
        page=paginate(statement),
        on=on,
        products=board_products(),
        classes=[c for c in CoverageClass if c is not CoverageClass.NOT_YET_SHIPPED],  # none today
        picker=picker,
        head_office=head_office,
        product_id=int_arg("product_id"),
        coverage_class=coverage_class,
        distributor_id=distributor_arg(),
        serial=serial,
    )


@bp.get("/lookup")
@allowed(may_read)
def lookup() -> Any:
    """Find a board by its serial number. Another distributor's board is "not found", like a
    serial that does not exist."""
    serial = normalize_serial(request.args.get("serial", ""))[:60]
    on = request.args.get("on", "").strip()
    if not serial:
        return render_template("boards/lookup.html", serial="", on=on, message=None)
    board = db.session.scalar(scoped(select(Board), Board).where(Board.serial == serial))
    if board is None:
        message = _("No board with serial number %(serial)s was found.", serial=serial)
        return render_template("boards/lookup.html", serial=serial, on=on, message=message), 404
    return redirect(url_for("boards.show", serial=board.serial, on=on or None))  # no ?on= when empty


@bp.get("/<serial>")
@allowed(may_read)
@loads(Board, "serial", by="serial")
def show(board: Board) -> Any:
    """One board: product, order, shipment, warranty, its coverage on ``?on=`` (default today) and
    its history: each repair with the class it had on the batch's shipping date, the result, the fee,
    the return date and the post-repair window it gave (docs/rules.md §7.1). A few statements,
    whatever the number of repairs."""
    chosen, bad = _date_arg("on")
    on = chosen or today()
    board = board_with_history(board.id)
    coverage = board.coverage
    windows = {window.repair_line_id: window for window in board.windows if window.repair_line_id is not None}
    message = _(BAD_DATE, value=request.args.get("on", "")[:40]) if bad else None
    return render_template(
        "boards/show.html",
        board=board,
        on=on,
        coverage=coverage,
        coverage_class=coverage.coverage_class(on),
        not_yet_shipped=coverage.coverage_class(on) is CoverageClass.NOT_YET_SHIPPED,
        coverage_end=coverage.coverage_end(on),
        latest_end=coverage.coverage_end(),
        message=message,
        on_text=request.args.get("on", "")[:40] if bad else on.isoformat(),
        repairs=[(line, windows.get(line.id)) for line in board.repair_lines],
        batch_endpoint=BATCH_PAGE if BATCH_PAGE in current_app.view_functions else None,
    ), 422 if bad else 200


# --- shipments ----------------------------------------------------------------------------------


def _shipments_page(order: Order, loss_form: LossForm | None = None, marking: int | None = None) -> Any:
    """The order's shipments; ``loss_form`` refused for shipment ``marking`` is shown on its card."""
    return render_template(
        "boards/shipments.html",
        order=order,
        shipments=shipments_of(order),
        loss_form=loss_form or LossForm(formdata=None),
        marking=marking,
        shippable=order.status in SHIPPABLE,
    ), form_status(loss_form)


@bp.get("/orders/<int:order_id>/shipments")
@allowed(may_read)
@loads(Order, "order_id")
def shipments(order: Order) -> Any:
    """An order's shipments and each board's warranty end."""
    return _shipments_page(order)


def _typed_lines(form: ShipmentForm) -> list[TypedLine]:
    return [
        TypedLine(entry.product_id.data or "", entry.quantity.data, entry.serials.data or "") for entry in form.lines
    ]


def _attempt(
    form: ShipmentForm, targets: Sequence[Target], ship: Callable[[list[ShipmentLineRequest]], Shipment]
) -> tuple[Shipment | None, list[Problem], bool]:
    """Collect the lines and ship them: (the shipment, or the problems, and whether a rule refused
    it outright). Nothing ships while any problem is listed."""
    upload = None
    file = form.serial_file.data
    if file is not None and getattr(file, "filename", None):
        upload = read_serial_file(file.read(), file.filename or "")
    collected = collect_lines(_typed_lines(form), targets, upload)
    if collected.problems or form.errors:
        return None, collected.problems + pre_check_serials(collected.lines), False
    try:
        return ship(collected.lines), [], False
    except SerialProblems as error:
        return None, error.details(), False
    except DomainError as error:
        if error.field == "shipped_on" and apply_domain_error(form, error):
            return None, [], False
        if error.field in ("lines", "quantity", "serials"):
            return None, [(error.message, error.params)], False
        flash(domain_message(error), "danger")
        return None, [], True


def _shipment_page(
    template: str, form: ShipmentForm, targets: Sequence[Target], problems: list[Problem], refused: bool, **context: Any
) -> Any:
    messages = [_(message, **params) for message, params in problems]
    status = 422 if (problems or form.errors) else 409 if refused else 200
    return render_template(
        template,
        form=form,
        targets={str(t.product.id): t for t in targets},
        problems=messages,
        max_date=today().isoformat(),
        **context,
    ), status


@bp.route("/orders/<int:order_id>/shipments/new", methods=["GET", "POST"])
@allowed(may_ship_orders)
@loads(Order, "order_id")
def new_shipment(order: Order) -> Any:
    """Ship some or all of the units left, once the order is paid in full."""
    targets = order_targets(order)
    form = ShipmentForm()
    if request.method == "GET":
        for target in targets:
            form.lines.append_entry({"product_id": str(target.product.id)})
    problems: list[Problem] = []
    refused = False
    if form.validate_on_submit():

        def ship(lines: list[ShipmentLineRequest]) -> Shipment:
            return services.ship_order(
                order,
                lines,
                shipped_on=form.shipped_on.data,
                role=current_user.role,
                today=today(),
                carrier=form.carrier.data or "",
                tracking_number=form.tracking_number.data or "",
            )

        shipment, problems, refused = _attempt(form, targets, ship)
        if shipment is not None:
            units = sum(line.quantity for line in shipment.lines)
            flash(
                _("Shipment of %(units)s units recorded for order %(number)s.", units=units, number=order.number),
                "success",
            )
            return redirect(url_for("boards.shipments", order_id=order.id))
    return _shipment_page(
        "boards/new_shipment.html", form, targets, problems, refused, order=order, shippable=order.status in SHIPPABLE
    )


@bp.post("/shipments/<int:shipment_id>/lost")
@allowed(may_ship_orders)
@loads(Shipment, "shipment_id")
def mark_lost(shipment: Shipment) -> Any:
    """Record loss or damage in transit (§6.4.1: head office's risk). Refused, the order's shipments
    are shown again with the note typed and the message on the shipment's card."""
    form = LossForm()
    if form.validate_on_submit():
        marked = attempt(form, services.mark_lost_or_damaged, shipment, form.note.data or "")
        if marked is not None:
            flash(
                _(
                    "The shipment of %(day)s is recorded as lost or damaged; replacement units can now ship.",
                    day=marked.shipped_on.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("boards.shipments", order_id=marked.order_id))
    return _shipments_page(shipment.order, form, shipment.id)


@bp.route("/shipments/<int:shipment_id>/replacement", methods=["GET", "POST"])
@allowed(may_ship_orders)
@loads(Shipment, "shipment_id")
def new_replacement(shipment: Shipment) -> Any:
    """Ship free replacement units for a shipment lost or damaged in transit."""
    if not shipment.lost_or_damaged:
        flash(_("Mark the shipment lost or damaged before sending replacements."), "warning")
        return redirect(url_for("boards.shipments", order_id=shipment.order_id))
    targets = replacement_targets(shipment, replaced_quantities(shipment))
    form = ShipmentForm()
    if request.method == "GET":
        for target in targets:
            form.lines.append_entry({"product_id": str(target.product.id)})
    problems: list[Problem] = []
    refused = False
    if form.validate_on_submit():

        def ship(lines: list[ShipmentLineRequest]) -> Shipment:
            return services.ship_replacement(
                shipment,
                lines,
                shipped_on=form.shipped_on.data,
                today=today(),
                carrier=form.carrier.data or "",
                tracking_number=form.tracking_number.data or "",
            )

        order_id = shipment.order_id
        replacement, problems, refused = _attempt(form, targets, ship)
        if replacement is not None:
            flash(_("Replacement units shipped free of charge."), "success")
            return redirect(url_for("boards.shipments", order_id=order_id))
    return _shipment_page(
        "boards/new_replacement.html", form, targets, problems, refused, lost=shipment, order=shipment.order
    )


# --- on-time delivery ---------------------------------------------------------------------------


@bp.get("/delivery")
@allowed(may_read_every_distributor)
def delivery() -> Any:
    """Head office's record: orders shipped by their delivery due date (§6.4.1), late ones first to see."""
    on = today()
    due_from, bad_from = _date_arg("from")
    due_to, bad_to = _date_arg("to")
    chosen = request.args.get("state", "")
    filters = DeliveryFilters(
        distributor_id=distributor_arg(),
        due_from=due_from,
        due_to=due_to,
        state=DeliveryState(chosen) if chosen in {s.value for s in DeliveryState} else None,
    )
    messages = [
        _(BAD_DATE, value=request.args.get(name, "")[:40]) for name, bad in (("from", bad_from), ("to", bad_to)) if bad
    ]
    picker = picked_distributor()
    counts = delivery_counts(filters, on)
    page_number, per_page = page_args()
    page = db.paginate(
        deliveries_matching(filters, on), page=page_number, per_page=per_page, error_out=False, count=False
    )
    page.total = counts.matching(filters.state)  # the summary's figures: no second COUNT
    return render_template(
        "boards/delivery.html",
        page=page,
        on=on,
        filters=filters,
        states=list(DeliveryState),
        picker=picker,
        counts=counts,
        messages=messages,
    ), 422 if messages else 200
