"""docs/rules.md §6: the order lifecycle, deposit and balance, payments and the delivery due date."""

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.errors import DomainError, InvalidValue
from portal.domain.orders import (
    AWAITING_DEPOSIT,
    AWAITING_PAYMENT,
    CONFIRMED_OR_LATER,
    DELIVERED,
    PAYABLE,
    SHIPPABLE,
    TRANSITIONS,
    UNCONFIRMED,
    DeliveryState,
    Line,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentState,
    check_first_order,
    check_payment,
    check_period,
    check_quantity,
    confirm,
    days_late,
    days_left,
    delivery_due_on,
    delivery_state,
    deposit_is_late,
    order_total,
    payment_state,
    prorated_quota,
    quota_day,
    status_from_payments,
    transition,
)
from portal.domain.roles import Role

D = Decimal
S, E = OrderStatus, OrderEvent


@pytest.mark.parametrize(
    ("status", "event", "role", "after"),
    [
        (S.DRAFT, E.SUBMIT, Role.DISTRIBUTOR, S.SUBMITTED),
        (S.DRAFT, E.CANCEL, Role.DISTRIBUTOR, S.CANCELLED),
        (S.SUBMITTED, E.CANCEL, Role.DISTRIBUTOR, S.CANCELLED),
        (S.SUBMITTED, E.CANCEL, Role.SALES, S.CANCELLED),
        (S.SUBMITTED, E.CONFIRM, Role.SALES, S.CONFIRMED),
        (S.CONFIRMED, E.CANCEL, Role.SALES, S.CANCELLED),  # e.g. deposit overdue
        (S.PAID_IN_FULL, E.SHIP_PART, Role.SALES, S.PARTLY_SHIPPED),
        (S.PAID_IN_FULL, E.SHIP_ALL, Role.SALES, S.SHIPPED),
        (S.PARTLY_SHIPPED, E.SHIP_PART, Role.SALES, S.PARTLY_SHIPPED),
        (S.PARTLY_SHIPPED, E.SHIP_ALL, Role.SALES, S.SHIPPED),
        (S.SHIPPED, E.CLOSE, Role.SALES, S.CLOSED),
    ],
)
def test_allowed_steps(status, event, role, after):
    assert transition(status, event, role) is after


@pytest.mark.parametrize(
    ("status", "event", "role", "message"),
    [
        (S.CONFIRMED, E.CANCEL, Role.DISTRIBUTOR, "role"),  # only head office cancels after confirmation
        (S.SUBMITTED, E.CONFIRM, Role.FINANCE, "role"),  # finance cannot confirm orders
        (S.SUBMITTED, E.CONFIRM, Role.DISTRIBUTOR, "role"),
        (S.CONFIRMED, E.CONFIRM, Role.SALES, "submitted"),  # confirming twice
        (S.CONFIRMED, E.SHIP_ALL, Role.SALES, "paid in full"),  # shipping an unpaid order
        (S.DEPOSIT_PAID, E.SHIP_PART, Role.SALES, "paid in full"),
        (S.DEPOSIT_PAID, E.CANCEL, Role.SALES, "no longer"),
        (S.SHIPPED, E.CANCEL, Role.SALES, "no longer"),
        (S.CANCELLED, E.SUBMIT, Role.DISTRIBUTOR, "draft"),
        (S.PARTLY_SHIPPED, E.CLOSE, Role.SALES, "fully shipped"),
    ],
)
def test_impossible_steps_are_refused_with_a_reason(status, event, role, message):
    with pytest.raises(DomainError, match=message):
        transition(status, event, role)


def test_closed_and_cancelled_are_final_and_deposit_paid_is_left_by_payments_alone():
    assert {status for status, _ in TRANSITIONS} == set(S) - {S.CLOSED, S.CANCELLED, S.DEPOSIT_PAID}


@pytest.mark.parametrize("quantity", [0, -1, True, 2.5, "3"])
def test_quantities_are_whole_and_positive(quantity):
    with pytest.raises(InvalidValue):
        check_quantity(quantity)


def test_line_amounts_and_the_total():
    lines = [Line(3, D("1999.99")), Line(10, D("0.35"))]
    assert [line.amount for line in lines] == [D("5999.97"), D("3.50")]
    assert order_total(lines) == D("6003.47")


