"""docs/rules.md §7.2: the monthly repair batch — its states, free or charged, the fee cap, the
return freight, the deadlines, withholding, the post-repair window and the service figures."""

from datetime import date
from decimal import Decimal

import pytest

from portal.domain import repairs as rules
from portal.domain.distributors import Level
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.orders import DeliveryState
from portal.domain.pricing import Prices, in_force
from portal.domain.repairs import (
    AWAITING_FEES,
    AWAITING_REPAIR,
    CHARGED_CAUSES,
    COVERED_CAUSES,
    EDITABLE,
    INSPECTABLE,
    RATEABLE,
    TRANSITIONS,
    UNFINISHED,
    BatchAction,
    BatchStatus,
    FaultCause,
    FeeAgeing,
    FeeBasis,
    InspectedLine,
    RatingItem,
    RatingLevel,
    RepairOutcome,
    StepRefused,
    batch_fees,
    batch_month,
    check_can_rate,
    check_fee,
    check_fee_payment,
    check_line_inspection,
    check_rating,
    check_rating_level,
    check_return,
    check_ship,
    check_step_date,
    classify,
    days_in_state,
    days_to_repair_limit,
    fee_ageing,
    fee_cap,
    fees_due_on,
    fees_overdue,
    freight_shares,
    is_charged,
    is_withheld,
    parse_batch_month,
    repair_due_on,
    satisfaction_rate,
    service_timeliness,
    shipped_in_window,
    status_after_inspection,
    status_from_payments,
    transition,
    turnaround_is_late,
    turnaround_state,
    window_on_return,
    windows_on_return,
)
from portal.domain.warranty import Coverage, CoverageClass, Window

D = Decimal
S, A = BatchStatus, BatchAction
C = CoverageClass
IN, POST, OUT = C.IN_WARRANTY, C.POST_REPAIR_WARRANTY, C.OUT_OF_WARRANTY
F, R = FaultCause, RepairOutcome
CAP = D("20.00")  # the agreement's repair_fee_cap_percent (§6.5.3)


# --- the transition table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (S.OPEN, A.SHIP, S.SHIPPED),
        (S.SHIPPED, A.RECEIVE, S.RECEIVED),
        (S.RECEIVED, A.INSPECT, S.INSPECTED),
        (S.INSPECTED, A.REPAIR, S.REPAIRED),
        (S.REPAIRED, A.NOTIFY, S.NOTIFIED),
        (S.PAID, A.RETURN, S.RETURNED),
        (S.NOTIFIED, A.RETURN, S.RETURNED),  # only when released or nothing unpaid: check_return
    ],
)
def test_allowed_steps(status, action, after):
    assert transition(status, action) is after


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (S.SHIPPED, A.SHIP, "open batch"),  # shipping twice
        (S.OPEN, A.RECEIVE, "shipped batch"),  # receiving before shipping
        (S.RECEIVED, A.RECEIVE, "shipped batch"),
        (S.SHIPPED, A.INSPECT, "received batch"),
        (S.RECEIVED, A.REPAIR, "Inspect every line"),  # repaired before every line is inspected
        (S.RECEIVED, A.NOTIFY, "repaired before notifying"),  # notifying before inspection
        (S.INSPECTED, A.NOTIFY, "repaired before notifying"),
        (S.NOTIFIED, A.NOTIFY, "repaired before notifying"),
        (S.REPAIRED, A.RETURN, "notified"),  # shipping back before the fees are notified
        (S.RETURNED, A.RETURN, "notified"),
        (S.OPEN, A.RETURN, "notified"),
    ],
)
def test_impossible_steps_are_refused_with_a_reason(status, action, message):
    with pytest.raises(StepRefused, match=message) as refused:
        transition(status, action)
    assert isinstance(refused.value, DomainError)
    assert not isinstance(refused.value, InvalidValue)  # a state refusal: the API answers 409, not 422


def test_returned_is_final_and_paid_is_reached_by_payments_alone():
    assert {status for status, _ in TRANSITIONS} == set(S) - {S.RETURNED}
    assert S.PAID not in TRANSITIONS.values()


def test_the_named_sets():
    assert set(S) - {S.RETURNED} == UNFINISHED  # a board is in at most one of these
    assert {S.OPEN} == EDITABLE
    assert {S.RECEIVED, S.INSPECTED} == AWAITING_REPAIR
    assert {S.RECEIVED, S.INSPECTED, S.REPAIRED} == INSPECTABLE  # corrections only before the notice
    assert {S.NOTIFIED} == AWAITING_FEES
    assert {S.RETURNED} == RATEABLE


def test_a_batch_ships_with_at_least_one_board():
    with pytest.raises(StepRefused, match="at least one board"):
        check_ship(0)
    check_ship(1)


