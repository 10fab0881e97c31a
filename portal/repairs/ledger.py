"""Repair fees for finance: booking and voiding payments against a batch, releasing a withheld batch,
the repair-fee ledger with ageing and withheld batches, and its Excel export (docs/rules.md §7.2).

Head office reads every distributor's ledger; a distributor reads its own (the list is scoped, and
its batches' payments load through the scope). Finance books and voids; sales and administrators
release. A refused form is shown again with what was typed, with 409 or 422 (portal.forms).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.permissions import may_book_payments, may_read, may_read_every_distributor, may_release_repair_batches
from ..domain.repairs import AWAITING_FEES, NOTIFIED_OR_LATER, PAYMENTS_MOVE, FeeAgeing
from ..exports import download, stream
from ..forms import attempt, form_status
from ..i18n import money
from ..security import allowed, current_user_may, loads
from . import fees
from .blueprint import bp
from .exports import batches_sheet, ledger_file_name, totals_sheet
from .fee_forms import FeePaymentForm, FeeVoidForm, ReleaseForm
from .ledger_queries import (
    LedgerFilters,
    export_runs,
    grand_totals,
    ledger_page,
    ledger_totals_matching,
    ledger_totals_page,
)
from .models import RepairBatch, RepairFeePayment


@bp.context_processor
def fee_helpers() -> dict[str, Any]:
    """What templates/repairs/_fee_payments.html reads besides ``batch`` (the batch page includes it)."""
    return {
        "fee_rules": {
            "takes_payments": NOTIFIED_OR_LATER,
            "payments_move": PAYMENTS_MOVE,
            "releasable": AWAITING_FEES,
        },
        "FeeAgeing": FeeAgeing,
        "fee_on": today(),
    }


def _filters() -> LedgerFilters:
    ageing = request.args.get("ageing", "")
    return LedgerFilters(
        distributor_id=distributor_arg(),
        ageing=FeeAgeing(ageing) if ageing in {a.value for a in FeeAgeing} else None,
        withheld_only=request.args.get("withheld", "") == "1",
    )


@bp.get("/ledger")
@allowed(may_read)
def ledger() -> Any:
    """The repair-fee ledger: per distributor and per batch, what was charged, paid and is still
    outstanding, its ageing and the withheld batches. A distributor sees its own."""
    filters, on = _filters(), today()
    every = current_user_may(may_read_every_distributor)
    return render_template(
        "repairs/ledger.html",
        page=ledger_page(filters, on),
        totals=ledger_totals_page(filters, on),
        grand=grand_totals(filters, on),
        filters=filters,
        picker=picked_distributor() if every else None,
        ageings=list(FeeAgeing),
        on=on,
    )


def _ledger_download(file_format: str) -> Any:
    filters, on = _filters(), today()
    sheets = [batches_sheet(chain.from_iterable(stream(run) for run in export_runs(filters, on)))]
    if file_format != "csv":
        sheets.insert(0, totals_sheet(stream(ledger_totals_matching(filters, on))))
    return download(sheets, ledger_file_name(on), file_format)


@bp.get("/ledger.xlsx")
@allowed(may_read)
def ledger_export() -> Any:
    """The filtered ledger as an Excel workbook: the totals per distributor, then each batch."""
    return _ledger_download("xlsx")


@bp.get("/ledger.csv")
@allowed(may_read)
def ledger_export_csv() -> Any:
    """The filtered ledger's batches as a CSV file."""
    return _ledger_download("csv")


def _back_to(batch_id: int) -> str:
    """Where a form sent from the batch page (the partial's hidden ``back``) returns: a page of this
    area only, never another site; else the batch's payments."""
    back = request.form.get("back", "")
    if back.startswith("/repairs/") and "//" not in back and "\\" not in back:
        return back
    return url_for("repairs.fee_payments", batch_id=batch_id)


def _payments_page(
    batch: RepairBatch,
    *,
    fee_form: FeePaymentForm | None = None,
    void_form: FeeVoidForm | None = None,
    voiding: int | None = None,
    release_form: ReleaseForm | None = None,
) -> Any:
    """The batch's fee payments with the book, void and release forms; the form refused (if any)
    shows its messages and what was typed, and gives the status."""
    refused = next((form for form in (fee_form, void_form, release_form) if form is not None), None)
    return render_template(
        "repairs/ledger_payments.html",
        batch=batch,
        fee_form=fee_form,
        void_form=void_form,
        voiding=voiding,
        release_form=release_form,
    ), form_status(refused)


@bp.get("/batches/<int:batch_id>/payments")
@allowed(may_read)
@loads(RepairBatch, "batch_id", as_="batch")
def fee_payments(batch: RepairBatch) -> Any:
    """A batch's fee payments, voided ones included (a distributor reads its own)."""
    return _payments_page(batch)


@bp.post("/batches/<int:batch_id>/payments")
@allowed(may_book_payments)
@loads(RepairBatch, "batch_id", as_="batch")
def book_fee_payment(batch: RepairBatch) -> Any:
    """Finance books money received against the batch's repair fees."""
    form = FeePaymentForm()
    if form.validate_on_submit():
        payment = attempt(
            form,
            fees.record_fee_payment,
            batch,
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
                    "Payment of %(amount)s booked against repair batch %(number)s.",
                    amount=money(payment.amount),
                    number=batch.number,
                ),
                "success",
            )
            return redirect(_back_to(batch.id))
    return _payments_page(batch, fee_form=form)


@bp.post("/payments/<int:payment_id>/void")
@allowed(may_book_payments)
@loads(RepairFeePayment, "payment_id", as_="payment")
def void_fee_payment(payment: RepairFeePayment) -> Any:
    """Void a wrong fee payment with a reason; it stays on the list, struck through."""
    form = FeeVoidForm()
    if form.validate_on_submit():
        voided = attempt(
            form, fees.void_fee_payment, payment, reason=form.reason.data or "", voided_by_id=current_user.id
        )
        if voided is not None:
            flash(_("Payment %(reference)s voided.", reference=voided.bank_reference), "success")
            return redirect(_back_to(voided.batch_id))
    return _payments_page(payment.batch, void_form=form, voiding=payment.id)


@bp.post("/batches/<int:batch_id>/release")
@allowed(may_release_repair_batches)
@loads(RepairBatch, "batch_id", as_="batch")
def release_batch(batch: RepairBatch) -> Any:
    """Head office lets the boards go back although fees are unpaid, with a reason (audited)."""
    form = ReleaseForm()
    if form.validate_on_submit():
        released = attempt(
            form,
            fees.release_batch,
            batch,
            reason=form.reason.data or "",
            released_by_id=current_user.id,
            today=today(),
        )
        if released is not None:
            flash(_("Batch %(number)s released: its boards may be shipped back.", number=released.number), "success")
            return redirect(_back_to(batch.id))
    return _payments_page(batch, release_form=form)
