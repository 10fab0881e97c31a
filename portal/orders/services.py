"""Order use cases (docs/rules.md §6, §7.1). Each one is a transaction: it locks what it changes,
checks the rules of portal.domain.orders and writes; portal.transactions commits it, or rolls it back
on a refusal, which so changes nothing.

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
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..agreements.models import Agreement, agreement_products
from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..domain.agreements import AgreementStatus
from ..domain.dates import check_event_date
from ..domain.errors import N_, DomainError, Duplicate, InvalidValue
from ..domain.notices import NoticeType
from ..domain.orders import (
    AWAITING_DEPOSIT,
    AWAITING_PAYMENT,
    CONFIRMED_OR_LATER,
    PAYABLE,
    Line,
    OrderEvent,
    OrderStatus,
    PaymentState,
    check_first_order,
    check_payment,
    check_quantity,
    check_wanted_delivery_on,
    confirm,
    deposit_is_late,
    order_total,
    payment_state,
    status_from_payments,
    transition,
)
from ..domain.orders import Payment as PaymentFact
from ..domain.orders import delivery_due_on as delivery_due
from ..domain.roles import Role
from ..domain.warranty import warranty_end
from ..extensions import db
from ..notices.services import issue_notice
from ..pricing.models import PriceList, PriceListItem
from ..pricing.services import list_in_force
from ..products.models import Product
from ..transactions import transactional
from .models import Board, Order, OrderLine, Payment, Shipment, ShipmentLine
from .queries import replaced_quantities


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class ShipmentLineRequest:
    product_id: int
    quantity: int
    serials: Sequence[str] = ()


class SerialProblems(DomainError):
    """Every bad serial of a shipment, listed (docs/rules.md §6: serials are unique across the portal).
    Each problem is (serial or SKU, message, params) for the page and the API to translate."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__(N_("Some serial numbers cannot be shipped; see the list."), field="serials")
        self.problems = problems

    def details(self) -> list[tuple[str, dict[str, Any]]]:
        return [(message, params) for _serial, message, params in self.problems]


# --- reading prices ------------------------------------------------------------------------------


def agent_prices(price_list: PriceList | None, product_ids: Sequence[int], agreement: Agreement) -> dict[int, Decimal]:
    """The agent price of each product for the agreement's level in ``price_list`` (one query)."""
    if price_list is None or not product_ids:
        return {}
    items = db.session.scalars(
        select(PriceListItem).where(
            PriceListItem.price_list_id == price_list.id, PriceListItem.product_id.in_(product_ids)
        )
    )
    return {item.product_id: item.prices.agent_price(agreement.level) for item in items}


# --- drafting and submitting ---------------------------------------------------------------------