@pytest.mark.parametrize(
    ("status", "uninspected", "after"),
    [
        (S.RECEIVED, 2, S.RECEIVED),  # lines not named keep their state; the batch waits
        (S.RECEIVED, 0, S.INSPECTED),
        (S.INSPECTED, 0, S.INSPECTED),  # a correction changes no state
        (S.REPAIRED, 0, S.REPAIRED),
    ],
)
def test_a_batch_is_inspected_once_every_line_is(status, uninspected, after):
    assert status_after_inspection(status, uninspected) is after


FIRST = InspectedLine(OUT, F.NORMAL_USE, R.REPAIRED, D("240.00"))
OTHER = InspectedLine(OUT, F.HUMAN_DAMAGE, R.REPAIRED, D("240.00"))


@pytest.mark.parametrize(
    ("status", "previous", "correction", "changes"),
    [
        (S.RECEIVED, None, False, True),  # first inspection
        (S.RECEIVED, FIRST, False, False),  # the same result again changes nothing
        (S.INSPECTED, OTHER, True, True),  # an explicit correction before the notice
        (S.REPAIRED, OTHER, True, True),
    ],
)
def test_inspecting_a_line(status, previous, correction, changes):
    assert check_line_inspection(status, previous, FIRST, correction=correction) is changes


@pytest.mark.parametrize(
    ("status", "previous", "correction", "message"),
    [
        (S.RECEIVED, OTHER, False, "record a correction"),  # another result without a correction
        (S.INSPECTED, OTHER, False, "record a correction"),
        (S.SHIPPED, None, False, "after the batch is received"),  # not received yet
        (S.NOTIFIED, OTHER, True, "before the fees are notified"),  # no correction after the notice
        (S.RETURNED, FIRST, False, "before the fees are notified"),
    ],
)
def test_inspecting_a_line_is_refused(status, previous, correction, message):
    with pytest.raises(StepRefused, match=message):
        check_line_inspection(status, previous, FIRST, correction=correction)


# --- the month, the window and the dates of the steps ------------------------------------------


@pytest.mark.parametrize(
    ("day", "month"),
    [(date(2026, 3, 1), "2026-03"), (date(2026, 3, 31), "2026-03"), (date(2026, 12, 10), "2026-12")],
)
def test_one_batch_per_calendar_month(day, month):
    assert batch_month(day) == month
    assert parse_batch_month(f" {month} ") == month


@pytest.mark.parametrize("text", ["", None, "2026-3", "2026-13", "2026-00", "26-03", "2026/03", "1999-12", "2026-Q1"])
def test_a_bad_month_is_refused(text):
    with pytest.raises(InvalidValue) as refused:
        parse_batch_month(text)
    assert refused.value.field == "month"


@pytest.mark.parametrize(
    ("shipped_on", "window_days", "on_time"),
    [
        (date(2026, 3, 1), 10, True),
        (date(2026, 3, 10), 10, True),  # day 10 is inside the window
        (date(2026, 3, 11), 10, False),  # day 11 is late (allowed, recorded)
        (date(2026, 1, 31), 10, False),  # month ends
        (date(2026, 2, 28), 10, False),
        (date(2028, 2, 29), 10, False),  # a leap day
        (date(2026, 4, 1), 10, True),  # the first of the next month is on time again
        (date(2026, 3, 5), 5, True),  # the window is the agreement's term
        (date(2026, 3, 6), 5, False),
    ],
)
def test_the_batch_window(shipped_on, window_days, on_time):
    assert shipped_in_window(shipped_on, window_days) is on_time


# Shipped 2024-01-10: warranty to 2025-04-10.
BOARD = Coverage(date(2024, 1, 10), date(2025, 4, 10))


@pytest.mark.parametrize(
    ("batch_shipped_on", "klass"),
    [
        (date(2024, 1, 10), IN),  # sent in on the day it was shipped to the distributor
        (date(2025, 4, 10), IN),  # the warranty's last day counts in full
        (date(2025, 4, 11), OUT),
    ],
)
def test_lines_are_classified_on_the_batchs_shipping_date(batch_shipped_on, klass):
    assert classify(BOARD, batch_shipped_on) is klass


def test_a_board_cannot_be_sent_in_before_it_was_shipped():
    with pytest.raises(InvalidValue, match="2024-01-10") as refused:
        classify(BOARD, date(2024, 1, 9))
    assert refused.value.field == "shipped_on"


TODAY = date(2026, 4, 15)


@pytest.mark.parametrize(
    ("day", "previous_on", "ok"),
    [
        (date(2026, 4, 3), date(2026, 4, 2), True),
        (date(2026, 4, 2), date(2026, 4, 2), True),  # the same day as the step before
        (date(2026, 4, 1), date(2026, 4, 2), False),  # received before it was shipped
        (TODAY, date(2026, 4, 2), True),
        (date(2026, 4, 16), date(2026, 4, 2), False),  # after today
        (date(2026, 4, 1), None, True),  # the first step (shipping) has no step before it
        (date(1999, 12, 31), None, False),  # a typing slip
    ],
)
def test_each_steps_date_follows_the_step_before_and_is_not_after_today(day, previous_on, ok):
    if ok:
        assert check_step_date(day, previous_on=previous_on, today=TODAY, field="received_on") == day
    else:
        with pytest.raises(InvalidValue) as refused:
            check_step_date(day, previous_on=previous_on, today=TODAY, field="received_on")
        assert refused.value.field == "received_on"


