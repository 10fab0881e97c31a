"""Purchase orders and their payments (docs/rules.md §6; contract §2.1, §6.2-6.4).

States: draft → submitted → confirmed → deposit paid → paid in full → partly shipped → shipped
→ closed; cancelled from draft, submitted or confirmed. One transition table says which step is
possible from which state and who may take it; an impossible step raises a DomainError that the
pages show as a message and the API answers with 409.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .dates import EARLIEST, LATEST, add_days, check_event_date, check_plausible, is_met
from .errors import N_, DomainError, InvalidValue
from .money import round_fen, split
from .permissions import (
    Permission,
    may,
    may_cancel_confirmed_orders,
    may_confirm_orders,
    may_draft_orders,
    may_ship_orders,
)
from .roles import Role

FULL = Decimal("100.00")


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    DEPOSIT_PAID = "deposit_paid"
    PAID_IN_FULL = "paid_in_full"
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return ORDER_STATUS_LABELS[self]


ORDER_STATUS_LABELS = {
    OrderStatus.DRAFT: N_("Draft"),
    OrderStatus.SUBMITTED: N_("Submitted"),
    OrderStatus.CONFIRMED: N_("Confirmed"),
    OrderStatus.DEPOSIT_PAID: N_("Deposit paid"),
    OrderStatus.PAID_IN_FULL: N_("Paid in full"),
    OrderStatus.PARTLY_SHIPPED: N_("Partly shipped"),
    OrderStatus.SHIPPED: N_("Shipped"),
    OrderStatus.CLOSED: N_("Closed"),
    OrderStatus.CANCELLED: N_("Cancelled"),
}


class OrderEvent(StrEnum):
    SUBMIT = "submit"
    CONFIRM = "confirm"
    SHIP_PART = "ship_part"
    SHIP_ALL = "ship_all"
    CLOSE = "close"
    CANCEL = "cancel"


S, E = OrderStatus, OrderEvent

# (from, event) → (to, the permission the step takes). Payments move an order between confirmed,
# deposit paid and paid in full by themselves: see status_from_payments.
TRANSITIONS: dict[tuple[OrderStatus, OrderEvent], tuple[OrderStatus, Permission]] = {
    (S.DRAFT, E.SUBMIT): (S.SUBMITTED, may_draft_orders),
    (S.DRAFT, E.CANCEL): (S.CANCELLED, may_draft_orders),
    (S.SUBMITTED, E.CONFIRM): (S.CONFIRMED, may_confirm_orders),
    (S.SUBMITTED, E.CANCEL): (S.CANCELLED, may_draft_orders),
    (S.CONFIRMED, E.CANCEL): (S.CANCELLED, may_cancel_confirmed_orders),  # with a reason, e.g. deposit late
    (S.PAID_IN_FULL, E.SHIP_PART): (S.PARTLY_SHIPPED, may_ship_orders),
    (S.PAID_IN_FULL, E.SHIP_ALL): (S.SHIPPED, may_ship_orders),
    (S.PARTLY_SHIPPED, E.SHIP_PART): (S.PARTLY_SHIPPED, may_ship_orders),
    (S.PARTLY_SHIPPED, E.SHIP_ALL): (S.SHIPPED, may_ship_orders),
    (S.SHIPPED, E.CLOSE): (S.CLOSED, may_ship_orders),
}

REFUSALS = {
    E.SUBMIT: N_("Only a draft order can be submitted."),
    E.CONFIRM: N_("Only a submitted order can be confirmed."),
    E.CANCEL: N_("This order can no longer be cancelled."),
    E.SHIP_PART: N_("Nothing ships before the order is paid in full."),
    E.SHIP_ALL: N_("Nothing ships before the order is paid in full."),
    E.CLOSE: N_("Only a fully shipped order can be closed."),
}


def transition(status: OrderStatus, event: OrderEvent, role: Role) -> OrderStatus:
    """The state after ``event``, or a DomainError saying why the step is not possible."""
    step = TRANSITIONS.get((status, event))
    if step is None:
        raise DomainError(REFUSALS.get(event, N_("This step is not possible in the order's current state.")))
    target, permission = step
    if not may(role, permission):
        raise DomainError(N_("Your role cannot take this step."))
    return target


# --- named sets of states: every page and query that asks "which orders …" uses one of these ----

UNCONFIRMED = frozenset({S.DRAFT, S.SUBMITTED})  # not yet decided by head office
CONFIRMED_OR_LATER = frozenset(set(S) - UNCONFIRMED - {S.CANCELLED})  # count as ordered (§2.1, §9)
PAYABLE = frozenset({S.CONFIRMED, S.DEPOSIT_PAID, S.PAID_IN_FULL})  # payments move it; may be voided
AWAITING_PAYMENT = frozenset({S.CONFIRMED, S.DEPOSIT_PAID})  # money still owed: payments are booked
AWAITING_DEPOSIT = frozenset({S.CONFIRMED})  # the deposit is not paid yet (§6.3.1)
SHIPPABLE = frozenset({S.PAID_IN_FULL, S.PARTLY_SHIPPED})  # units left to ship, nothing owed (§6.4)
DELIVERED = frozenset({S.SHIPPED, S.CLOSED})  # every unit has shipped


def status_from_payments(status: OrderStatus, state: PaymentState) -> OrderStatus:
    """Confirmed, deposit paid or paid in full, as the payments not voided say. Shipped, closed and
    cancelled orders keep their state (a void that would un-pay a shipped order is refused)."""
    if status not in PAYABLE:
        return status
    if state.paid_in_full_on is not None:
        return S.PAID_IN_FULL
    if state.deposit_paid_on is not None:
        return S.DEPOSIT_PAID
    return S.CONFIRMED


def can(status: OrderStatus, event: OrderEvent, role: Role) -> bool:
    step = TRANSITIONS.get((status, event))
    return step is not None and may(role, step[1])


@dataclass(frozen=True)
class Line:
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return round_fen(self.unit_price * self.quantity)


MIN_QUANTITY, MAX_QUANTITY = 1, 1_000_000  # units on an order line or a shipment line


def check_quantity(quantity: int) -> int:
    """§6.2.1: whole, positive quantities."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < MIN_QUANTITY:
        raise InvalidValue(N_("Enter a whole number of units, at least 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise InvalidValue(N_("Enter at most 1,000,000 units."), field="quantity")
    return quantity


def check_wanted_delivery_on(day: date | None, *, today: date) -> date | None:
    """§6.2.1: the wanted delivery date, if given, is a plausible day from today on."""
    if day is None:
        return None
    check_plausible(day, "wanted_delivery_on")
    if day < today:
        raise InvalidValue(N_("The wanted delivery date cannot be in the past."), field="wanted_delivery_on")
    return day


def order_total(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


def check_first_order(total: Decimal, first_order_min: Decimal) -> None:
    """§2.1: the agreement's first order totals at least the first-order minimum."""
    if total < first_order_min:
        raise DomainError(N_("A first order must total at least %(minimum)s."), minimum=first_order_min)


@dataclass(frozen=True)
class Confirmation:
    deposit_amount: Decimal
    balance_amount: Decimal
    deposit_due_on: date


def confirm(
    total: Decimal, *, is_first_order: bool, deposit_percent: Decimal, deposit_due_days: int, confirmed_on: date
) -> Confirmation:
    """§6.3.1: deposit = round(total × deposit %), balance = the rest, due 3 days after confirmation;
    §2.1: a first order is paid in full up front (its deposit is 100%)."""
    deposit, balance = split(total, FULL if is_first_order else deposit_percent)
    return Confirmation(deposit, balance, add_days(confirmed_on, deposit_due_days))


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    received_on: date


@dataclass(frozen=True)
class PaymentState:
    paid_amount: Decimal
    deposit_paid_on: date | None
    paid_in_full_on: date | None


def payment_state(
    payments: Sequence[Payment], *, deposit: Decimal, total: Decimal, confirmed_on: date | None = None
) -> PaymentState:
    """§6: the deposit is paid on the date the paid amount first reaches the deposit; paid in full
    likewise. ``payments`` are those not voided, in any order. A deposit of zero (a 0% term) is
    paid when the order is confirmed: nothing is owed before the balance."""
    paid = Decimal("0.00")
    deposit_paid_on = confirmed_on if deposit <= 0 and confirmed_on is not None else None
    paid_in_full_on = confirmed_on if total <= 0 and confirmed_on is not None else None
    for payment in sorted(payments, key=lambda p: p.received_on):
        paid += payment.amount
        if deposit_paid_on is None and paid >= deposit:
            deposit_paid_on = payment.received_on
        if paid_in_full_on is None and paid >= total:
            paid_in_full_on = payment.received_on
    return PaymentState(paid, deposit_paid_on, paid_in_full_on)


def delivery_due_on(state: PaymentState, delivery_days: int) -> date | None:
    """§6.3.1, §6.4.1: max(deposit paid + 30 days, paid in full): late payment postpones delivery,
    and nothing ships before full payment. Known from the day the deposit is paid: deposit paid +
    ``delivery_days`` while the balance is open (the balance is due by then, docs/rules.md §6),
    moved to the paid-in-full date when the balance is paid later. No deposit yet: no date.
    ``delivery_days`` is the term in force on the day the deposit was paid."""
    if state.deposit_paid_on is None:
        return None
    due = add_days(state.deposit_paid_on, delivery_days)
    if state.paid_in_full_on is None:
        return due
    return max(due, state.paid_in_full_on)


class DeliveryState(StrEnum):
    """Whether an order met its delivery due date (§6.4.1; a deadline is met on or before it)."""

    ON_TIME = "on_time"  # every unit shipped on or before the due date
    LATE = "late"  # shipped after it, or still not shipped after it
    NOT_YET_DUE = "not_yet_due"  # not shipped yet, the due date is today or ahead

    @property
    def label(self) -> str:
        return DELIVERY_STATE_LABELS[self]


DELIVERY_STATE_LABELS = {
    DeliveryState.ON_TIME: N_("On time"),
    DeliveryState.LATE: N_("Late"),
    DeliveryState.NOT_YET_DUE: N_("Not yet due"),
}


def delivery_state(due_on: date | None, shipped_on: date | None, on: date) -> DeliveryState | None:
    """The delivery on ``on``, given the due date and the day the last units shipped (None while
    some are still to ship). None while no due date is known (the deposit is not paid)."""
    if due_on is None:
        return None
    if shipped_on is not None:
        return DeliveryState.ON_TIME if is_met(shipped_on, due_on) else DeliveryState.LATE
    return DeliveryState.NOT_YET_DUE if is_met(on, due_on) else DeliveryState.LATE


def days_late(due_on: date | None, done_on: date | None, on: date) -> int:
    """Whole days past the due date: of the day it was done, or of ``on`` while it is not done;
    0 when met or when there is no due date. Due 8 March, not done on 10 March → 2."""
    if due_on is None:
        return 0
    return max(((done_on or on) - due_on).days, 0)


def days_left(due_on: date, on: date) -> int:
    """Whole days from ``on`` to the due date (0 on the day itself or after it)."""
    return max((due_on - on).days, 0)


def deposit_is_late(deposit_due_on: date, deposit_paid_on: date | None, on: date) -> bool:
    """Late when paid after the due date, or still unpaid after it."""
    if deposit_paid_on is not None:
        return deposit_paid_on > deposit_due_on
    return on > deposit_due_on


def check_payment(
    amount: Decimal, received_on: date, *, confirmed_on: date | None, paid: Decimal, total: Decimal, today: date
) -> None:
    """A payment is positive, not in the future, not before confirmation, and never over-pays."""
    if amount <= 0:
        raise InvalidValue(N_("The amount must be more than zero."), field="amount")
    check_event_date(
        received_on, today=today, field="received_on", message=N_("A payment cannot be received in the future.")
    )
    if confirmed_on is None:
        raise DomainError(N_("Payments are booked against confirmed orders only."))
    if received_on < confirmed_on:
        raise InvalidValue(N_("A payment cannot be received before the order was confirmed."), field="received_on")
    if paid + amount > total:
        raise DomainError(
            N_("This payment would take the paid amount to %(after)s, over the order total %(total)s."),
            field="amount",
            after=paid + amount,
            total=total,
        )


# §6.2.1: an order is for a month or a quarter.
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[Qq]([1-4]))$", re.ASCII)
# What check_period accepts, as one pattern (for the API's document): years 2000 … 2099 (EARLIEST … LATEST).
PERIOD_PATTERN = "20[0-9]{2}-(?:0[1-9]|1[0-2]|[Qq][1-4])"


def check_period(text: str | None) -> str:
    """``"2026-03"`` (a month) or ``"2026-Q1"`` (a quarter), or empty; anything else is refused.
    Returns the period as stored (quarters with a capital Q)."""
    value = (text or "").strip()
    if not value:
        return ""
    match = _PERIOD.match(value)
    if match is None or not EARLIEST.year <= int(match.group(1)) <= LATEST.year:
        raise InvalidValue(
            N_("Enter the month as YYYY-MM (2026-03) or the quarter as YYYY-Qn (2026-Q1)."), field="period"
        )
    return value.upper()


def quota_day(term: tuple[date, date] | None, first: date, last: date) -> date:
    """§9: the day whose terms in force set a quarter's quota (``first`` to ``last``): the first day
    of the quarter the term covers, so an amendment that takes effect during a quarter sets the
    quota from the next one. The quarter's first day when the term covers none of it (its quota is
    nothing then). The quota meter, the assessments and the compliance figures all ask this."""
    if term is None or term[0] > last or term[1] < first:
        return first
    return max(first, term[0])


def prorated_quota(quota: Decimal, term: tuple[date, date] | None, first: date, last: date) -> Decimal:
    """§9: the quota of a quarter that the term covers only in part, prorated by the days covered:
    quota × covered days / days in the quarter, rounded half-up to the fen. No term: nothing due.
    """
    if term is None:
        return Decimal("0.00")
    days = (last - first).days + 1
    covered = (min(last, term[1]) - max(first, term[0])).days + 1
    if covered <= 0:
        return Decimal("0.00")
    if covered >= days:
        return round_fen(quota)
    return round_fen(quota * covered / days)
