"""Purchase orders (docs/rules.md §6): the list, the ordering page (a distributor, or sales on its
behalf), an order's page with the steps its reader may take now, and those steps.

Views stay thin: they read the form, call portal.orders.services and show what it refused on the
field concerned, with what was typed (422 for a bad value, 409 when a rule or the order's state
forbids the step). Payments and shipments are booked on the receivables and boards pages; this
area only links to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..agreements.models import Agreement
from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.errors import N_, DomainError
from ..domain.money import to_fen
from ..domain.orders import (
    AWAITING_PAYMENT,
    PAYABLE,
    UNCONFIRMED,
    Line,
    OrderEvent,
    OrderStatus,
    can,
    check_first_order,
    check_period,
    order_total,
)
from ..domain.permissions import may_book_payments, may_confirm_orders, may_draft_orders, may_read, may_ship_orders
from ..errors import domain_message, refusal_status
from ..forms import apply_domain_error, form_status, refuse
from ..i18n import day
from ..pagination import paginate
from ..pricing.services import list_in_force
from ..products.models import Product
from ..security import allowed, loads
from . import services
from .forms import CancelForm, ConfirmForm, OrderForm
from .models import Order
from .queries import (
    agreement_in_scope,
    deposit_late,
    order_in_full,
    ordering_agreements,
    orders_matching,
    period_suggestions,
    quota_meter,
)

bp = Blueprint("orders", __name__, url_prefix="/orders")

MAX_INT = 2_147_483_647


# --- reading the query string leniently (nonsense falls back to "no filter") ---------------------


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _period_arg() -> str:
    try:
        return check_period(request.args.get("period", ""))
    except DomainError:
        return ""


# --- the list ------------------------------------------------------------------------------------


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """A distributor's own orders; head office's orders of every distributor, filtered."""
    status = request.args.get("status", "")
    filters: dict[str, Any] = {
        "distributor_id": distributor_arg() if current_user.is_head_office else None,
        "status": OrderStatus(status) if status in {s.value for s in OrderStatus} else None,
        "period": _period_arg(),
        "confirmed_from": _date_arg("confirmed_from"),
        "confirmed_to": _date_arg("confirmed_to"),
    }
    page = paginate(orders_matching(**filters))
    on = today()
    rows = [(order, deposit_late(order, on)) for order in page.items]
    picker = picked_distributor() if current_user.is_head_office else None
    return render_template(
        "orders/index.html",
        page=page,
        rows=rows,
        on=on,
        filters=filters,
        statuses=list(OrderStatus),
        picker=picker,
    )


# --- the ordering page ---------------------------------------------------------------------------


def _fill_lines(form: OrderForm, products: Sequence[Product], quantities: dict[int, int]) -> None:
    for product in products:
        form.lines.append_entry({"product_id": product.id, "quantity": quantities.get(product.id)})


def _line_requests(form: OrderForm) -> list[services.LineRequest]:
    """The lines with a quantity; a product left empty is not ordered."""
    return [
        services.LineRequest(entry.product_id.data or 0, entry.quantity.data)
        for entry in form.lines
        if entry.quantity.data is not None
    ]


def _refuse_small_first_order(
    agreement: Agreement, lines: Sequence[services.LineRequest], order: Order | None, on: date
) -> None:
    """§2.1, checked before anything is saved when the order is to be submitted at once: the
    service checks it again on submitting, but by then the draft would already be stored. Lines the
    service will refuse for another reason (unauthorised, unpriced) are left to it."""
    if not lines or not services.is_first_order(agreement, excluding=order.id if order else None):
        return
    prices = services.agent_prices(list_in_force(on), [line.product_id for line in lines], agreement, on)
    if any(line.product_id not in prices for line in lines):
        return
    total = order_total(Line(line.quantity, prices[line.product_id]) for line in lines)
    check_first_order(total, agreement.terms_on(on).first_order_min)


def _show_error(form: Any, error: DomainError) -> None:
    """A refusal on its field when the form has one, else above the form (never lost); the lines'
    own errors go above the form too, since they name no one line."""
    refuse(form, error, above_form=("lines", "quantity"))


def _products_of(agreement: Agreement, order: Order | None) -> list[Product]:
    products = list(agreement.products)
    if order is not None:  # a product the agreement no longer authorises still shows on its draft
        known = {p.id for p in products}
        products += [line.product for line in order.lines if line.product_id not in known]
    return products


def _render_form(
    form: OrderForm, agreement: Agreement | None, order: Order | None, options: Sequence[Agreement], status: int = 200
) -> Any:
    on = today()
    context: dict[str, Any] = {
        "form": form,
        "agreement": agreement,
        "order": order,
        "options": options,
        "suggestions": period_suggestions(on),
    }
    if agreement is not None:
        products = {p.id: p for p in _products_of(agreement, order)}
        price_list = list_in_force(on)
        prices = services.agent_prices(price_list, list(products), agreement, on)
        rows = []
        for entry in form.lines:
            product_id = entry.product_id.data or 0
            price = prices.get(product_id)
            quantity = entry.quantity.data
            amount = Line(quantity, price).amount if price is not None and quantity else None
            rows.append(
                {
                    "entry": entry,
                    "product": products.get(product_id),
                    "price": price,
                    "amount": amount,
                    "price_fen": to_fen(price) if price is not None else "",
                }
            )
        terms = agreement.terms_on(on)
        meter = quota_meter(agreement, on)
        total = sum((row["amount"] for row in rows if row["amount"] is not None), Decimal("0.00"))
        context.update(
            rows=rows,
            price_list=price_list,
            terms=terms,
            meter=meter,
            total=total,
            is_first=services.is_first_order(agreement, excluding=order.id if order else None),
            open_for_orders=agreement.binds(on),
            fen={
                "ordered": to_fen(meter.ordered),
                "quota": to_fen(meter.quota),
                "with_order": min(to_fen(meter.ordered + total), to_fen(meter.quota)),
                "minimum": to_fen(terms.first_order_min),
            },
            percent_with_order=(to_fen(meter.ordered + total) * 100 // to_fen(meter.quota)) if meter.quota > 0 else 0,
        )
    return render_template("orders/form.html", **context), status


def _chosen_agreement(options: Sequence[Agreement]) -> Agreement | None:
    """The agreement named by ``agreement_id`` (query string or form), inside the caller's scope
    (another distributor's answers 404); without one, the only agreement one may order under."""
    raw = request.values.get("agreement_id", "").strip()
    if raw:
        ident = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_INT else None
        agreement = agreement_in_scope(ident) if ident else None
        if agreement is None:
            abort(404)
        return agreement
    return options[0] if len(options) == 1 else None


def _save(form: OrderForm, agreement: Agreement, order: Order | None, on: date) -> Any:
    """Save the draft (new or changed) and, when the user asked for it, submit it. Answers the
    redirect to the order, or None when the form is to be shown again: nothing was saved."""
    lines = _line_requests(form)
    submitting = request.form.get("action") == "submit"
    details: dict[str, Any] = {
        "period": form.period.data or "",
        "wanted_delivery_on": form.wanted_delivery_on.data,
        "notes": (form.notes.data or "").strip(),
    }
    try:
        if submitting:
            _refuse_small_first_order(agreement, lines, order, on)
        if order is None:
            order = services.create_order(agreement, lines, on=on, created_by_id=current_user.id, **details)
        else:
            services.update_order(order, lines, on=on, **details)
    except DomainError as error:
        _show_error(form, error)
        return None
    if not submitting:
        flash(_("Order %(number)s saved as a draft.", number=order.number), "success")
    else:
        try:
            services.submit_order(order, current_user.role, on)
        except DomainError as error:  # a rule checked only on submitting (the draft itself is saved)
            flash(
                _(
                    "Order %(number)s is saved as a draft but was not submitted: %(reason)s",
                    number=order.number,
                    reason=domain_message(error),
                ),
                "danger",
            )
        else:
            flash(_("Order %(number)s submitted to head office.", number=order.number), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_draft_orders)
def new() -> Any:
    """Draft an order: a distributor under its active agreement, or sales on a distributor's behalf."""
    on = today()
    options = ordering_agreements(on)
    agreement = _chosen_agreement(options)
    form = OrderForm()
    if agreement is None:
        return _render_form(form, None, None, options)
    if request.method == "GET":
        _fill_lines(form, agreement.products, {})
    form.agreement_id.data = str(agreement.id)
    if form.validate_on_submit() and (saved := _save(form, agreement, None, on)) is not None:
        return saved
    return _render_form(form, agreement, None, options, form_status(form))


@bp.route("/<int:order_id>/edit", methods=["GET", "POST"])
@allowed(may_draft_orders)
@loads(Order, "order_id")
def edit(order: Order) -> Any:
    """Change a draft: its quantities, period, wanted delivery date and notes."""
    if order.status is not OrderStatus.DRAFT:
        raise DomainError(N_("Only a draft order can be changed."))
    agreement = order.agreement
    if request.method == "GET":
        form = OrderForm(
            data={"period": order.period, "wanted_delivery_on": order.wanted_delivery_on, "notes": order.notes}
        )
        _fill_lines(form, _products_of(agreement, order), {line.product_id: line.quantity for line in order.lines})
    else:
        form = OrderForm()
    form.agreement_id.data = str(agreement.id)
    if form.validate_on_submit() and (saved := _save(form, agreement, order, today())) is not None:
        return saved
    return _render_form(form, agreement, order, [], form_status(form))


# --- an order's page and its steps ---------------------------------------------------------------


def _render_show(
    order: Order,
    *,
    confirm_form: ConfirmForm | None = None,
    cancel_form: CancelForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> Any:
    order = order_in_full(order.id)
    on = today()
    role, books = current_user.role, current_user.may(may_book_payments)
    terms = order.agreement.terms_on(on)
    undecided = order.status in UNCONFIRMED
    is_first = services.is_first_order(order.agreement, excluding=order.id) if undecided else order.is_first_order
    actions = {
        # A draft is changed by whoever may submit it.
        "edit": can(order.status, OrderEvent.SUBMIT, role),
        "submit": can(order.status, OrderEvent.SUBMIT, role),
        "confirm": can(order.status, OrderEvent.CONFIRM, role),
        "cancel": can(order.status, OrderEvent.CANCEL, role),
        "pay": books and order.status in AWAITING_PAYMENT,
        "void": books and order.status in PAYABLE,
        "ship": can(order.status, OrderEvent.SHIP_PART, role),
        "close": can(order.status, OrderEvent.CLOSE, role),
    }
    if confirm_form is None:
        confirm_form = ConfirmForm(formdata=None, data={"confirmed_on": on})
    return render_template(
        "orders/show.html",
        order=order,
        actions=actions,
        confirm_form=confirm_form,
        cancel_form=cancel_form or CancelForm(formdata=None),
        refusal=refusal,
        terms=terms,
        is_first=is_first,
        indicative=order.confirmed_on is None,
        on=on,
        deposit_late=deposit_late(order, on),
        reason_needed=order.status is OrderStatus.CONFIRMED,
        below_minimum=is_first and undecided and order.total < terms.first_order_min,
    ), status


def _show_refused(order: Order, error: DomainError, **forms: Any) -> Any:
    """The order's page again with the refusal on the form's field, else as the page's message."""
    placed = any(apply_domain_error(form, error) for form in forms.values())
    return _render_show(order, refusal=None if placed else domain_message(error), status=refusal_status(error), **forms)


@bp.get("/<int:order_id>")
@allowed(may_read)
@loads(Order, "order_id")
def show(order: Order) -> Any:
    return _render_show(order)


@bp.post("/<int:order_id>/submit")
@allowed(may_draft_orders)
@loads(Order, "order_id")
def submit(order: Order) -> Any:
    """§6.2.1: submit a draft to head office; a first order must reach the first-order minimum."""
    try:
        services.submit_order(order, current_user.role, today())
    except DomainError as error:
        return _show_refused(order, error)
    flash(_("Order %(number)s submitted to head office.", number=order.number), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.post("/<int:order_id>/confirm")
@allowed(may_confirm_orders)
@loads(Order, "order_id")
def confirm(order: Order) -> Any:
    """§6.1.2, §6.3.1: sales confirms; prices lock from the list in force on the confirmation date."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_show(order, confirm_form=form, status=422)
    try:
        services.confirm_order(order, current_user.role, form.confirmed_on.data, today=today())
    except DomainError as error:
        return _show_refused(order, error, confirm_form=form)
    flash(
        _(
            "Order %(number)s confirmed: the prices are locked and the deposit is due on %(due)s.",
            number=order.number,
            due=day(order.deposit_due_on),
        ),
        "success",
    )
    return redirect(url_for("orders.show", order_id=order.id))


@bp.post("/<int:order_id>/cancel")
@allowed(may_draft_orders)
@loads(Order, "order_id")
def cancel(order: Order) -> Any:
    """Cancel a draft or a submitted order; head office also a confirmed one, with a reason."""
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_show(order, cancel_form=form, status=422)
    try:
        services.cancel_order(order, current_user.role, today(), form.reason.data or "")
    except DomainError as error:
        return _show_refused(order, error, cancel_form=form)
    flash(_("Order %(number)s cancelled.", number=order.number), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.post("/<int:order_id>/close")
@allowed(may_ship_orders)
@loads(Order, "order_id")
def close(order: Order) -> Any:
    """Close a fully shipped order."""
    try:
        services.close_order(order, current_user.role)
    except DomainError as error:
        return _show_refused(order, error)
    flash(_("Order %(number)s closed.", number=order.number), "success")
    return redirect(url_for("orders.show", order_id=order.id))