def test_every_step_names_its_date():
    assert [action.date_field for action in A] == [
        "shipped_on",
        "received_on",
        "inspected_on",
        "repaired_on",
        "notified_on",
        "returned_on",
    ]


# --- free or charged ----------------------------------------------------------------------------


@pytest.mark.parametrize("klass", [IN, POST, OUT])
@pytest.mark.parametrize("cause", list(F))
def test_free_when_covered_on_the_shipping_date_and_the_cause_is_covered(klass, cause):
    free = klass in (IN, POST) and cause in COVERED_CAUSES
    assert is_charged(klass, cause) is not free


def test_the_causes():
    assert {F.NORMAL_USE, F.DESIGN_DEFECT, F.MANUFACTURING_DEFECT, F.SOFTWARE_DEFECT} == COVERED_CAUSES
    assert {F.HUMAN_DAMAGE, F.IMPROPER_OPERATION, F.NATURAL_WEAR, F.DISASTER} == CHARGED_CAUSES


# --- the fee and its cap: every case of §7.2 -----------------------------------------------------

# The board: agent price ¥1,200.00 for the agreement's level in the list in force on the inspection
# date, sold to the distributor at ¥1,150.00.
AGENT, SOLD = D("1200.00"), D("1150.00")

FEE_CASES = [
    # (class, cause, outcome, agent price, basis, charged, cap)
    (IN, F.MANUFACTURING_DEFECT, R.REPAIRED, AGENT, FeeBasis.FREE, False, D("0.00")),  # free
    (POST, F.SOFTWARE_DEFECT, R.REPAIRED, AGENT, FeeBasis.FREE, False, D("0.00")),  # a window covers too
    (IN, F.HUMAN_DAMAGE, R.REPAIRED, AGENT, FeeBasis.FULL_COST, True, None),  # charged on a covered board: no cap
    (POST, F.DISASTER, R.REPAIRED, AGENT, FeeBasis.FULL_COST, True, None),
    (OUT, F.NORMAL_USE, R.REPAIRED, AGENT, FeeBasis.AGENT_PRICE, True, D("240.00")),  # 20% of the agent price
    (OUT, F.HUMAN_DAMAGE, R.REPAIRED, AGENT, FeeBasis.AGENT_PRICE, True, D("240.00")),  # capped out of coverage
    (OUT, F.NATURAL_WEAR, R.REPAIRED, None, FeeBasis.SALE_PRICE, True, D("230.00")),  # no price: 20% of ¥1,150
    (OUT, F.DESIGN_DEFECT, R.REPAIRED, D("333.33"), FeeBasis.AGENT_PRICE, True, D("66.67")),  # 66.666 half-up
    (OUT, F.IMPROPER_OPERATION, R.NO_FAULT_FOUND, AGENT, FeeBasis.NO_FAULT_FOUND, True, D("0.00")),
    (IN, F.NORMAL_USE, R.NO_FAULT_FOUND, AGENT, FeeBasis.NO_FAULT_FOUND, False, D("0.00")),
    (OUT, F.NORMAL_USE, R.UNREPAIRABLE, AGENT, FeeBasis.UNREPAIRABLE, True, D("0.00")),  # charged, but no fee
    (IN, F.MANUFACTURING_DEFECT, R.UNREPAIRABLE, AGENT, FeeBasis.UNREPAIRABLE, False, D("0.00")),
    (IN, F.HUMAN_DAMAGE, R.UNREPAIRABLE, AGENT, FeeBasis.UNREPAIRABLE, True, D("0.00")),
]


@pytest.mark.parametrize(("klass", "cause", "outcome", "agent_price", "basis", "charged", "cap"), FEE_CASES)
def test_the_fee_cap_and_its_basis(klass, cause, outcome, agent_price, basis, charged, cap):
    result = fee_cap(
        coverage_class=klass, cause=cause, outcome=outcome, agent_price=agent_price, sale_price=SOLD, cap_percent=CAP
    )
    assert (result.basis, result.charged, result.cap) == (basis, charged, cap)
    if basis is FeeBasis.AGENT_PRICE:
        assert (result.price, result.percent) == (agent_price, CAP)  # what the form shows the cap comes from
    if basis is FeeBasis.SALE_PRICE:
        assert (result.price, result.percent) == (SOLD, CAP)