@pytest.mark.parametrize(("total", "ok"), [(D("49999.99"), False), (D("50000.00"), True)])
def test_the_first_order_is_at_least_the_minimum(total, ok):
    if ok:
        check_first_order(total, D("50000.00"))
    else:
        with pytest.raises(DomainError, match="at least"):
            check_first_order(total, D("50000.00"))


@pytest.mark.parametrize(
    ("total", "first", "deposit", "balance"),
    [
        (D("60000.00"), False, D("18000.00"), D("42000.00")),  # §6.3.1: 30% / 70%
        (D("100.05"), False, D("30.02"), D("70.03")),  # half-up; the parts add up
        (D("33333.33"), False, D("10000.00"), D("23333.33")),
        (D("60000.00"), True, D("60000.00"), D("0.00")),  # §2.1: first order paid in full
    ],
)
def test_confirmation_splits_deposit_and_balance(total, first, deposit, balance):
    result = confirm(
        total, is_first_order=first, deposit_percent=D("30.00"), deposit_due_days=3, confirmed_on=date(2026, 3, 5)
    )
    assert (result.deposit_amount, result.balance_amount) == (deposit, balance)
    assert result.deposit_amount + result.balance_amount == total
    assert result.deposit_due_on == date(2026, 3, 8)  # §2: 3 days after 5 March is 8 March


def test_deposit_and_full_payment_dates_follow_the_running_total():
    payments = [
        Payment(D("10000.00"), date(2026, 3, 6)),
        Payment(D("8000.00"), date(2026, 3, 9)),
        Payment(D("42000.00"), date(2026, 4, 20)),
    ]
    state = payment_state(payments, deposit=D("18000.00"), total=D("60000.00"))
    assert state == PaymentState(D("60000.00"), date(2026, 3, 9), date(2026, 4, 20))


def test_nothing_is_paid_until_the_amount_is_reached():
    state = payment_state([Payment(D("17999.99"), date(2026, 3, 6))], deposit=D("18000.00"), total=D("60000.00"))
    assert (state.deposit_paid_on, state.paid_in_full_on) == (None, None)


@pytest.mark.parametrize(
    ("deposit_paid_on", "paid_in_full_on", "due"),
    [
        (None, None, None),  # deposit not paid: no delivery date yet
        (date(2026, 3, 6), None, date(2026, 4, 5)),  # deposit paid, balance open: deposit + 30 days
        (date(2026, 3, 6), date(2026, 3, 20), date(2026, 4, 5)),  # paid in full in time: unchanged
        (date(2026, 3, 6), date(2026, 4, 5), date(2026, 4, 5)),  # paid in full on the day itself
        (date(2026, 3, 6), date(2026, 4, 20), date(2026, 4, 20)),  # balance late: due when paid in full
        (date(2026, 3, 12), date(2026, 3, 20), date(2026, 4, 11)),  # a late deposit moves delivery
        (date(2026, 3, 6), date(2026, 3, 6), date(2026, 4, 5)),  # a first order, paid in full at once
    ],
)
def test_delivery_due_is_the_later_of_deposit_plus_30_days_and_full_payment(deposit_paid_on, paid_in_full_on, due):
    state = PaymentState(D("0"), deposit_paid_on, paid_in_full_on)
    assert delivery_due_on(state, 30) == due


def test_the_delivery_period_is_the_agreements_term():
    state = PaymentState(D("0"), date(2026, 3, 6), None)
    assert delivery_due_on(state, 45) == date(2026, 4, 20)
    assert delivery_due_on(state, 0) == date(2026, 3, 6)


ON_TIME, LATE, NOT_YET_DUE = DeliveryState.ON_TIME, DeliveryState.LATE, DeliveryState.NOT_YET_DUE

