"""Receivables: finance books and voids payments (docs/rules.md §6); head office sees what is owed,
due and overdue, by distributor, and exports it to Excel; a distributor reads its own payments."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.orders import AWAITING_PAYMENT, days_late
from ..domain.permissions import may_book_payments, may_read, may_read_receivables
from ..exports import download, stream
from ..extensions import db
from ..forms import attempt, form_status
from ..i18n import money
from ..orders.models import Order
from ..pagination import page_end
from ..security import allowed, loads
from . import services
from .exports import receivables_sheet
from .forms import PaymentForm, VoidForm
from .models import Payment
from .queries import (
    DueState,
    Filters,
    ReceivableKind,
    distributors_owing,
    owed_overall,
    paginate_rows,
    receivables_matching,
    totals_of,
)

bp = Blueprint("receivables", __name__, url_prefix="/receivables")


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "days_late": days_late,
        "today": today(),
    }


def _filters() -> Filters:
    state = request.args.get("state", "")
    kind = request.args.get("kind", "")
    return Filters(
        distributor_id=distributor_arg(),
        state=DueState(state) if state in {s.value for s in DueState} else None,
        kind=ReceivableKind(kind) if kind in {k.value for k in ReceivableKind} else None,
    )


@bp.get("/")
@allowed(may_read_receivables)
def index() -> Any:
    """Deposits and balances owed, the longest overdue first, with totals per distributor: one
    aggregate counts both lists and sums them all, then a page of each (the totals of a page of
    distributors only)."""
    filters, on = _filters(), today()
    picker = picked_distributor()
    overall = owed_overall(filters, on)
    distributors = paginate_rows(distributors_owing(filters, on), "totals_page", total=overall.distributors)
    distributors.items = totals_of(distributors.items, filters, on)
    return render_template(
        "receivables/index.html",
        page=paginate_rows(receivables_matching(filters, on, page_end()), total=overall.owed.count),
        totals=distributors,
        owed=overall.owed,
        filters=filters,
        picker=picker,
        states=list(DueState),
        kinds=list(ReceivableKind),
        ReceivableKind=ReceivableKind,
    )


def _export(file_format: str) -> Any:
    filters, on = _filters(), today()
    sheet = receivables_sheet(stream(receivables_matching(filters, on)), on)
    return download([sheet], f"receivables-{on.isoformat()}", file_format)


@bp.get("/export.xlsx")
@allowed(may_read_receivables)
def export() -> Any:
    """The filtered list as an Excel workbook, streamed (portal.exports)."""
    return _export("xlsx")


@bp.get("/export.csv")
@allowed(may_read_receivables)
def export_csv() -> Any:
    """The filtered list as a CSV file, streamed (portal.exports)."""
    return _export("csv")


def _payments_of(order: Order) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment).where(Payment.order_id == order.id).order_by(Payment.received_on, Payment.id)
        )
    )


def _payments_page(order: Order, void_form: VoidForm | None = None, voiding: int | None = None) -> Any:
    """The order's payments; ``void_form`` refused for payment ``voiding`` is shown on its row."""
    return render_template(
        "receivables/payments.html",
        order=order,
        payments=_payments_of(order),
        void_form=void_form or VoidForm(formdata=None),
        voiding=voiding,
        takes_payments=order.status in AWAITING_PAYMENT,
    ), form_status(void_form)


@bp.get("/orders/<int:order_id>/payments")
@allowed(may_read)
@loads(Order, "order_id")
def payments(order: Order) -> Any:
    """An order's payments, voided ones included (a distributor reads its own)."""
    return _payments_page(order)


@bp.route("/orders/<int:order_id>/payments/new", methods=["GET", "POST"])
@allowed(may_book_payments)
@loads(Order, "order_id")
def new_payment(order: Order) -> Any:
    """Finance books money received against the order."""
    form = PaymentForm()
    if form.validate_on_submit():
        payment = attempt(
            form,
            services.record_payment,
            order,
            amount=form.amount.data,
            received_on=form.received_on.data,
            bank_reference=form.bank_reference.data or "",
            payer=form.payer.data or "",
            recorded_by_id=current_user.id,
            today=today(),
        )
        if payment is not None:
            flash(
                _(
                    "Payment of %(amount)s booked against order %(number)s.",
                    amount=money(payment.amount),
                    number=order.number,
                ),
                "success",
            )
            return redirect(url_for("receivables.payments", order_id=order.id))
    return render_template(
        "receivables/new_payment.html",
        order=order,
        form=form,
        payments=_payments_of(order),
        void_form=VoidForm(formdata=None),
        takes_payments=order.status in AWAITING_PAYMENT,
        max_date=today().isoformat(),
    ), form_status(form)


@bp.post("/payments/<int:payment_id>/void")
@allowed(may_book_payments)
@loads(Payment, "payment_id")
def void_payment(payment: Payment) -> Any:
    """Void a wrong payment with a reason; it stays on the list, struck through. Refused, the
    order's payments are shown again with the reason typed and the message on the payment's row."""
    form = VoidForm()
    if form.validate_on_submit():
        voided = attempt(
            form, services.void_payment, payment, reason=form.reason.data or "", voided_by_id=current_user.id
        )
        if voided is not None:
            flash(_("Payment %(reference)s voided.", reference=voided.bank_reference), "success")
            return redirect(url_for("receivables.payments", order_id=voided.order_id))
    return _payments_page(payment.order, form, payment.id)