def check(fee, klass, cause, outcome=R.REPAIRED, agent_price=AGENT, cap_percent=CAP):
    return check_fee(
        D(fee),
        coverage_class=klass,
        cause=cause,
        outcome=outcome,
        agent_price=agent_price,
        sale_price=SOLD,
        cap_percent=cap_percent,
    )


@pytest.mark.parametrize(
    ("fee", "klass", "cause", "outcome", "agent_price"),
    [
        ("0.00", IN, F.NORMAL_USE, R.REPAIRED, AGENT),  # a free line's fee is 0
        ("5000.00", IN, F.HUMAN_DAMAGE, R.REPAIRED, AGENT),  # full cost on a covered board, above 20%
        ("240.00", OUT, F.NORMAL_USE, R.REPAIRED, AGENT),  # exactly the cap
        ("0.00", OUT, F.NORMAL_USE, R.REPAIRED, AGENT),  # head office may charge less
        ("230.00", OUT, F.HUMAN_DAMAGE, R.REPAIRED, None),  # the sale price's cap
        ("0.00", OUT, F.NORMAL_USE, R.NO_FAULT_FOUND, AGENT),
    ],
)
def test_fees_within_the_rule_are_accepted(fee, klass, cause, outcome, agent_price):
    assert check(fee, klass, cause, outcome, agent_price).basis


@pytest.mark.parametrize(
    ("fee", "klass", "cause", "outcome", "agent_price", "message"),
    [
        ("240.01", OUT, F.NORMAL_USE, R.REPAIRED, AGENT, r"more than 240\.00: 20\.00% of 1200\.00"),
        ("230.01", OUT, F.HUMAN_DAMAGE, R.REPAIRED, None, r"more than 230\.00: 20\.00% of 1150\.00"),
        ("0.01", IN, F.NORMAL_USE, R.REPAIRED, AGENT, "free"),  # a fee on a free line
        ("10.00", POST, F.DESIGN_DEFECT, R.REPAIRED, AGENT, "free"),
        ("10.00", OUT, F.HUMAN_DAMAGE, R.NO_FAULT_FOUND, AGENT, "no fault found"),
        ("10.00", OUT, F.HUMAN_DAMAGE, R.UNREPAIRABLE, AGENT, "unrepairable"),
        ("-1.00", OUT, F.NORMAL_USE, R.REPAIRED, AGENT, "negative"),
        ("-1.00", IN, F.HUMAN_DAMAGE, R.REPAIRED, AGENT, "negative"),
        ("10.005", IN, F.HUMAN_DAMAGE, R.REPAIRED, AGENT, "two decimals"),
    ],
)
def test_fees_outside_the_rule_are_refused_on_the_fee(fee, klass, cause, outcome, agent_price, message):
    with pytest.raises(InvalidValue, match=message) as refused:
        check(fee, klass, cause, outcome, agent_price)
    assert refused.value.field == "fee"


def test_the_cap_percentage_is_the_agreements_term():
    assert check("180.00", OUT, F.NORMAL_USE, cap_percent=D("15.00")).cap == D("180.00")
    with pytest.raises(InvalidValue):
        check("180.01", OUT, F.NORMAL_USE, cap_percent=D("15.00"))


# Two published lists: the agent price rises on 2026-07-01. The cap follows the list in force on the
# inspection date, for the agreement's level.
LISTS = [
    (date(2026, 1, 1), Prices(D("1000.00"), D("1200.00"), D("1500.00"))),
    (date(2026, 7, 1), Prices(D("1250.00"), D("1500.00"), D("1800.00"))),
]


@pytest.mark.parametrize(
    ("inspected_on", "level", "cap"),
    [
        (date(2026, 6, 30), Level.SECOND, D("240.00")),  # 20% of ¥1,200
        (date(2026, 7, 1), Level.SECOND, D("300.00")),  # the new list is in force: 20% of ¥1,500
        (date(2026, 6, 30), Level.FIRST, D("200.00")),  # a first-level agent's price
        (date(2026, 7, 1), Level.FIRST, D("250.00")),
        (date(2025, 12, 31), Level.SECOND, D("230.00")),  # no list in force: 20% of the sale price ¥1,150
    ],
)
def test_the_cap_comes_from_the_agent_price_in_force_on_the_inspection_date(inspected_on, level, cap):
    prices = in_force(LISTS, inspected_on)
    agent_price = prices.agent_price(level) if prices is not None else None
    result = fee_cap(
        coverage_class=OUT,
        cause=F.NORMAL_USE,
        outcome=R.REPAIRED,
        agent_price=agent_price,
        sale_price=SOLD,
        cap_percent=CAP,
    )
    assert result.cap == cap


# --- the return freight -------------------------------------------------------------------------

