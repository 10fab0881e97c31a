"""Monthly repair batches (docs/rules.md §7.2; contract §6.5).

States: open → shipped (by the distributor) → received → inspected → repaired → notified → paid →
returned. One transition table says which step moves a batch from which state to which; a step the
state does not allow raises :class:`StepRefused` (pages show the message, the API answers 409).
Payments move a batch between notified and paid by themselves (:func:`status_from_payments`), as
they move an order. "Withheld" is not a state: it is read off a date (:func:`is_withheld`).

The rest are the clause's numbers as plain functions of the dates and amounts they need: a line is
free or charged by the board's coverage on the batch's shipping date and the fault cause (§6.5.1,
§6.5.2); a charged line out of coverage pays at most the fee cap of the agent price (§6.5.3); the
return freight is shared by the lines the distributor pays it for (after-sales terms); repairs are
due 30 days after receipt and fees 7 days after the notice (§6.5.4); a repaired board that was out
of coverage gets a post-repair window from its return date (§6.5.3, docs/rules.md §7.1). The
service figures of the after-sales rules (timeliness ≥ 90%, satisfaction ≥ 85%) close the module.
Every period and percentage is an agreement term handed in by the caller, never a constant here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from .dates import EARLIEST, LATEST, add_days, check_event_date, is_met
from .errors import N_, DomainError, InvalidValue
from .money import FEN, percent_of, round_fen
from .orders import DeliveryState, delivery_state
from .warranty import COVERED, Coverage, CoverageClass, Window, post_repair_window

ZERO = Decimal("0.00")


class StepRefused(DomainError):
    """The batch's state does not allow the step (API: 409)."""


# --- the states and the one transition table ---------------------------------------------------


class BatchStatus(StrEnum):
    OPEN = "open"
    SHIPPED = "shipped"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REPAIRED = "repaired"
    NOTIFIED = "notified"
    PAID = "paid"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return BATCH_STATUS_LABELS[self]


BATCH_STATUS_LABELS = {
    BatchStatus.OPEN: N_("Open"),
    BatchStatus.SHIPPED: N_("Shipped"),
    BatchStatus.RECEIVED: N_("Received"),
    BatchStatus.INSPECTED: N_("Inspected"),
    BatchStatus.REPAIRED: N_("Repaired"),
    BatchStatus.NOTIFIED: N_("Notified"),
    BatchStatus.PAID: N_("Paid"),
    BatchStatus.RETURNED: N_("Returned"),
}

#: Shown in place of the status while fees are overdue and the batch is not released (docs/api.md).
WITHHELD = "withheld"
WITHHELD_LABEL = N_("Withheld")


class BatchAction(StrEnum):
    SHIP = "ship"  # the distributor sends the batch to head office
    RECEIVE = "receive"
    INSPECT = "inspect"  # every line has its cause and outcome
    REPAIR = "repair"
    NOTIFY = "notify"  # the written notice of the fees
    RETURN = "return"  # head office ships the boards back

    @property
    def date_field(self) -> str:
        """The name of the step's date, on the pages and in the API."""
        return STEP_DATE_FIELDS[self]


STEP_DATE_FIELDS = {
    BatchAction.SHIP: "shipped_on",
    BatchAction.RECEIVE: "received_on",
    BatchAction.INSPECT: "inspected_on",
    BatchAction.REPAIR: "repaired_on",
    BatchAction.NOTIFY: "notified_on",
    BatchAction.RETURN: "returned_on",
}

S, A = BatchStatus, BatchAction

# (from, action) → to. Payments move notified ↔ paid by themselves (status_from_payments). Returning
# a notified batch (fees unpaid) also needs check_return: only a released batch leaves unpaid.
TRANSITIONS: dict[tuple[BatchStatus, BatchAction], BatchStatus] = {
    (S.OPEN, A.SHIP): S.SHIPPED,
    (S.SHIPPED, A.RECEIVE): S.RECEIVED,
    (S.RECEIVED, A.INSPECT): S.INSPECTED,
    (S.INSPECTED, A.REPAIR): S.REPAIRED,
    (S.REPAIRED, A.NOTIFY): S.NOTIFIED,
    (S.NOTIFIED, A.RETURN): S.RETURNED,
    (S.PAID, A.RETURN): S.RETURNED,
}