# (delivery due, last units shipped, on, state, days late): the one table the pages, the API and the
# SQL of the on-time delivery list (tests/boards/test_delivery.py) are held to.
DELIVERY_CASES = [
    (None, None, date(2026, 3, 10), None, 0),  # deposit not paid: nothing is due yet
    (date(2026, 4, 10), None, date(2026, 3, 10), NOT_YET_DUE, 0),
    (date(2026, 4, 10), None, date(2026, 4, 10), NOT_YET_DUE, 0),  # the last day counts in full
    (date(2026, 4, 10), None, date(2026, 4, 11), LATE, 1),
    (date(2026, 4, 10), None, date(2026, 5, 16), LATE, 36),
    (date(2026, 4, 10), date(2026, 4, 10), date(2026, 5, 1), ON_TIME, 0),  # shipped on the due date
    (date(2026, 4, 10), date(2026, 3, 20), date(2026, 3, 21), ON_TIME, 0),  # early, seen before it is due
    (date(2026, 4, 10), date(2026, 4, 18), date(2026, 4, 20), LATE, 8),  # shipped late: counted to shipping
    (date(2026, 4, 10), date(2026, 4, 13), date(2026, 4, 12), LATE, 3),  # recorded ahead of ``on``
]


@pytest.mark.parametrize(("due_on", "shipped_on", "on", "state", "late"), DELIVERY_CASES)
def test_delivery_state_and_days_late(due_on, shipped_on, on, state, late):
    assert delivery_state(due_on, shipped_on, on) is state
    assert days_late(due_on, shipped_on, on) == late


@pytest.mark.parametrize(
    ("due_on", "done_on", "on", "late"),
    [
        (date(2026, 3, 8), None, date(2026, 3, 10), 2),  # a deposit due 8 March, unpaid on 10 March
        (date(2026, 3, 8), None, date(2026, 3, 8), 0),
        (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 20), 1),  # paid a day late
        (date(2026, 3, 8), date(2026, 3, 1), date(2026, 3, 20), 0),
        (None, None, date(2026, 3, 20), 0),  # nothing due
    ],
)
def test_days_late_of_any_deadline(due_on, done_on, on, late):
    assert days_late(due_on, done_on, on) == late


@pytest.mark.parametrize(
    ("due_on", "on", "left"),
    [
        (date(2026, 4, 10), date(2026, 3, 10), 31),
        (date(2026, 4, 10), date(2026, 4, 10), 0),
        (date(2026, 4, 10), date(2026, 4, 12), 0),
    ],
)
def test_days_left_before_a_due_date(due_on, on, left):
    assert days_left(due_on, on) == left


@pytest.mark.parametrize(
    ("states", "members"),
    [
        (UNCONFIRMED, {S.DRAFT, S.SUBMITTED}),
        (CONFIRMED_OR_LATER, {S.CONFIRMED, S.DEPOSIT_PAID, S.PAID_IN_FULL, S.PARTLY_SHIPPED, S.SHIPPED, S.CLOSED}),
        (PAYABLE, {S.CONFIRMED, S.DEPOSIT_PAID, S.PAID_IN_FULL}),
        (AWAITING_PAYMENT, {S.CONFIRMED, S.DEPOSIT_PAID}),
        (AWAITING_DEPOSIT, {S.CONFIRMED}),
        (SHIPPABLE, {S.PAID_IN_FULL, S.PARTLY_SHIPPED}),
        (DELIVERED, {S.SHIPPED, S.CLOSED}),
    ],
)
def test_the_named_sets_of_states(states, members):
    assert states == members


def test_shippable_states_are_those_a_shipment_may_leave_from():
    assert {status for (status, event) in TRANSITIONS if event is E.SHIP_PART} == SHIPPABLE
    assert {target for (_, event), (target, _) in TRANSITIONS.items() if event is E.SHIP_ALL} == {S.SHIPPED}


@pytest.mark.parametrize(
    ("paid_on", "today", "late"),
    [
        (date(2026, 3, 8), date(2026, 3, 20), False),
        (date(2026, 3, 9), date(2026, 3, 20), True),
        (None, date(2026, 3, 8), False),
        (None, date(2026, 3, 9), True),
    ],
)
def test_a_deposit_is_late_after_its_due_date(paid_on, today, late):
    assert deposit_is_late(date(2026, 3, 8), paid_on, today) is late