CHARGED = InspectedLine(OUT, F.NORMAL_USE, R.REPAIRED, D("240.00"))
FREE = InspectedLine(IN, F.MANUFACTURING_DEFECT, R.REPAIRED)
CHARGED_IN_WARRANTY = InspectedLine(IN, F.HUMAN_DAMAGE, R.REPAIRED, D("800.00"))
NFF = InspectedLine(IN, F.NORMAL_USE, R.NO_FAULT_FOUND)  # free cause, but the way back is paid
UNREPAIRABLE_FREE = InspectedLine(IN, F.DESIGN_DEFECT, R.UNREPAIRABLE)
UNREPAIRABLE_CHARGED = InspectedLine(OUT, F.NORMAL_USE, R.UNREPAIRABLE)


@pytest.mark.parametrize(
    ("freight", "lines", "shares"),
    [
        # ¥100.00 over 3 lines, 2 paying: round(66.666…) = 66.67 = 33.33 + 33.34 (the rest on the last payer)
        ("100.00", [CHARGED, FREE, NFF], ["33.33", "0.00", "33.34"]),
        ("100.00", [NFF, FREE, CHARGED], ["33.33", "0.00", "33.34"]),
        ("100.00", [CHARGED, NFF, FREE], ["33.33", "33.34", "0.00"]),
        ("100.00", [CHARGED, CHARGED, CHARGED], ["33.33", "33.33", "33.34"]),  # all paying: the whole freight
        ("100.00", [FREE, FREE], ["0.00", "0.00"]),  # all free: head office carries it
        ("100.00", [UNREPAIRABLE_FREE, UNREPAIRABLE_CHARGED], ["0.00", "50.00"]),  # unrepairable: by the rule
        ("100.00", [CHARGED_IN_WARRANTY, FREE, FREE, FREE], ["25.00", "0.00", "0.00", "0.00"]),
        # ¥50.00 over 7 lines, 3 paying: round(21.428…) = 21.43 = 7.14 + 7.14 + 7.15
        (
            "50.00",
            [CHARGED, FREE, NFF, FREE, FREE, UNREPAIRABLE_CHARGED, FREE],
            ["7.14", "0", "7.14", "0", "0", "7.15", "0"],
        ),
        ("0.04", [CHARGED] * 6, ["0", "0", "0", "0", "0", "0.04"]),  # fen that do not divide: all on the last
        ("0.01", [CHARGED, FREE, FREE], ["0.00", "0.00", "0.00"]),  # round(0.0033…) = 0.00
        ("0.00", [CHARGED, NFF], ["0.00", "0.00"]),
        ("100.00", [], []),
    ],
)
def test_the_distributor_pays_the_return_freight_of_charged_and_no_fault_found_lines(freight, lines, shares):
    result = freight_shares(D(freight), lines)
    assert result == tuple(D(share) for share in shares)
    paying = sum(1 for line in lines if line.pays_return_freight)
    if lines:
        assert sum(result) == (D(freight) * paying / len(lines)).quantize(D("0.01"))  # exact, half-up to the fen
    assert all(share >= 0 for share in result)


@pytest.mark.parametrize("freight", ["-0.01", "1.001"])
def test_a_bad_return_freight_is_refused(freight):
    with pytest.raises(InvalidValue) as refused:
        freight_shares(D(freight), [CHARGED])
    assert refused.value.field == "return_freight"


def test_the_notice_lists_each_lines_fee_and_freight_and_the_total():
    fees = batch_fees(D("100.00"), [CHARGED, FREE, NFF])
    assert fees.fees == (D("240.00"), D("0.00"), D("0.00"))
    assert fees.freight == (D("33.33"), D("0.00"), D("33.34"))
    assert [fees.line_total(index) for index in range(3)] == [D("273.33"), D("0.00"), D("33.34")]
    assert (fees.fees_total, fees.freight_charged, fees.amount_due) == (D("240.00"), D("66.67"), D("306.67"))


# --- turnaround and the work queue --------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "repaired_on", "due", "late"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), False),  # day 30: on time
        (date(2026, 3, 1), date(2026, 4, 1), date(2026, 3, 31), True),  # day 31: late
        (date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 31), False),
        (date(2026, 1, 31), date(2026, 3, 2), date(2026, 3, 2), False),  # across February
        (date(2026, 1, 31), date(2026, 3, 3), date(2026, 3, 2), True),
        (date(2028, 1, 31), date(2028, 3, 1), date(2028, 3, 1), False),  # a leap February
    ],
)
def test_repairs_are_due_30_days_after_receipt(received_on, repaired_on, due, late):
    assert repair_due_on(received_on, 30) == due
    assert turnaround_is_late(received_on, repaired_on, 30) is late


