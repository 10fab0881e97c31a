"""Order use cases (docs/rules.md §6): drafting, submitting, confirming, cancelling and closing
orders; payments are booked in portal.receivables.services, shipments in portal.boards.services.
Each one is a transaction: it locks what it changes, checks the rules of portal.domain.orders and
writes; portal.transactions commits it, or rolls it back on a refusal, which so changes nothing.

Dates are given by the caller (the pages and the API default them to today in Asia/Shanghai), and
so is ``today``: the services refuse an event dated after it (domain.dates.check_event_date), so the
pages and the API show the same message. Nothing here reads the clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..agreements.models import Agreement, agreement_products
from ..audit.tracking import audit_reason
from ..domain.agreements import AgreementStatus
from ..domain.dates import check_event_date
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.orders import (
    CONFIRMED_OR_LATER,
    Line,
    OrderEvent,
    OrderStatus,
    PaymentState,
    check_first_order,
    check_quantity,
    check_wanted_delivery_on,
    confirm,
    order_total,
    payment_state,
    status_from_payments,
    transition,
)
from ..domain.orders import Payment as PaymentFact
from ..domain.orders import delivery_due_on as delivery_due
from ..domain.roles import Role
from ..extensions import db
from ..pricing.models import PriceList, PriceListItem
from ..pricing.services import list_in_force
from ..products.models import Product
from ..transactions import locked, transactional
from .models import Order, OrderLine


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int


# --- reading prices ------------------------------------------------------------------------------


def agent_prices(
    price_list: PriceList | None, product_ids: Sequence[int], agreement: Agreement, on: date
) -> dict[int, Decimal]:
    """The agent price of each product in ``price_list`` for the agreement's level on ``on``
    (``Agreement.level_on``: a promotion after an assessment counts from its date, §2.2; one query)."""
    if price_list is None or not product_ids:
        return {}
    level = agreement.level_on(on)
    items = db.session.scalars(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list.id, PriceListItem.product_id.in_(product_ids)
        )
    )
    return {item.product_id: item.prices.agent_price(level) for item in items}


# --- drafting and submitting ---------------------------------------------------------------------


def _check_agreement_open(agreement: Agreement, on: date) -> None:
    if agreement.status_on(on) is not AgreementStatus.ACTIVE or not agreement.starts_on <= on:
        raise DomainError(N_("Orders are placed only under an active agreement."), field="agreement_id")


def _authorised_product_ids(agreement: Agreement) -> set[int]:
    return set(
        db.session.scalars(
            select(agreement_products.c.product_id).where(agreement_products.c.agreement_id == agreement.id)
        )
    )


def _check_lines(agreement: Agreement, lines: Sequence[LineRequest]) -> None:
    if not lines:
        raise InvalidValue(N_("Add at least one product."), field="lines")
    authorised = _authorised_product_ids(agreement)
    seen: set[int] = set()
    for line in lines:
        check_quantity(line.quantity)
        if line.product_id not in authorised:
            raise InvalidValue(N_("This agreement does not authorise that product."), field="lines")
        if line.product_id in seen:
            raise InvalidValue(N_("Each product appears once; add up its quantities."), field="lines")
        seen.add(line.product_id)


def is_first_order(agreement: Agreement, excluding: int | None = None) -> bool:
    """§2.1: the agreement's first order is the first one head office confirms; drafts, submitted
    and cancelled orders do not count, so a second draft cannot make the first one ordinary."""
    confirmed = (
        select(func.count())
        .select_from(Order)
        .where(Order.agreement_id == agreement.id, Order.status.in_(CONFIRMED_OR_LATER), Order.id != (excluding or -1))
    )
    return not db.session.scalar(confirmed)


def _set_lines(order: Order, agreement: Agreement, lines: Sequence[LineRequest], on: date) -> None:
    prices = agent_prices(list_in_force(on), [line.product_id for line in lines], agreement, on)
    missing = [line.product_id for line in lines if line.product_id not in prices]
    if missing:
        skus = ", ".join(db.session.scalars(select(Product.sku).where(Product.id.in_(missing))))
        raise DomainError(
            N_("No price is in force for %(skus)s; head office must publish one first."), field="lines", skus=skus
        )
    # A product kept on an edited draft keeps its row (updated in place): replacing it with a new
    # row would INSERT before the old one is DELETEd and break the (order, product) unique key.
    existing = {line.product_id: line for line in order.lines}
    rows = []
    for line in lines:
        row = existing.get(line.product_id) or OrderLine(product_id=line.product_id)
        row.quantity, row.unit_price = line.quantity, prices[line.product_id]
        row.amount = Line(line.quantity, row.unit_price).amount
        rows.append(row)
    order.lines = rows
    order.total = order_total(Line(line.quantity, line.unit_price) for line in order.lines)


@transactional
def create_order(
    agreement: Agreement,
    lines: Sequence[LineRequest],
    *,
    on: date,
    created_by_id: int | None,
    period: str = "",
    wanted_delivery_on: date | None = None,
    notes: str = "",
) -> Order:
    """A draft order under ``agreement``, priced for information from the list in force ``on``
    (today)."""
    check_wanted_delivery_on(wanted_delivery_on, today=on)
    _check_agreement_open(agreement, on)
    _check_lines(agreement, lines)
    order = Order(
        number=f"tmp-{uuid.uuid4().hex[:12]}",
        distributor_id=agreement.distributor_id,
        agreement_id=agreement.id,
        period=period,
        wanted_delivery_on=wanted_delivery_on,
        notes=notes,
        status=OrderStatus.DRAFT,
        created_by_id=created_by_id,
    )
    _set_lines(order, agreement, lines, on)
    order.is_first_order = is_first_order(agreement)
    db.session.add(order)
    db.session.flush()
    order.number = f"PO-{on.year}-{order.id:06d}"
    return order


@transactional
def update_order(
    order: Order,
    lines: Sequence[LineRequest],
    *,
    on: date,
    period: str = "",
    wanted_delivery_on: date | None = None,
    notes: str = "",
) -> Order:
    order = locked(Order, order.id)
    if order.status is not OrderStatus.DRAFT:
        raise DomainError(N_("Only a draft order can be changed."))
    check_wanted_delivery_on(wanted_delivery_on, today=on)
    agreement = order.agreement
    _check_agreement_open(agreement, on)
    _check_lines(agreement, lines)
    order.period, order.wanted_delivery_on, order.notes = period, wanted_delivery_on, notes
    _set_lines(order, agreement, lines, on)
    return order


@transactional
def submit_order(order: Order, role: Role, on: date) -> Order:
    order = locked(Order, order.id)
    status = transition(order.status, OrderEvent.SUBMIT, role)
    agreement = order.agreement
    _check_agreement_open(agreement, on)
    order.is_first_order = is_first_order(agreement, excluding=order.id)
    if order.is_first_order:
        check_first_order(order.total, agreement.terms_on(on).first_order_min)
    order.status, order.submitted_on = status, on
    return order


@transactional
def confirm_order(order: Order, role: Role, confirmed_on: date, *, today: date) -> Order:
    """§6.1.2, §6.3.1: prices lock from the list in force on the confirmation date for the
    agreement's level on that date (§2.2: a promotion counts from its date); deposit, balance and
    the deposit due date follow. The agreement row is locked so two confirmations cannot both
    count as its first order."""
    check_event_date(confirmed_on, today=today, field="confirmed_on")
    locked(Agreement, order.agreement_id)
    order = locked(Order, order.id)
    status = transition(order.status, OrderEvent.CONFIRM, role)
    _check_agreement_open(order.agreement, confirmed_on)
    if order.submitted_on and confirmed_on < order.submitted_on:
        raise InvalidValue(N_("An order cannot be confirmed before it was submitted."), field="confirmed_on")
    agreement = order.agreement
    price_list = list_in_force(confirmed_on)
    prices = agent_prices(price_list, [line.product_id for line in order.lines], agreement, confirmed_on)
    missing = [line.product.sku for line in order.lines if line.product_id not in prices]
    if missing:
        raise DomainError(
            N_("No price is in force for %(skus)s; head office must publish one first."), skus=", ".join(missing)
        )
    for line in order.lines:
        line.unit_price = prices[line.product_id]
        line.amount = Line(line.quantity, line.unit_price).amount
    order.total = order_total(Line(line.quantity, line.unit_price) for line in order.lines)
    order.is_first_order = is_first_order(agreement, excluding=order.id)
    terms = agreement.terms_on(confirmed_on)
    if order.is_first_order:
        check_first_order(order.total, terms.first_order_min)
    result = confirm(
        order.total,
        is_first_order=order.is_first_order,
        deposit_percent=terms.deposit_percent,
        deposit_due_days=terms.deposit_due_days,
        confirmed_on=confirmed_on,
    )
    order.price_list_id = price_list.id if price_list else None
    order.deposit_amount, order.balance_amount = result.deposit_amount, result.balance_amount
    order.deposit_due_on, order.confirmed_on, order.status = result.deposit_due_on, confirmed_on, status
    live = [PaymentFact(p.amount, p.received_on) for p in order.payments if p.voided_at is None]
    apply_payments(order, live)  # a zero deposit is paid on confirmation
    return order


@transactional
def cancel_order(order: Order, role: Role, on: date, reason: str = "") -> Order:
    order = locked(Order, order.id)
    status = transition(order.status, OrderEvent.CANCEL, role)
    if order.status is OrderStatus.CONFIRMED and not reason.strip():
        raise InvalidValue(N_("Give a reason for cancelling a confirmed order."), field="reason")
    if order.paid_amount > 0:
        raise DomainError(N_("Money was received on this order: finance voids or refunds it before it is cancelled."))
    with audit_reason(reason.strip()):
        order.status, order.cancelled_on, order.cancel_reason = status, on, reason.strip()
        db.session.flush()
    return order


@transactional
def close_order(order: Order, role: Role) -> Order:
    """Head office closes a fully shipped order once nothing more is expected on it."""
    order = locked(Order, order.id)
    order.status = transition(order.status, OrderEvent.CLOSE, role)
    return order


# --- payments ------------------------------------------------------------------------------------


def apply_payments(order: Order, payments: Sequence[PaymentFact]) -> PaymentState:
    """The order's paid amount, dates and status follow ``payments``, those not voided."""
    state = payment_state(
        payments,
        deposit=order.deposit_amount or Decimal("0.00"),
        total=order.total,
        confirmed_on=order.confirmed_on,
    )
    order.paid_amount = state.paid_amount
    order.deposit_paid_on, order.paid_in_full_on = state.deposit_paid_on, state.paid_in_full_on
    # The delivery period is the one in force when the deposit arrived (the event it counts from).
    terms = order.agreement.terms_on(state.deposit_paid_on or order.confirmed_on or date.min)
    order.delivery_due_on = delivery_due(state, terms.delivery_days)
    order.status = status_from_payments(order.status, state)
    return state