@pytest.mark.parametrize(
    ("status", "state", "after"),
    [
        (S.CONFIRMED, PaymentState(D("1"), None, None), S.CONFIRMED),
        (S.CONFIRMED, PaymentState(D("1"), date(2026, 3, 6), None), S.DEPOSIT_PAID),
        (S.CONFIRMED, PaymentState(D("1"), date(2026, 3, 6), date(2026, 3, 6)), S.PAID_IN_FULL),
        (S.PAID_IN_FULL, PaymentState(D("1"), date(2026, 3, 6), None), S.DEPOSIT_PAID),  # a void
        (S.DEPOSIT_PAID, PaymentState(D("0"), None, None), S.CONFIRMED),
        (S.SHIPPED, PaymentState(D("1"), None, None), S.SHIPPED),
    ],
)
def test_payments_move_the_order_between_confirmed_deposit_paid_and_paid_in_full(status, state, after):
    assert status_from_payments(status, state) is after


@pytest.mark.parametrize(
    ("amount", "received_on", "paid", "message"),
    [
        (D("0.00"), date(2026, 3, 6), D("0"), "more than zero"),
        (D("100.00"), date(2026, 3, 21), D("0"), "future"),
        (D("100.00"), date(2026, 3, 4), D("0"), "before the order was confirmed"),
        (D("0.01"), date(2026, 3, 6), D("60000.00"), "over the order total"),
    ],
)
def test_bad_payments_are_refused(amount, received_on, paid, message):
    with pytest.raises(DomainError, match=message):
        check_payment(
            amount, received_on, confirmed_on=date(2026, 3, 5), paid=paid, total=D("60000.00"), today=date(2026, 3, 20)
        )


def test_the_exact_rest_is_accepted():
    check_payment(
        D("42000.00"),
        date(2026, 3, 20),
        confirmed_on=date(2026, 3, 5),
        paid=D("18000.00"),
        total=D("60000.00"),
        today=date(2026, 3, 20),
    )


# §9: a quarter's quota prorated by the days the term covers; §6.2.1: periods.
@pytest.mark.parametrize(
    ("term", "quarter", "expected"),
    [
        ((date(2026, 1, 1), date(2027, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)), "50000.00"),  # whole
        ((date(2026, 2, 15), date(2027, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)), "25000.00"),  # 45/90
        ((date(2025, 1, 1), date(2026, 1, 1)), (date(2026, 1, 1), date(2026, 3, 31)), "555.56"),  # 1/90, half-up
        ((date(2026, 4, 1), date(2026, 12, 31)), (date(2026, 1, 1), date(2026, 3, 31)), "0.00"),  # not yet begun
        ((date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 4, 1), date(2024, 6, 30)), "50000.00"),
        (None, (date(2026, 1, 1), date(2026, 3, 31)), "0.00"),  # a draft agreement binds no day
    ],
)
def test_proration_by_days_covered(term, quarter, expected):
    assert prorated_quota(D("50000.00"), term, *quarter) == D(expected)


Q1 = (date(2026, 1, 1), date(2026, 3, 31))


# §9: whose terms set a quarter's quota: the first day of the quarter the term covers.
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ((date(2025, 1, 1), date(2027, 12, 31)), date(2026, 1, 1)),  # the whole quarter
        ((date(2026, 2, 15), date(2027, 12, 31)), date(2026, 2, 15)),  # starts mid-quarter
        ((date(2025, 1, 1), date(2026, 2, 14)), date(2026, 1, 1)),  # ends mid-quarter
        ((date(2026, 4, 1), date(2026, 12, 31)), date(2026, 1, 1)),  # not yet begun: no quota anyway
        (None, date(2026, 1, 1)),  # a draft binds no day
    ],
)
def test_the_terms_of_the_quarters_first_day_covered_set_its_quota(term, expected):
    assert quota_day(term, *Q1) == expected


# --- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-03", "2026-03"),
        ("2026-12", "2026-12"),
        ("2026-Q1", "2026-Q1"),
        ("2026-q4", "2026-Q4"),
        (" 2027-01 ", "2027-01"),
        ("", ""),
    ],
)
def test_a_period_is_a_month_or_a_quarter(typed, stored):
    assert check_period(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "26-03",
        "2026-3",
        "2026/03",
        "2026-03-01",
        "next month",
        "1999-01",
        "2100-Q1",
        "２０２６-03",
        "2026-Q1x",
    ],
)
def test_nonsense_periods_are_refused(typed):
    with pytest.raises(InvalidValue, match="YYYY-MM"):
        check_period(typed)