@pytest.mark.parametrize(
    ("received_on", "repaired_on", "on", "state"),
    [
        (None, None, date(2026, 3, 5), None),  # not received: no clock yet
        (date(2026, 3, 1), None, date(2026, 3, 31), DeliveryState.NOT_YET_DUE),
        (date(2026, 3, 1), None, date(2026, 4, 1), DeliveryState.LATE),  # unrepaired past the limit
        (date(2026, 3, 1), date(2026, 3, 20), date(2026, 6, 1), DeliveryState.ON_TIME),
        (date(2026, 3, 1), date(2026, 4, 2), date(2026, 6, 1), DeliveryState.LATE),
    ],
)
def test_the_turnaround_on_a_date(received_on, repaired_on, on, state):
    assert turnaround_state(received_on, repaired_on, on, 30) is state


@pytest.mark.parametrize(
    ("on", "days_left"),
    [(date(2026, 3, 1), 30), (date(2026, 3, 30), 1), (date(2026, 3, 31), 0), (date(2026, 4, 2), -2)],
)
def test_days_left_to_the_repair_limit_for_the_work_queue(on, days_left):
    assert days_to_repair_limit(date(2026, 3, 1), on, 30) == days_left


def test_days_in_a_state():
    assert days_in_state(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert days_in_state(date(2026, 3, 1), date(2026, 4, 1)) == 31
    assert days_in_state(date(2026, 3, 2), date(2026, 3, 1)) == 0  # recorded ahead of ``on``


# --- the notice, fees due, payments, ageing, withholding ----------------------------------------


@pytest.mark.parametrize(
    ("notified_on", "due_days", "due"),
    [
        (date(2026, 3, 25), 7, date(2026, 4, 1)),  # 7 days after the notice
        (date(2026, 2, 25), 7, date(2026, 3, 4)),
        (date(2028, 2, 25), 7, date(2028, 3, 3)),  # a leap February
        (date(2026, 12, 28), 7, date(2027, 1, 4)),
        (date(2026, 3, 25), 10, date(2026, 4, 4)),  # the agreement's term
    ],
)
def test_fees_are_due_7_days_after_the_notice(notified_on, due_days, due):
    assert fees_due_on(notified_on, due_days) == due


@pytest.mark.parametrize(
    ("status", "paid", "due", "after"),
    [
        (S.NOTIFIED, "306.66", "306.67", S.NOTIFIED),
        (S.NOTIFIED, "306.67", "306.67", S.PAID),
        (S.PAID, "0.00", "306.67", S.NOTIFIED),  # a payment voided
        (S.NOTIFIED, "0.00", "0.00", S.PAID),  # nothing owed: paid on notice
        (S.RETURNED, "0.00", "306.67", S.RETURNED),  # released and returned unpaid: stays returned
        (S.REPAIRED, "0.00", "0.00", S.REPAIRED),
    ],
)
def test_payments_move_a_batch_between_notified_and_paid(status, paid, due, after):
    assert status_from_payments(status, paid=D(paid), amount_due=D(due)) is after


@pytest.mark.parametrize(
    ("amount", "received_on", "notified_on", "paid", "message"),
    [
        ("0.00", date(2026, 4, 1), date(2026, 3, 25), "0.00", "more than zero"),
        ("306.68", date(2026, 4, 1), date(2026, 3, 25), "0.00", "over the amount due 306.67"),
        ("100.00", date(2026, 4, 1), date(2026, 3, 25), "206.68", "over the amount due"),
        ("100.00", date(2026, 3, 24), date(2026, 3, 25), "0.00", "previous step"),  # before the notice
        ("100.00", date(2026, 4, 16), date(2026, 3, 25), "0.00", "future"),
        ("100.00", date(2026, 4, 1), None, "0.00", "notified"),
    ],
)
def test_bad_fee_payments_are_refused(amount, received_on, notified_on, paid, message):
    with pytest.raises(DomainError, match=message):
        check_fee_payment(
            D(amount), received_on, notified_on=notified_on, paid=D(paid), amount_due=D("306.67"), today=TODAY
        )


def test_the_exact_rest_is_accepted():
    check_fee_payment(
        D("100.00"),
        date(2026, 3, 25),
        notified_on=date(2026, 3, 25),
        paid=D("206.67"),
        amount_due=D("306.67"),
        today=TODAY,
    )


DUE = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("on", "bucket"),
    [
        (date(2026, 3, 25), FeeAgeing.NOT_DUE),
        (date(2026, 4, 1), FeeAgeing.NOT_DUE),  # the due day counts in full
        (date(2026, 4, 2), FeeAgeing.DAYS_1_30),
        (date(2026, 5, 1), FeeAgeing.DAYS_1_30),  # 30 days overdue
        (date(2026, 5, 2), FeeAgeing.DAYS_31_60),  # 31
        (date(2026, 5, 31), FeeAgeing.DAYS_31_60),  # 60
        (date(2026, 6, 1), FeeAgeing.OVER_60),  # 61
    ],
)
def test_fee_ageing_buckets(on, bucket):
    assert fee_ageing(DUE, on) is bucket
    assert fees_overdue(D("10.00"), DUE, on) is (bucket is not FeeAgeing.NOT_DUE)