def _lock(model: Any, ident: int) -> Any:
    """Reload a row with a write lock (PostgreSQL: SELECT … FOR UPDATE; SQLite: BEGIN IMMEDIATE
    already serialises writers), so two requests cannot both act on what they read."""
    # populate_existing: the row may already be in the session, read before the lock; refresh it.
    return db.session.scalar(
        select(model).where(model.id == ident).with_for_update().execution_options(populate_existing=True)
    )


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
    prices = agent_prices(list_in_force(on), [line.product_id for line in lines], agreement)
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
    order = _lock(Order, order.id)
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
    order = _lock(Order, order.id)
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
    agreement's level; deposit, balance and the deposit due date follow. The agreement row is locked
    so two confirmations cannot both count as its first order."""
    check_event_date(confirmed_on, today=today, field="confirmed_on")
    _lock(Agreement, order.agreement_id)
    order = _lock(Order, order.id)
    status = transition(order.status, OrderEvent.CONFIRM, role)
    _check_agreement_open(order.agreement, confirmed_on)
    if order.submitted_on and confirmed_on < order.submitted_on:
        raise InvalidValue(N_("An order cannot be confirmed before it was submitted."), field="confirmed_on")
    agreement = order.agreement
    price_list = list_in_force(confirmed_on)
    prices = agent_prices(price_list, [line.product_id for line in order.lines], agreement)
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
    _apply_payments(order)  # a zero deposit is paid on confirmation
    return order


@transactional
def cancel_order(order: Order, role: Role, on: date, reason: str = "") -> Order:
    order = _lock(Order, order.id)
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
    order = _lock(Order, order.id)
    order.status = transition(order.status, OrderEvent.CLOSE, role)
    return order


# --- payments ------------------------------------------------------------------------------------


def _live_payments(order: Order) -> list[PaymentFact]:
    rows = db.session.execute(
        select(Payment.amount, Payment.received_on).where(Payment.order_id == order.id, Payment.voided_at.is_(None))
    )
    return [PaymentFact(amount, received_on) for amount, received_on in rows]


def _apply_payments(order: Order) -> PaymentState:
    state = payment_state(
        _live_payments(order),
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


@transactional
def record_payment(
    order: Order,
    *,
    amount: Decimal,
    received_on: date,
    bank_reference: str,
    payer: str,
    recorded_by_id: int | None,
    today: date,
) -> Payment:
    """Book money received. The order row is locked first, so twenty clerks posting at once end
    with the exact sum or with the over-paying ones refused; the same slip twice is refused."""
    reference = bank_reference.strip()
    if not reference:
        raise InvalidValue(N_("Enter the bank reference of the transfer."), field="bank_reference")
    order = _lock(Order, order.id)
    check_payment(
        amount, received_on, confirmed_on=order.confirmed_on, paid=order.paid_amount, total=order.total, today=today
    )
    if order.status not in AWAITING_PAYMENT:
        raise DomainError(N_("Payments are booked against confirmed orders only."))
    taken = db.session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(
            Payment.distributor_id == order.distributor_id,
            Payment.bank_reference == reference,
            Payment.voided_at.is_(None),
        )
    )
    if taken:
        raise Duplicate(N_("This bank reference is already booked for this distributor."), field="bank_reference")
    payment = Payment(
        order_id=order.id,
        distributor_id=order.distributor_id,
        amount=amount,
        received_on=received_on,
        bank_reference=reference,
        payer=payer.strip(),
        recorded_by_id=recorded_by_id,
    )
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same slip posted by two clerks at the same moment
        raise Duplicate(
            N_("This bank reference is already booked for this distributor."), field="bank_reference"
        ) from error
    _apply_payments(order)
    return payment


@transactional
def void_payment(payment: Payment, *, reason: str, voided_by_id: int | None) -> Payment:
    """A wrong payment is voided with a reason, never deleted; the order's dates follow."""
    if not reason.strip():
        raise InvalidValue(N_("Give the reason for voiding this payment."), field="reason")
    order = _lock(Order, payment.order_id)
    payment = _lock(Payment, payment.id)
    if payment.voided_at is not None:
        raise DomainError(N_("This payment is already voided."))
    if order.status not in PAYABLE:
        raise DomainError(N_("The order has shipped or was cancelled; its payments can no longer be voided."))
    with audit_reason(reason.strip()):
        payment.voided_at, payment.voided_by_id, payment.void_reason = utcnow(), voided_by_id, reason.strip()
        db.session.flush()
        _apply_payments(order)
        db.session.flush()
    return payment


# --- shipping ------------------------------------------------------------------------------------


def normalize_serial(text: str) -> str:
    return (text or "").strip().upper()


def _check_shipped_on(shipped_on: date, today: date) -> None:
    check_event_date(shipped_on, today=today, field="shipped_on", message=N_("A shipment cannot leave in the future."))


