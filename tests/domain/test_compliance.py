"""Compliance both ways (docs/rules.md §10): the score's formula and the figures read off plain
records, as tables of cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.agreements import SEED_TERMS, Terms
from portal.domain.compliance import Figures, compliance_score, frame, quarter_figures, quarters_between, share

D = Decimal
ON = date(2026, 3, 10)
AGREEMENT = {"agreement_id": 1, "distributor_id": 7}


# --- the score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quota", "ordered", "deposits", "fees", "reports", "batches", "violations", "score"),
    [
        # Everything met: 40 + 15 + 10 + 15 + 10 + 10.
        ("50000.00", "50000.00", (2, 2), (1, 1), (3, 3), (1, 1), 0, "100.00"),
        # Ordering over the quota earns nothing more: attainment is capped at 100%.
        ("50000.00", "80000.00", (2, 2), (1, 1), (3, 3), (1, 1), 0, "100.00"),
        # Half the quota: 20 of the 40 points.
        ("50000.00", "25000.00", (2, 2), (1, 1), (3, 3), (1, 1), 0, "80.00"),
        # Nothing due anywhere and a zero quota: every share counts as met.
        ("0.00", "0.00", (0, 0), (0, 0), (0, 0), (0, 0), 0, "100.00"),
        # No order at all against a quota: 0 of 40.
        ("50000.00", "0.00", (0, 0), (0, 0), (0, 0), (0, 0), 0, "60.00"),
        # One of two deposits late: 7.5 of 15; one of three reports missing: 10 of 15.
        ("50000.00", "50000.00", (2, 1), (1, 1), (3, 2), (1, 1), 0, "87.50"),
        # Each violation takes 5 of the 10 points; two or more take them all, never below 0.
        ("50000.00", "50000.00", (2, 2), (1, 1), (3, 3), (1, 1), 1, "95.00"),
        ("50000.00", "50000.00", (2, 2), (1, 1), (3, 3), (1, 1), 2, "90.00"),
        ("50000.00", "50000.00", (2, 2), (1, 1), (3, 3), (1, 1), 7, "90.00"),
        # A prorated quota of 42,391.30 (78 of 92 days) and 30,000 ordered: 40 × 0.70769… = 28.31.
        ("42391.30", "30000.00", (1, 1), (0, 0), (2, 2), (0, 0), 0, "88.31"),
        # Everything missed: fees late, batch outside the window, three violations.
        ("50000.00", "0.00", (1, 0), (1, 0), (3, 0), (1, 0), 3, "0.00"),
    ],
)
def test_the_score(quota, ordered, deposits, fees, reports, batches, violations, score):
    assert compliance_score(
        quota=D(quota),
        ordered_amount=D(ordered),
        deposits_due=deposits[0],
        deposits_on_time=deposits[1],
        fees_due=fees[0],
        fees_on_time=fees[1],
        reports_due=reports[0],
        reports_on_time=reports[1],
        batches_shipped=batches[0],
        batches_in_window=batches[1],
        violations=violations,
    ) == D(score)


@pytest.mark.parametrize(("met", "due", "expected"), [(0, 0, "1"), (1, 2, "0.5"), (3, 3, "1"), (0, 4, "0")])
def test_a_share_with_nothing_due_is_fully_met(met, due, expected):
    assert share(met, due) == D(expected)


@pytest.mark.parametrize(
    ("first", "last", "quarters"),
    [
        (date(2026, 1, 1), date(2026, 3, 31), ["2026-Q1"]),
        (date(2025, 11, 15), date(2026, 4, 1), ["2025-Q4", "2026-Q1", "2026-Q2"]),
        (date(2026, 3, 31), date(2026, 3, 31), ["2026-Q1"]),
    ],
)
def test_quarters_between(first, last, quarters):
    assert quarters_between(first, last) == quarters


def test_figures_add_up_and_read_their_rates():
    a = Figures(quota=D("50000.00"), ordered_amount=D("60000.00"), deposits_due=2, deposits_on_time=1)
    b = Figures(quota=D("50000.00"), ordered_amount=D("0.00"), batches_received=10, batches_repaired_in_time=9)
    total = Figures.total([a, b])
    assert total.quota == D("100000.00")
    assert total.attainment == D("0.6")
    assert total.deposits_rate == D("0.5000")
    assert total.fees_rate is None  # nothing due: no rate shown (it counts as met in the score)
    assert total.service_timeliness.met
    assert total.service_timeliness.rate == D("0.9000")
    assert total.customer_satisfaction is None
    assert Figures(quota=D("0.00")).attainment is None  # "no quota", never a division error


# --- from records to the figures ------------------------------------------------------------------


def agreement(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), terms: Terms = SEED_TERMS, **fields):
    return {**AGREEMENT, "starts_on": starts_on, "ends_on": ends_on, "terms": [(starts_on, terms)], **fields}


def order(**fields):
    row = dict.fromkeys(
        ("cancelled_on", "deposit_due_on", "deposit_paid_on", "delivery_due_on", "shipped_on", "confirmed_on")
    )
    return {**AGREEMENT, "status": "confirmed", "total": D("10000.00"), **row, **fields}


def figures(on=ON, agreements=None, **records):
    result = quarter_figures(on, agreements=frame("agreements", agreements or [agreement()]), **records)
    return {row["quarter"]: row for row in result.to_dict("records")}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "quarter", "quota"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), "2026-Q1", "50000.00"),
        # Starts 15 January: 76 of the quarter's 90 days.
        (date(2026, 1, 15), date(2026, 12, 31), "2026-Q1", "42222.22"),
        # Q3 2025 has 92 days; a term from 15 July covers 78 of them (the example of §9).
        (date(2025, 7, 15), date(2026, 7, 14), "2025-Q3", "42391.30"),
    ],
)
def test_the_quota_is_prorated_by_the_days_the_term_covers(starts_on, ends_on, quarter, quota):
    rows = figures(agreements=[agreement(starts_on, ends_on)])
    assert rows[quarter]["quota"] == D(quota)


def test_quarters_run_up_to_the_quarter_of_the_day_only():
    assert list(figures(agreements=[agreement(date(2025, 7, 1), date(2027, 6, 30))])) == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]


@pytest.mark.parametrize(
    ("fields", "quarter", "ordered"),
    [
        ({"confirmed_on": date(2026, 3, 31)}, "2026-Q1", "10000.00"),  # confirmed on the quarter's last day
        ({"confirmed_on": date(2026, 4, 1)}, "2026-Q2", "10000.00"),
        # Cancelled after the quarter: not ordered (§9: less those later cancelled).
        (
            {"confirmed_on": date(2026, 2, 1), "status": "cancelled", "cancelled_on": date(2026, 4, 2)},
            "2026-Q1",
            "0.00",
        ),
    ],
)
def test_the_ordered_amount(fields, quarter, ordered):
    rows = figures(on=date(2026, 6, 30), orders=[order(**fields)])
    assert rows[quarter]["ordered_amount"] == D(ordered)


@pytest.mark.parametrize(
    ("due_on", "paid_on", "cancelled_on", "due", "on_time"),
    [
        (date(2026, 3, 4), date(2026, 3, 4), None, 1, 1),  # paid on its due day
        (date(2026, 3, 4), date(2026, 3, 5), None, 1, 0),  # a day late
        (date(2026, 3, 4), None, None, 1, 0),  # unpaid past its due day: late
        (date(2026, 3, 10), None, None, 0, 0),  # unpaid, due today: not counted yet
        (date(2026, 3, 4), None, date(2026, 3, 6), 1, 0),  # cancelled for the late deposit
        (date(2026, 3, 4), None, date(2026, 3, 3), 0, 0),  # cancelled before it was due
    ],
)
def test_deposits_due_in_the_quarter_and_paid_on_time(due_on, paid_on, cancelled_on, due, on_time):
    status = "cancelled" if cancelled_on else "confirmed"
    row = order(
        confirmed_on=date(2026, 3, 1),
        deposit_due_on=due_on,
        deposit_paid_on=paid_on,
        cancelled_on=cancelled_on,
        status=status,
    )
    quarter = figures(orders=[row])["2026-Q1"]
    assert (quarter["deposits_due"], quarter["deposits_on_time"]) == (due, on_time)


@pytest.mark.parametrize(
    ("delivery_due_on", "shipped_on", "due", "on_time"),
    [
        (date(2026, 3, 5), date(2026, 3, 5), 1, 1),
        (date(2026, 3, 5), date(2026, 3, 6), 1, 0),
        (date(2026, 3, 5), None, 1, 0),  # not shipped past its due date: late
        (date(2026, 3, 20), None, 0, 0),  # still to come
    ],
)
def test_head_office_ships_orders_by_their_delivery_due_date(delivery_due_on, shipped_on, due, on_time):
    row = order(confirmed_on=date(2026, 1, 5), delivery_due_on=delivery_due_on, shipped_on=shipped_on, status="shipped")
    quarter = figures(orders=[row])["2026-Q1"]
    assert (quarter["orders_due"], quarter["orders_on_time"]) == (due, on_time)


def batch(**fields):
    row = dict.fromkeys(("received_on", "repair_due_on", "repaired_on", "fees_due_on", "paid_on"))
    return {
        **AGREEMENT,
        "shipped_on": date(2026, 1, 5),
        "shipped_late": False,
        "amount_due": D("0.00"),
        **row,
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"batches_shipped": 1, "batches_in_window": 1}),
        ({"shipped_on": date(2026, 1, 12), "shipped_late": True}, {"batches_shipped": 1, "batches_in_window": 0}),
        # Received 10 January, due 9 February: repaired on the limit is in time, a day later is late.
        (
            {"received_on": date(2026, 1, 10), "repair_due_on": date(2026, 2, 9), "repaired_on": date(2026, 2, 9)},
            {"batches_received": 1, "batches_repaired_in_time": 1},
        ),
        (
            {"received_on": date(2026, 1, 10), "repair_due_on": date(2026, 2, 9), "repaired_on": date(2026, 2, 10)},
            {"batches_received": 1, "batches_repaired_in_time": 0},
        ),
        # Unrepaired past the limit: late; unrepaired within it: not counted yet.
        (
            {"received_on": date(2026, 1, 10), "repair_due_on": date(2026, 2, 9)},
            {"batches_received": 1, "batches_repaired_in_time": 0},
        ),
        (
            {"received_on": date(2026, 3, 1), "repair_due_on": date(2026, 3, 31)},
            {"batches_received": 0, "batches_repaired_in_time": 0},
        ),
        # Fees due 3 March: paid that day, paid later, unpaid; nothing to pay is no fee due.
        (
            {"fees_due_on": date(2026, 3, 3), "amount_due": D("90.00"), "paid_on": date(2026, 3, 3)},
            {"fees_due": 1, "fees_on_time": 1},
        ),
        (
            {"fees_due_on": date(2026, 3, 3), "amount_due": D("90.00"), "paid_on": date(2026, 3, 4)},
            {"fees_due": 1, "fees_on_time": 0},
        ),
        ({"fees_due_on": date(2026, 3, 3), "amount_due": D("90.00")}, {"fees_due": 1, "fees_on_time": 0}),
        ({"fees_due_on": date(2026, 3, 3), "amount_due": D("0.00")}, {"fees_due": 0, "fees_on_time": 0}),
        ({"fees_due_on": date(2026, 3, 12), "amount_due": D("90.00")}, {"fees_due": 0, "fees_on_time": 0}),
    ],
)
def test_repair_batches_both_ways(fields, expected):
    quarter = figures(batches=[batch(**fields)])["2026-Q1"]
    assert {name: quarter[name] for name in expected} == expected


def test_reports_on_time_late_and_missing():
    # The term from 1 January covers December? No: January and February are due in Q1 (10 Feb, 10
    # Mar); March's report is due 10 April.
    reports = [
        {**AGREEMENT, "month": "2026-01", "due_on": date(2026, 2, 10), "submitted_on": date(2026, 2, 10)},
    ]
    quarter = figures(reports=reports)["2026-Q1"]
    # January on time; February due today (10 March) and not submitted: not counted yet.
    assert (quarter["reports_due"], quarter["reports_on_time"]) == (1, 1)
    later = figures(on=date(2026, 3, 11), reports=reports)["2026-Q1"]
    assert (later["reports_due"], later["reports_on_time"]) == (2, 1)  # February is missing


def test_a_months_report_counts_in_the_quarter_of_its_month_not_of_its_due_day():
    # A term ending 31 December: December's report is due 10 January and submitted late, on the 12th.
    ended = agreement(starts_on=date(2025, 10, 1), ends_on=date(2025, 12, 31))
    reports = [
        {**AGREEMENT, "month": f"2025-{m}", "due_on": date(2025 + (m == 12), m % 12 + 1, 10), "submitted_on": on}
        for m, on in ((10, date(2025, 11, 5)), (11, date(2025, 12, 5)), (12, date(2026, 1, 12)))
    ]
    result = figures(on=date(2026, 3, 10), agreements=[ended], reports=reports)
    assert (result["2025-Q4"]["reports_due"], result["2025-Q4"]["reports_on_time"]) == (3, 2)
    assert "2026-Q1" not in result  # nothing of the ended term is scored in a quarter it does not cover


def test_violations_by_kind_not_dismissed():
    violations = [
        {**AGREEMENT, "kind": "below_price", "occurred_on": date(2026, 2, 1), "dismissed_on": None},
        {**AGREEMENT, "kind": "below_price", "occurred_on": date(2026, 2, 2), "dismissed_on": date(2026, 3, 1)},
        {**AGREEMENT, "kind": "cross_territory", "occurred_on": date(2026, 3, 31), "dismissed_on": None},
    ]
    quarter = figures(on=date(2026, 4, 2), violations=violations)["2026-Q1"]
    assert quarter["violations_below_price"] == 1
    assert quarter["violations_cross_territory"] == 1
    assert quarter["violations_unapproved_sub_agent"] == 0
    assert quarter["score"] == D("0.00") + quarter["score"]  # a Decimal


def test_price_notices_and_ratings():
    notices = [
        {"agreement_id": None, "distributor_id": 7, "issued_on": date(2026, 1, 20), "effective_on": date(2026, 2, 1)},
        {"agreement_id": None, "distributor_id": 7, "issued_on": date(2026, 2, 1), "effective_on": date(2026, 2, 1)},
    ]
    ratings = [
        {
            **AGREEMENT,
            "rated_on": date(2026, 2, 3),
            "attitude": "very_satisfied",
            "skill": "satisfied",
            "timeliness": "fairly_satisfied",
            "promises": "dissatisfied",
        }
    ]
    quarter = figures(notices=notices, ratings=ratings)["2026-Q1"]
    assert (quarter["price_notices"], quarter["price_notices_before"]) == (2, 1)  # same day is not before
    assert (quarter["rating_items"], quarter["rating_items_satisfied"]) == (4, 2)


def test_events_after_the_day_have_not_happened():
    row = order(confirmed_on=date(2026, 3, 1), deposit_due_on=date(2026, 3, 4), deposit_paid_on=date(2026, 3, 9))
    assert figures(on=date(2026, 3, 5), orders=[row])["2026-Q1"]["deposits_on_time"] == 0
    assert figures(on=date(2026, 3, 5), orders=[row])["2026-Q1"]["deposits_due"] == 1