@pytest.mark.parametrize(
    ("status", "unpaid", "released", "on", "withheld"),
    [
        (S.NOTIFIED, "306.67", False, date(2026, 4, 1), False),  # due today: not yet overdue
        (S.NOTIFIED, "306.67", False, date(2026, 4, 2), True),  # overdue and not released
        (S.NOTIFIED, "0.01", False, date(2026, 6, 1), True),
        (S.NOTIFIED, "306.67", True, date(2026, 4, 2), False),  # released by head office
        (S.PAID, "0.00", False, date(2026, 4, 2), False),
        (S.RETURNED, "306.67", True, date(2026, 4, 2), False),  # shipped back after a release
    ],
)
def test_withheld_is_read_off_the_date(status, unpaid, released, on, withheld):
    assert is_withheld(status, unpaid=D(unpaid), due_on=DUE, released=released, on=on) is withheld


def test_nothing_is_overdue_before_the_notice():
    assert fees_overdue(D("10.00"), None, date(2030, 1, 1)) is False
    assert is_withheld(S.NOTIFIED, unpaid=D("10.00"), due_on=None, released=False, on=date(2030, 1, 1)) is False


@pytest.mark.parametrize(
    ("status", "unpaid", "released"),
    [(S.PAID, "0.00", False), (S.NOTIFIED, "306.67", True), (S.NOTIFIED, "0.00", False)],
)
def test_shipping_back_when_paid_or_released(status, unpaid, released):
    assert check_return(status, unpaid=D(unpaid), released=released) is S.RETURNED


@pytest.mark.parametrize(
    ("status", "unpaid", "message"),
    [
        (S.NOTIFIED, "306.67", "306.67 of repair fees is unpaid"),  # withheld (§6.5.4)
        (S.REPAIRED, "0.00", "notified"),
        (S.RETURNED, "0.00", "notified"),
    ],
)
def test_shipping_back_is_refused_while_unpaid(status, unpaid, message):
    with pytest.raises(StepRefused, match=message):
        check_return(status, unpaid=D(unpaid), released=False)


# --- the post-repair window on return -----------------------------------------------------------


@pytest.mark.parametrize(
    ("klass", "outcome", "returned_on", "window"),
    [
        (OUT, R.REPAIRED, date(2026, 5, 20), Window(date(2026, 5, 20), date(2026, 11, 20))),  # from the return date
        (OUT, R.REPAIRED, date(2025, 8, 31), Window(date(2025, 8, 31), date(2026, 2, 28))),  # a short month
        (OUT, R.REPAIRED, date(2023, 8, 31), Window(date(2023, 8, 31), date(2024, 2, 29))),  # a leap day
        (IN, R.REPAIRED, date(2026, 5, 20), None),  # repaired while in warranty
        (POST, R.REPAIRED, date(2026, 5, 20), None),  # repaired inside a post-repair window
        (OUT, R.NO_FAULT_FOUND, date(2026, 5, 20), None),  # nothing was repaired
        (OUT, R.UNREPAIRABLE, date(2026, 5, 20), None),
    ],
)
def test_a_board_repaired_out_of_coverage_gets_a_window_from_the_return_date(klass, outcome, returned_on, window):
    assert window_on_return(klass, outcome, returned_on, 6) == window


def test_the_windows_of_a_batch_on_return():
    lines = [CHARGED, FREE, CHARGED_IN_WARRANTY, UNREPAIRABLE_CHARGED]
    assert windows_on_return(lines, date(2026, 5, 20), 6) == (
        Window(date(2026, 5, 20), date(2026, 11, 20)),
        None,
        None,
        None,
    )


# --- the rating card and the service figures ----------------------------------------------------

V, SAT, FAIR, DIS = (
    RatingLevel.VERY_SATISFIED,
    RatingLevel.SATISFIED,
    RatingLevel.FAIRLY_SATISFIED,
    RatingLevel.DISSATISFIED,
)
ITEMS = list(RatingItem)


def card(*levels):
    return dict(zip(ITEMS, levels, strict=True))