@transactional
def ship_order(
    order: Order,
    lines: Sequence[ShipmentLineRequest],
    *,
    shipped_on: date,
    role: Role,
    today: date,
    carrier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """Ship some or all of the remaining units (§6.4). Each board's warranty runs from this date
    (§7.1). Every bad serial is listed; nothing ships while any is bad."""
    _check_shipped_on(shipped_on, today)
    order = _lock(Order, order.id)
    remaining = {line.product_id: line.quantity - line.shipped_quantity for line in order.lines}
    shipped_all = all(
        sum(line.quantity for line in lines if line.product_id == product_id) == left
        for product_id, left in remaining.items()
    )
    status = transition(order.status, OrderEvent.SHIP_ALL if shipped_all else OrderEvent.SHIP_PART, role)
    if order.paid_in_full_on and shipped_on < order.paid_in_full_on:
        raise InvalidValue(N_("Nothing ships before the order is paid in full."), field="shipped_on")
    shipment = _build_shipment(order, lines, remaining, shipped_on, carrier, tracking_number)
    for line in order.lines:
        line.shipped_quantity += sum(r.quantity for r in lines if r.product_id == line.product_id)
    order.status = status
    if status is OrderStatus.SHIPPED:
        order.shipped_on = shipped_on
    return shipment


@transactional
def ship_replacement(
    lost: Shipment,
    lines: Sequence[ShipmentLineRequest],
    *,
    shipped_on: date,
    today: date,
    carrier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """§6.4.1: loss or damage in transit is head office's; replacement units ship at no charge."""
    _check_shipped_on(shipped_on, today)
    lost = _lock(Shipment, lost.id)
    if not lost.lost_or_damaged:
        raise DomainError(N_("Mark the shipment lost or damaged before sending replacements."))
    if shipped_on < lost.shipped_on:
        raise InvalidValue(N_("Replacements cannot ship before the shipment they replace."), field="shipped_on")
    order = lost.order
    # Each lost unit is replaced once: what earlier replacements sent is no longer owed.
    replaced = replaced_quantities(lost)
    sent = {line.product_id: line.quantity - replaced.get(line.product_id, 0) for line in lost.lines}
    shipment = _build_shipment(order, lines, sent, shipped_on, carrier, tracking_number)
    shipment.replaces_shipment_id = lost.id
    return shipment


@transactional
def mark_lost_or_damaged(shipment: Shipment, note: str) -> Shipment:
    if not note.strip():
        raise InvalidValue(N_("Describe what was lost or damaged."), field="loss_note")
    shipment = _lock(Shipment, shipment.id)
    shipment.lost_or_damaged, shipment.loss_note = True, note.strip()
    return shipment


def _check_each_product_once(lines: Sequence[ShipmentLineRequest]) -> None:
    """At least one unit ships, and each product is on one line."""
    if not lines or all(line.quantity == 0 for line in lines):
        raise InvalidValue(N_("Ship at least one unit."), field="lines")
    if len({line.product_id for line in lines}) != len(lines):
        raise InvalidValue(N_("Each product appears once; add up its quantities."), field="lines")


def _check_within_what_remains(
    line: ShipmentLineRequest, allowed: dict[int, int], products: dict[int, Product]
) -> None:
    check_quantity(line.quantity)
    if line.product_id not in allowed:
        raise InvalidValue(N_("This product is not on the order."), field="lines")
    if line.quantity > allowed[line.product_id]:
        raise InvalidValue(
            N_("More units than remain to ship for %(sku)s."), field="lines", sku=products[line.product_id].sku
        )


def _serial_count_problems(
    product: Product, serials: list[str], quantity: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """A serialized product ships one serial number per unit; any other product none."""
    if product.serialized and len(serials) != quantity:
        return [
            (
                product.sku,
                N_("%(sku)s: %(count)s serial numbers for %(quantity)s units."),
                {"sku": product.sku, "count": len(serials), "quantity": quantity},
            )
        ]
    if not product.serialized and serials:
        return [(product.sku, N_("%(sku)s has no serial numbers."), {"sku": product.sku})]
    return []


def _serials_to_ship(
    lines: Sequence[ShipmentLineRequest], allowed: dict[int, int], products: dict[int, Product]
) -> dict[str, int]:
    """Each serial number to ship, with its product. Refuses a line beyond what remains to ship
    (InvalidValue), then every serial problem at once (SerialProblems): a count that does not match
    the units, a serial too long, listed twice, or already shipped."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    wanted: dict[str, int] = {}
    for line in lines:
        _check_within_what_remains(line, allowed, products)
        product = products[line.product_id]
        serials = [normalize_serial(s) for s in line.serials if normalize_serial(s)]
        problems += _serial_count_problems(product, serials, line.quantity)
        for serial in serials:
            if len(serial) > 60:
                problems.append(
                    (serial, N_("Serial %(serial)s is longer than 60 characters."), {"serial": serial[:60]})
                )
            elif serial in wanted:
                problems.append((serial, N_("Serial %(serial)s is listed twice."), {"serial": serial}))
            wanted[serial] = line.product_id
    if wanted:
        for serial in db.session.scalars(select(Board.serial).where(Board.serial.in_(list(wanted)))):
            problems.append((serial, N_("Serial %(serial)s has already shipped."), {"serial": serial}))
    if problems:
        raise SerialProblems(problems)
    return wanted


def _build_shipment(
    order: Order,
    lines: Sequence[ShipmentLineRequest],
    allowed: dict[int, int],
    shipped_on: date,
    carrier: str,
    tracking_number: str,
) -> Shipment:
    _check_each_product_once(lines)
    prices = {line.product_id: line.unit_price for line in order.lines}
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(list(allowed))))}
    warranty_months = order.agreement.terms_on(shipped_on).warranty_months
    wanted = _serials_to_ship(lines, allowed, products)
    shipment = Shipment(
        order_id=order.id, shipped_on=shipped_on, carrier=carrier.strip(), tracking_number=tracking_number.strip()
    )
    shipment.lines = [
        ShipmentLine(product_id=line.product_id, quantity=line.quantity) for line in lines if line.quantity
    ]
    db.session.add(shipment)
    db.session.flush()
    end = warranty_end(shipped_on, warranty_months)
    db.session.add_all(
        Board(
            serial=serial,
            product_id=product_id,
            distributor_id=order.distributor_id,
            order_id=order.id,
            shipment_id=shipment.id,
            shipped_on=shipped_on,
            warranty_end=end,
            unit_price=prices[product_id],
        )
        for serial, product_id in wanted.items()
    )
    try:
        db.session.flush()
    except IntegrityError as error:  # a serial shipped by another request at the same moment
        raise DomainError(
            N_("Another shipment took one of these serial numbers just now; try again."), field="serials"
        ) from error
    return shipment


# --- reminders -----------------------------------------------------------------------------------


@transactional
def remind_overdue_deposits(today: date, issued_by_id: int | None = None) -> list[Any]:
    """Daily: a payment-reminder notice for each confirmed order whose deposit is late, once per
    order (running it twice changes nothing)."""
    overdue = db.session.scalars(
        select(Order)
        .where(Order.status.in_(AWAITING_DEPOSIT), Order.deposit_due_on < today, Order.reminder_notice_id.is_(None))
        .with_for_update()
    ).all()
    notices = []
    for order in overdue:
        if order.deposit_due_on is None or order.deposit_amount is None:  # both are set on confirmation
            continue
        if not deposit_is_late(order.deposit_due_on, order.deposit_paid_on, today):
            continue
        notice = issue_notice(
            order.distributor,
            NoticeType.PAYMENT_REMINDER,
            today,
            agreement_id=order.agreement_id,
            issued_by_id=issued_by_id,
            amount=order.deposit_amount - order.paid_amount,
            due_on=order.deposit_due_on,
            reference=order.number,
            deposit=order.deposit_amount,
            paid=order.paid_amount,
        )
        order.reminder_notice_id = notice.id
        notices.append(notice)
    return notices