REFUSALS = {
    A.SHIP: N_("Only an open batch can be shipped."),
    A.RECEIVE: N_("Only a shipped batch can be received."),
    A.INSPECT: N_("Only a received batch can be inspected."),
    A.REPAIR: N_("Inspect every line before marking the batch repaired."),
    A.NOTIFY: N_("Mark the batch repaired before notifying the fees."),
    A.RETURN: N_("Only a batch whose fees have been notified can be shipped back."),
}


def transition(status: BatchStatus, action: BatchAction) -> BatchStatus:
    """The state after ``action``, or :class:`StepRefused` saying why it is not possible now."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise StepRefused(REFUSALS[action])
    return target


def can(status: BatchStatus, action: BatchAction) -> bool:
    return (status, action) in TRANSITIONS


# --- named sets of states: every page and query that asks "which batches …" uses one of these ---

EDITABLE = frozenset({S.OPEN})  # boards are added and removed only before shipping
UNFINISHED = frozenset(set(S) - {S.RETURNED})  # a board is in at most one of these (§7.2)
CLASSIFIED = frozenset(set(S) - EDITABLE)  # shipped: each line carries its coverage class
AWAITING_REPAIR = frozenset({S.RECEIVED, S.INSPECTED})  # the 30-day turnaround is running (§6.5.4)
INSPECTABLE = frozenset({S.RECEIVED, S.INSPECTED, S.REPAIRED})  # lines inspected or corrected before the notice
NOTIFIED_OR_LATER = frozenset({S.NOTIFIED, S.PAID, S.RETURNED})  # the fees are fixed: payments booked, voided
AWAITING_FEES = frozenset({S.NOTIFIED})  # money owed while head office holds the boards: may be withheld
PAYMENTS_MOVE = frozenset({S.NOTIFIED, S.PAID})  # booking and voiding fee payments moves between these
RATEABLE = frozenset({S.RETURNED})  # the distributor rates the service once the boards are back


# --- the month of a batch and its window --------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$", re.ASCII)


def batch_month(day: date) -> str:
    """The calendar month ``day`` falls in, as a batch is keyed: ``"2026-03"``. A distributor has at
    most one batch per month (§6.5.4: 每月初批量送往)."""
    return f"{day.year:04d}-{day.month:02d}"


def free_month(taken: Iterable[str], on: date) -> str:
    """The month a distributor's new batch opens for on ``on``: that month, or the first later month
    none of its batches has (one batch a month, §6.5.4; the batch takes the month it ships in)."""
    used = set(taken)
    year, month = on.year, on.month
    while f"{year:04d}-{month:02d}" in used:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def parse_batch_month(text: str | None) -> str:
    """A month typed as ``YYYY-MM``; anything else is refused on the field ``month``."""
    value = (text or "").strip()
    match = _MONTH.match(value)
    if match is None or not EARLIEST.year <= int(match.group(1)) <= LATEST.year:
        raise InvalidValue(N_("Enter the month as YYYY-MM (2026-03)."), field="month")
    return value


def shipped_in_window(shipped_on: date, window_days: int) -> bool:
    """§6.5.4 "每月初": on time when shipped on days 1 … ``window_days`` (10) of a month. Later is
    allowed and recorded as late."""
    return shipped_on.day <= window_days


def check_ship(line_count: int) -> None:
    """A batch ships with at least one board in it."""
    if line_count < 1:
        raise StepRefused(N_("Add at least one board before shipping the batch."))


FAULT_DESCRIPTION_MAX_LENGTH = 500


def check_fault_description(text: str | None) -> str:
    """Each board goes with a description of its fault: required, at most 500 characters."""
    value = (text or "").strip()
    if not value:
        raise InvalidValue(N_("Describe the fault."), field="fault_description")
    if len(value) > FAULT_DESCRIPTION_MAX_LENGTH:
        raise InvalidValue(
            N_("Enter at most %(length)s characters."), field="fault_description", length=FAULT_DESCRIPTION_MAX_LENGTH
        )
    return value


def classify(coverage: Coverage, shipped_on: date) -> CoverageClass:
    """A line's class is the board's coverage on the batch's shipping date (§6.5.4: 按保质期分类).
    A board cannot be sent in before it was shipped to the distributor."""
    klass = coverage.coverage_class(shipped_on)
    if klass is CoverageClass.NOT_YET_SHIPPED:
        raise InvalidValue(
            N_("A board shipped to you on %(board_shipped_on)s cannot be sent in for repair before that day."),
            field="shipped_on",
            board_shipped_on=coverage.shipped_on.isoformat(),
        )
    return klass


# --- the dates of the steps ---------------------------------------------------------------------

BEFORE_PREVIOUS_STEP = N_("This date is before the batch's previous step (%(previous)s).")


def check_step_date(day: date, *, previous_on: date | None, today: date, field: str) -> date:
    """Each step's date is a plausible day, not after today and not before the date of the step
    before it (shipped ≤ received ≤ inspected ≤ repaired ≤ notified ≤ returned; a fee payment not
    before the notice)."""
    check_event_date(day, today=today, field=field)
    if previous_on is not None and day < previous_on:
        raise InvalidValue(BEFORE_PREVIOUS_STEP, field=field, previous=previous_on.isoformat())
    return day


# --- fault causes, outcomes, free or charged ----------------------------------------------------


class FaultCause(StrEnum):
    NORMAL_USE = "normal_use"
    DESIGN_DEFECT = "design_defect"
    MANUFACTURING_DEFECT = "manufacturing_defect"
    SOFTWARE_DEFECT = "software_defect"
    HUMAN_DAMAGE = "human_damage"
    IMPROPER_OPERATION = "improper_operation"
    NATURAL_WEAR = "natural_wear"
    DISASTER = "disaster"

    @property
    def label(self) -> str:
        return FAULT_CAUSE_LABELS[self]

    @property
    def is_covered(self) -> bool:
        """Repaired free on a covered board (§6.5.1-6.5.2); the others are always charged."""
        return self in COVERED_CAUSES


FAULT_CAUSE_LABELS = {
    FaultCause.NORMAL_USE: N_("Normal use"),
    FaultCause.DESIGN_DEFECT: N_("Design defect"),
    FaultCause.MANUFACTURING_DEFECT: N_("Manufacturing defect"),
    FaultCause.SOFTWARE_DEFECT: N_("Software defect"),
    FaultCause.HUMAN_DAMAGE: N_("Human damage"),
    FaultCause.IMPROPER_OPERATION: N_("Improper operation"),
    FaultCause.NATURAL_WEAR: N_("Natural wear"),
    FaultCause.DISASTER: N_("Disaster"),
}

# §6.5.2: 设计和/或制造缺陷和/或软件瑕疵 (and a fault from normal use); §6.5.1: 人为、操作不当、自然损耗/灾害
# are charged even within warranty (the after-sales terms add dropping, water, opening, power faults).
COVERED_CAUSES = frozenset(
    {FaultCause.NORMAL_USE, FaultCause.DESIGN_DEFECT, FaultCause.MANUFACTURING_DEFECT, FaultCause.SOFTWARE_DEFECT}
)
CHARGED_CAUSES = frozenset(set(FaultCause) - COVERED_CAUSES)


class RepairOutcome(StrEnum):
    REPAIRED = "repaired"
    NO_FAULT_FOUND = "no_fault_found"
    UNREPAIRABLE = "unrepairable"

    @property
    def label(self) -> str:
        return REPAIR_OUTCOME_LABELS[self]


REPAIR_OUTCOME_LABELS = {
    RepairOutcome.REPAIRED: N_("Repaired"),
    RepairOutcome.NO_FAULT_FOUND: N_("No fault found"),
    RepairOutcome.UNREPAIRABLE: N_("Unrepairable"),
}


def is_charged(coverage_class: CoverageClass, cause: FaultCause) -> bool:
    """A line is free when the board was covered on the batch's shipping date and the cause is a
    covered one; otherwise it is charged (§6.5.1-6.5.3)."""
    return not (coverage_class in COVERED and cause.is_covered)


@dataclass(frozen=True)
class InspectedLine:
    """One line as head office inspected it: the board's class on the batch's shipping date, the
    fault cause, the outcome and the fee entered (0 on a free line)."""

    coverage_class: CoverageClass
    cause: FaultCause
    outcome: RepairOutcome
    fee: Decimal = ZERO

    @property
    def charged(self) -> bool:
        return is_charged(self.coverage_class, self.cause)

    @property
    def pays_return_freight(self) -> bool:
        """The distributor pays its share of the way back for a charged line and for a line with
        no fault found (after-sales terms: 并非产品故障 … 本公司不承担运费); an unrepairable line pays
        when it is charged."""
        return self.charged or self.outcome is RepairOutcome.NO_FAULT_FOUND


def check_line_inspection(
    status: BatchStatus, previous: InspectedLine | None, new: InspectedLine, *, correction: bool = False
) -> bool:
    """A line is inspected after the batch is received and before the notice. Inspecting it again
    with the same result changes nothing; with a different result only as an explicit correction
    (which the service records in the audit trail). Returns whether the result changes."""
    if status not in INSPECTABLE:
        raise StepRefused(N_("Lines are inspected after the batch is received and before the fees are notified."))
    if previous is None or previous == new:
        return previous is None
    if not correction:
        raise StepRefused(N_("This line was already inspected with another result; record a correction to change it."))
    return True


def status_after_inspection(status: BatchStatus, uninspected: int) -> BatchStatus:
    """A received batch becomes inspected once no line is left without a cause and an outcome;
    until then it stays received (the API's "lines not named keep their state")."""
    if status is S.RECEIVED and uninspected == 0:
        return transition(status, A.INSPECT)
    return status


# --- the fee and its cap ------------------------------------------------------------------------


class FeeBasis(StrEnum):
    """Why a line's fee is what it may be: shown beside the fee field."""

    FREE = "free"
    NO_FAULT_FOUND = "no_fault_found"
    UNREPAIRABLE = "unrepairable"
    FULL_COST = "full_cost"
    AGENT_PRICE = "agent_price"
    SALE_PRICE = "sale_price"

    @property
    def label(self) -> str:
        return FEE_BASIS_LABELS[self]


NO_FEE = frozenset({FeeBasis.FREE, FeeBasis.NO_FAULT_FOUND, FeeBasis.UNREPAIRABLE})

FEE_BASIS_LABELS = {
    FeeBasis.FREE: N_("Free: covered on the batch's shipping date, and the cause is covered"),
    FeeBasis.NO_FAULT_FOUND: N_("No repair fee: no fault found"),
    FeeBasis.UNREPAIRABLE: N_("No repair fee: unrepairable"),
    FeeBasis.FULL_COST: N_("Charged in full: the cause is not covered, even in warranty (no cap)"),
    FeeBasis.AGENT_PRICE: N_("Out of coverage: capped at a share of the agent price"),
    FeeBasis.SALE_PRICE: N_("Out of coverage: capped at a share of the board's sale price"),
}


@dataclass(frozen=True)
class FeeCap:
    """What a line may be charged: ``cap`` None means no cap (the full repair cost); ``price`` and
    ``percent`` are what the cap comes from, when it comes from a price."""

    basis: FeeBasis
    charged: bool
    cap: Decimal | None
    price: Decimal | None = None
    percent: Decimal | None = None

    @property
    def takes_a_fee(self) -> bool:
        """False on a free line and on a line with no repair (the fee must be 0 there)."""
        return self.basis not in NO_FEE


def fee_cap(
    *,
    coverage_class: CoverageClass,
    cause: FaultCause,
    outcome: RepairOutcome,
    agent_price: Decimal | None,
    sale_price: Decimal,
    cap_percent: Decimal,
) -> FeeCap:
    """§6.5.1-6.5.3. No fault found or unrepairable: no repair fee. A free line: 0. A charged line on
    a covered board: the full repair cost head office enters, no cap. A charged line on an uncovered
    board: at most ``cap_percent`` (the agreement's term, 20%) of ``agent_price`` (the agreement's
    level in the price list in force on the inspection date; None when that list has no price for
    the product), else of ``sale_price``, the unit price the board was sold at; half-up to the fen."""
    charged = is_charged(coverage_class, cause)
    if outcome is RepairOutcome.NO_FAULT_FOUND:
        return FeeCap(FeeBasis.NO_FAULT_FOUND, charged, ZERO)
    if outcome is RepairOutcome.UNREPAIRABLE:
        return FeeCap(FeeBasis.UNREPAIRABLE, charged, ZERO)
    if not charged:
        return FeeCap(FeeBasis.FREE, charged, ZERO)
    if coverage_class in COVERED:
        return FeeCap(FeeBasis.FULL_COST, charged, None)
    basis, price = (FeeBasis.AGENT_PRICE, agent_price) if agent_price is not None else (FeeBasis.SALE_PRICE, sale_price)
    return FeeCap(basis, charged, percent_of(price, cap_percent), price, cap_percent)


def check_fee(
    fee: Decimal,
    *,
    coverage_class: CoverageClass,
    cause: FaultCause,
    outcome: RepairOutcome,
    agent_price: Decimal | None,
    sale_price: Decimal,
    cap_percent: Decimal,
) -> FeeCap:
    """The fee head office enters for a line: never negative nor finer than the fen, nothing on a
    line that takes no fee, never above the cap (§6.5.3: 不高于产品代理价格百分之二十). Returns the cap
    and its basis, for the form to show."""
    cap = fee_cap(
        coverage_class=coverage_class,
        cause=cause,
        outcome=outcome,
        agent_price=agent_price,
        sale_price=sale_price,
        cap_percent=cap_percent,
    )
    if fee < 0:
        raise InvalidValue(N_("The amount cannot be negative."), field="fee")
    if fee != round_fen(fee):
        raise InvalidValue(N_("Enter at most two decimals (fen)."), field="fee")
    if fee > 0 and not cap.takes_a_fee:
        raise InvalidValue(FEE_REFUSALS[cap.basis], field="fee")
    if cap.cap is not None and fee > cap.cap:
        raise InvalidValue(
            N_("The fee cannot be more than %(cap)s: %(percent)s%% of %(price)s."),
            field="fee",
            cap=cap.cap,
            percent=cap.percent,
            price=cap.price,
        )
    return cap


FEE_REFUSALS = {
    FeeBasis.FREE: N_(
        "This line is free: the board was covered on the batch's shipping date and the cause is covered."
    ),
    FeeBasis.NO_FAULT_FOUND: N_("A line with no fault found carries no repair fee."),
    FeeBasis.UNREPAIRABLE: N_("An unrepairable board carries no repair fee."),
}


# --- the return freight -------------------------------------------------------------------------


def check_return_freight(amount: Decimal) -> Decimal:
    if amount < 0:
        raise InvalidValue(N_("The amount cannot be negative."), field="return_freight")
    if amount != round_fen(amount):
        raise InvalidValue(N_("Enter at most two decimals (fen)."), field="return_freight")
    return amount


def freight_shares(return_freight: Decimal, lines: Sequence[InspectedLine]) -> tuple[Decimal, ...]:
    """Each line's share of the return freight that the distributor pays, in the order of ``lines``.

    The distributor pays the freight of the lines that pay it (:attr:`InspectedLine.pays_return_freight`),
    pro rata by line count: round(freight × paying lines / all lines), half-up to the fen. That amount
    is shared evenly among the paying lines, each getting it divided by their number and rounded down
    to the fen; the fen left over go on the **last paying line**, so the shares add up exactly. Lines
    that do not pay get 0 (head office carries their part)."""
    check_return_freight(return_freight)
    paying = [index for index, line in enumerate(lines) if line.pays_return_freight]
    shares = [ZERO] * len(lines)
    if not paying:
        return tuple(shares)
    charged = round_fen(return_freight * len(paying) / len(lines))
    each = (charged / len(paying)).quantize(FEN, rounding=ROUND_DOWN)
    for index in paying:
        shares[index] = each
    shares[paying[-1]] = charged - each * (len(paying) - 1)
    return tuple(shares)


@dataclass(frozen=True)
class BatchFees:
    """What the notice lists: each line's fee and freight share, and the totals (§6.5.4)."""

    fees: tuple[Decimal, ...]
    freight: tuple[Decimal, ...]

    @property
    def fees_total(self) -> Decimal:
        return sum(self.fees, ZERO)

    @property
    def freight_charged(self) -> Decimal:
        return sum(self.freight, ZERO)

    @property
    def amount_due(self) -> Decimal:
        return self.fees_total + self.freight_charged

    def line_total(self, index: int) -> Decimal:
        return self.fees[index] + self.freight[index]


def batch_fees(return_freight: Decimal, lines: Sequence[InspectedLine]) -> BatchFees:
    return BatchFees(tuple(line.fee for line in lines), freight_shares(return_freight, lines))


# --- turnaround and the work queue --------------------------------------------------------------


def repair_due_on(received_on: date, turnaround_days: int) -> date:
    """§6.5.4: repaired within 30 days of receipt: received + 30 days (the receipt day not counted)."""
    return add_days(received_on, turnaround_days)


def turnaround_is_late(received_on: date, repaired_on: date, turnaround_days: int) -> bool:
    return not is_met(repaired_on, repair_due_on(received_on, turnaround_days))


def turnaround_state(
    received_on: date | None, repaired_on: date | None, on: date, turnaround_days: int
) -> DeliveryState | None:
    """On time, late, or not yet due on ``on`` (the order deadline's states); None before receipt."""
    if received_on is None:
        return None
    return delivery_state(repair_due_on(received_on, turnaround_days), repaired_on, on)


def days_in_state(entered_on: date, on: date) -> int:
    """Whole days since the batch entered its state (0 on the day itself)."""
    return max((on - entered_on).days, 0)


def days_to_repair_limit(received_on: date, on: date, turnaround_days: int) -> int:
    """Days left on ``on`` to the repair limit: 0 on its last day, negative once it has passed. The
    work queue lists the batches awaiting repair by this number, smallest (nearest or past) first."""
    return (repair_due_on(received_on, turnaround_days) - on).days


# --- notice, fees due, payments, ageing, withholding --------------------------------------------


def fees_due_on(notified_on: date, due_days: int) -> date:
    """§6.5.4: fees are paid within 7 days of the notice: notice date + 7 days."""
    return add_days(notified_on, due_days)


def status_from_payments(status: BatchStatus, *, paid: Decimal, amount_due: Decimal) -> BatchStatus:
    """Notified or paid, as the payments not voided say; a notice of nothing owed is paid at once.
    Other states keep theirs (a returned batch stays returned, paid or not)."""
    if status not in PAYMENTS_MOVE:
        return status
    return S.PAID if paid >= amount_due else S.NOTIFIED


def check_fee_payment(
    amount: Decimal, received_on: date, *, notified_on: date | None, paid: Decimal, amount_due: Decimal, today: date
) -> None:
    """A repair-fee payment, with the order payments' rules: positive, not in the future, not before
    the notice, and never over the amount due."""
    if amount <= 0:
        raise InvalidValue(N_("The amount must be more than zero."), field="amount")
    if notified_on is None:
        raise DomainError(N_("Repair fees are booked once head office has notified them."))
    check_step_date(received_on, previous_on=notified_on, today=today, field="received_on")
    if paid + amount > amount_due:
        raise DomainError(
            N_("This payment would take the paid amount to %(after)s, over the amount due %(due)s."),
            field="amount",
            after=paid + amount,
            due=amount_due,
        )


def fees_overdue(unpaid: Decimal, due_on: date | None, on: date) -> bool:
    """Overdue on ``on``: something is unpaid and the due date has passed (the due day counts in full)."""
    return unpaid > 0 and due_on is not None and on > due_on


def is_withheld(status: BatchStatus, *, unpaid: Decimal, due_on: date | None, released: bool, on: date) -> bool:
    """Withheld on ``on`` (§6.5.4: 在维修费用尚未清付前，甲方有权不于退还有关板子): head office holds the
    boards, the fees are overdue, and no head-office user has released the batch."""
    return status in AWAITING_FEES and fees_overdue(unpaid, due_on, on) and not released


def check_return(status: BatchStatus, *, unpaid: Decimal, released: bool) -> BatchStatus:
    """Shipping the boards back: refused while an amount is unpaid, unless the batch was released."""
    target = transition(status, A.RETURN)
    if unpaid > 0 and not released:
        raise StepRefused(
            N_("%(unpaid)s of repair fees is unpaid: the boards are withheld until it is paid or released."),
            unpaid=unpaid,
        )
    return target


class FeeAgeing(StrEnum):
    NOT_DUE = "not_due"
    DAYS_1_30 = "days_1_30"
    DAYS_31_60 = "days_31_60"
    OVER_60 = "over_60"

    @property
    def label(self) -> str:
        return FEE_AGEING_LABELS[self]


FEE_AGEING_LABELS = {
    FeeAgeing.NOT_DUE: N_("Not due"),
    FeeAgeing.DAYS_1_30: N_("1–30 days overdue"),
    FeeAgeing.DAYS_31_60: N_("31–60 days overdue"),
    FeeAgeing.OVER_60: N_("Over 60 days overdue"),
}


def fee_ageing(due_on: date, on: date) -> FeeAgeing:
    """The bucket of an unpaid amount on ``on`` by whole days past its due date: the due date itself
    is not overdue; 1-30, 31-60, then over 60."""
    overdue = (on - due_on).days
    if overdue <= 0:
        return FeeAgeing.NOT_DUE
    if overdue <= 30:
        return FeeAgeing.DAYS_1_30
    if overdue <= 60:
        return FeeAgeing.DAYS_31_60
    return FeeAgeing.OVER_60


# --- the post-repair window on return -----------------------------------------------------------


def window_on_return(
    coverage_class: CoverageClass, outcome: RepairOutcome, returned_on: date, post_repair_months: int
) -> Window | None:
    """§6.5.3: a line repaired while its board was out of coverage (on the batch's shipping date)
    gets a post-repair window from the return date; a board repaired while covered, one with no
    fault found and an unrepairable one get none."""
    if outcome is not RepairOutcome.REPAIRED or coverage_class in COVERED:
        return None
    return post_repair_window(returned_on, post_repair_months)


def windows_on_return(
    lines: Iterable[InspectedLine], returned_on: date, post_repair_months: int
) -> tuple[Window | None, ...]:
    """The window each line's board gains when the batch is shipped back, in the order of ``lines``."""
    return tuple(window_on_return(line.coverage_class, line.outcome, returned_on, post_repair_months) for line in lines)


@dataclass(frozen=True)
class Repair:
    """One batch a board went through: the batch's shipping date, the line's outcome, the day the
    boards were shipped back (None while they are not) and the post-repair months in force then."""

    batch_shipped_on: date
    outcome: RepairOutcome
    returned_on: date | None
    post_repair_months: int


def coverage_after_repairs(coverage: Coverage, repairs: Iterable[Repair]) -> Coverage:
    """The board's coverage with the windows its repairs gave it (docs/rules.md §7.1), taking the
    repairs in the order they were sent in: each is classified on its batch's shipping date by the
    coverage the earlier repairs left, so a board repaired twice out of coverage has two windows, and
    one sent in again inside its window gets none the second time."""
    for repair in sorted(repairs, key=lambda r: r.batch_shipped_on):
        if repair.returned_on is None:
            continue
        klass = coverage.coverage_class(repair.batch_shipped_on)
        window = window_on_return(klass, repair.outcome, repair.returned_on, repair.post_repair_months)
        if window is not None:
            coverage = Coverage(coverage.shipped_on, coverage.warranty_end, (*coverage.windows, window))
    return coverage


# --- the service rating card and head office's service figures ----------------------------------


class RatingItem(StrEnum):
    """The survey card's four items (after-sales management rules: 态度、技术、到达时间及答应事情的办理)."""

    ATTITUDE = "attitude"
    SKILL = "skill"
    TIMELINESS = "timeliness"
    PROMISES = "promises"

    @property
    def label(self) -> str:
        return RATING_ITEM_LABELS[self]


RATING_ITEM_LABELS = {
    RatingItem.ATTITUDE: N_("Attitude"),
    RatingItem.SKILL: N_("Skill"),
    RatingItem.TIMELINESS: N_("Timeliness"),
    RatingItem.PROMISES: N_("Keeping promises"),
}


class RatingLevel(StrEnum):
    """Each item on four levels of satisfaction (按客户的满意状况分为四个程度), best first."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return RATING_LEVEL_LABELS[self]


RATING_LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: N_("Very satisfied"),
    RatingLevel.SATISFIED: N_("Satisfied"),
    RatingLevel.FAIRLY_SATISFIED: N_("Fairly satisfied"),
    RatingLevel.DISSATISFIED: N_("Dissatisfied"),
}

# The answers that count as satisfied for the customer-satisfaction rate (docs/rules.md §7.2).
SATISFIED_LEVELS = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED})
RATING_COMMENT_MAX_LENGTH = 1000
LEVELS = frozenset(level.value for level in RatingLevel)

Card = Mapping[RatingItem, RatingLevel]


def check_rating_level(item: RatingItem, value: str | None) -> RatingLevel:
    """One item's answer: one of the four levels, else refused on the item's own field (a form
    checks each item with this, so every item outside the card is marked at once)."""
    if value is None or value not in LEVELS:
        raise InvalidValue(N_("Choose one of the four levels."), field=item.value)
    return RatingLevel(value)


def check_rating(
    answers: Mapping[str, str | None], comment: str | None = None
) -> tuple[dict[RatingItem, RatingLevel], str]:
    """A filled card: every item answered with one of the four levels (the first item that is not
    is refused on its own field), and an optional comment of at most 1,000 characters."""
    card = {item: check_rating_level(item, answers.get(item.value)) for item in RatingItem}
    text = (comment or "").strip()
    if len(text) > RATING_COMMENT_MAX_LENGTH:
        raise InvalidValue(
            N_("Enter at most %(length)s characters."), field="comment", length=RATING_COMMENT_MAX_LENGTH
        )
    return card, text


ALREADY_RATED = N_("This batch has already been rated.")


def check_can_rate(status: BatchStatus, *, already_rated: bool) -> None:
    if status not in RATEABLE:
        raise StepRefused(N_("A batch is rated once its boards have been shipped back."))
    if already_rated:
        raise StepRefused(ALREADY_RATED)


# After-sales management rules 3.2.1: 服务及时率≥90%；用户满意程度≥85%. Head office's own targets, not
# terms of a distributor's agreement.
TIMELINESS_TARGET = Decimal("0.90")
SATISFACTION_TARGET = Decimal("0.85")
SHARE = Decimal("0.0001")
DECIDED = frozenset({DeliveryState.ON_TIME, DeliveryState.LATE})  # a turnaround that counts for timeliness


@dataclass(frozen=True)
class ServiceFigure:
    """A share against its target: ``count`` of ``total`` met it."""

    count: int
    total: int
    target: Decimal

    @property
    def rate(self) -> Decimal:
        """The share, 0 to 1, half-up to four places (0.8571 is 85.71%)."""
        return (Decimal(self.count) / Decimal(self.total)).quantize(SHARE, rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool:
        """Compared exactly, before rounding."""
        return Decimal(self.count) >= self.target * self.total


def satisfaction_rate(cards: Iterable[Card]) -> ServiceFigure | None:
    """Customer satisfaction: of all the answers on the rated batches' cards (four per card), the
    share that are very satisfied or satisfied. No rated batch: no figure."""
    answers = [level for card in cards for level in card.values()]
    if not answers:
        return None
    satisfied = sum(1 for level in answers if level in SATISFIED_LEVELS)
    return ServiceFigure(satisfied, len(answers), SATISFACTION_TARGET)


def service_timeliness(states: Iterable[DeliveryState | None]) -> ServiceFigure | None:
    """Service timeliness: of the batches whose turnaround is decided (repaired, or unrepaired past
    the limit: see :func:`turnaround_state`), the share repaired on time. Batches not received or
    still within the limit do not count yet. None decided: no figure."""
    decided = [state for state in states if state in DECIDED]
    if not decided:
        return None
    on_time = sum(1 for state in decided if state is DeliveryState.ON_TIME)
    return ServiceFigure(on_time, len(decided), TIMELINESS_TARGET)