def test_a_filled_card_is_accepted():
    answers = {
        "attitude": "very_satisfied",
        "skill": "satisfied",
        "timeliness": "fairly_satisfied",
        "promises": "dissatisfied",
    }
    assert check_rating(answers, "  quick, thank you ") == (card(V, SAT, FAIR, DIS), "quick, thank you")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"attitude": "satisfied", "skill": "satisfied", "timeliness": "satisfied"}, "promises"),  # an item missing
        (
            {"attitude": "excellent", "skill": "satisfied", "timeliness": "satisfied", "promises": "satisfied"},
            "attitude",
        ),
        ({"attitude": "satisfied", "skill": "", "timeliness": "satisfied", "promises": "satisfied"}, "skill"),
    ],
)
def test_a_rating_outside_the_card_is_refused(answers, field):
    with pytest.raises(InvalidValue) as refused:
        check_rating(answers)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("item", "value", "level"),
    [
        (RatingItem.ATTITUDE, "very_satisfied", V),
        (RatingItem.SKILL, "satisfied", SAT),
        (RatingItem.TIMELINESS, "fairly_satisfied", FAIR),
        (RatingItem.PROMISES, "dissatisfied", DIS),
        (RatingItem.SKILL, "excellent", None),  # not a level of the card
        (RatingItem.TIMELINESS, "", None),
        (RatingItem.PROMISES, None, None),  # left out
        (RatingItem.ATTITUDE, "Satisfied", None),  # the card's values, as written
    ],
)
def test_each_item_is_checked_on_its_own_field(item, value, level):
    """A form marks every item outside the card at once (check_rating stops at the first)."""
    if level is not None:
        assert check_rating_level(item, value) is level
        return
    with pytest.raises(InvalidValue, match="Choose one of the four levels.") as refused:
        check_rating_level(item, value)
    assert refused.value.field == item.value


def test_a_long_comment_is_refused():
    answers = dict.fromkeys(("attitude", "skill", "timeliness", "promises"), "satisfied")
    with pytest.raises(InvalidValue) as refused:
        check_rating(answers, "x" * 1001)
    assert refused.value.field == "comment"


def test_a_batch_is_rated_once_after_it_is_returned():
    check_can_rate(S.RETURNED, already_rated=False)
    with pytest.raises(StepRefused, match="shipped back"):
        check_can_rate(S.PAID, already_rated=False)
    with pytest.raises(StepRefused, match="already been rated"):
        check_can_rate(S.RETURNED, already_rated=True)


@pytest.mark.parametrize(
    ("cards", "rate", "met"),
    [
        ([], None, None),  # no rated batch: no figure, no division by zero
        ([card(V, V, SAT, SAT)], D("1.0000"), True),
        ([card(FAIR, FAIR, FAIR, FAIR)], D("0.0000"), False),  # fairly satisfied does not count
        # 17 of 20 answers satisfied = 85%: the target is met exactly
        ([card(V, V, V, V)] * 4 + [card(SAT, FAIR, FAIR, DIS)], D("0.8500"), True),
        ([card(V, V, V, V)] * 4 + [card(FAIR, FAIR, FAIR, DIS)], D("0.8000"), False),
        ([card(V, SAT, SAT, FAIR)] * 7, D("0.7500"), False),
        ([card(V, V, V, V)] * 5 + [card(V, V, V, DIS)] + [card(V, SAT, FAIR, DIS)], D("0.8929"), True),  # 25/28
    ],
)
def test_customer_satisfaction_against_85_percent(cards, rate, met):
    figure = satisfaction_rate(cards)
    if rate is None:
        assert figure is None
    else:
        assert (figure.rate, figure.met, figure.target) == (rate, met, D("0.85"))


ON_TIME, LATE, NOT_YET = DeliveryState.ON_TIME, DeliveryState.LATE, DeliveryState.NOT_YET_DUE


@pytest.mark.parametrize(
    ("states", "rate", "met"),
    [
        ([], None, None),  # no batch: no figure
        ([None, NOT_YET], None, None),  # none decided yet
        ([ON_TIME] * 9 + [LATE], D("0.9000"), True),  # 90%: met
        ([ON_TIME] * 8 + [LATE] * 2 + [NOT_YET, None], D("0.8000"), False),  # undecided batches do not count
        ([ON_TIME] * 17 + [LATE] * 2, D("0.8947"), False),
        ([ON_TIME], D("1.0000"), True),
    ],
)
def test_service_timeliness_against_90_percent(states, rate, met):
    figure = service_timeliness(states)
    if rate is None:
        assert figure is None
    else:
        assert (figure.rate, figure.met, figure.target) == (rate, met, D("0.90"))


def test_every_value_has_its_own_label():
    for enum in (BatchStatus, FaultCause, RepairOutcome, FeeBasis, FeeAgeing, RatingItem, RatingLevel):
        labels = [member.label for member in enum]
        assert all(labels), enum
        assert len(set(labels)) == len(labels), enum


@pytest.mark.parametrize(
    ("taken", "on", "month"),
    [
        ((), date(2026, 11, 20), "2026-11"),  # this month
        (("2026-10",), date(2026, 11, 1), "2026-11"),  # an earlier batch does not matter
        (("2026-11",), date(2026, 11, 20), "2026-12"),  # this month's batch has gone: the next
        (("2026-12", "2027-01"), date(2026, 12, 5), "2027-02"),  # over the year's end
    ],
)
def test_a_new_batch_opens_for_the_first_month_without_one(taken, on, month):
    """§6.5.4 (每月初批量送往): one batch per distributor and month (docs/rules.md §7.2)."""
    assert rules.free_month(taken, on) == month
