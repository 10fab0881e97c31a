"""Quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5) as tables of cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.agreements import termination_effective_on
from portal.domain.assessments import (
    AssessmentOutcome,
    Figures,
    attainment,
    attainment_percent,
    changed_figures,
    check_review,
    last_ended_quarter,
    parse_quarter,
    quarter_has_ended,
    quarter_name,
)
from portal.domain.dates import quarter_bounds
from portal.domain.distributors import Level
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.orders import prorated_quota
from portal.domain.territories import revocation_effective_on

D = date
Out = AssessmentOutcome
Q3_2026 = quarter_bounds(2026, 3)  # 1 July - 30 September: 92 days


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-Q1", (2026, 1)), ("2025-q4", (2025, 4)), (" 2026-Q3 ", (2026, 3))],
)
def test_a_quarter_is_written_yyyy_qn(text, expected):
    assert parse_quarter(text) == expected
    assert quarter_name(*expected) == text.strip().upper()


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-Q0", "2026Q1", "26-Q1", "1999-Q4", "２０２６-Q1", None])
def test_a_quarter_otherwise_written_is_refused(text):
    with pytest.raises(InvalidValue):
        parse_quarter(text)


@pytest.mark.parametrize(
    ("year", "quarter", "today", "ended"),
    [
        (2026, 1, D(2026, 3, 31), False),  # its last day counts in full (Art. 203)
        (2026, 1, D(2026, 4, 1), True),
        (2026, 4, D(2027, 1, 1), True),
        (2026, 3, D(2026, 7, 15), False),
    ],
)
def test_a_quarter_has_ended_the_day_after_its_last_day(year, quarter, today, ended):
    assert quarter_has_ended(year, quarter, today) is ended


@pytest.mark.parametrize(
    ("today", "expected"),
    [(D(2026, 4, 1), (2026, 1)), (D(2026, 3, 31), (2025, 4)), (D(2026, 12, 1), (2026, 3)), (D(2027, 1, 1), (2026, 4))],
)
def test_the_last_ended_quarter(today, expected):
    assert last_ended_quarter(today) == expected


# §9: the quota of a quarter the term covers in part, prorated by the days covered, rounded to the fen.
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ((D(2026, 7, 15), D(2027, 7, 14)), "42391.30"),  # starts mid-quarter: 78 of 92 days
        ((D(2025, 9, 17), D(2026, 9, 16)), "42391.30"),  # ends mid-quarter: 78 of 92 days
        ((D(2026, 7, 1), D(2027, 6, 30)), "50000.00"),  # the whole quarter
        ((D(2026, 9, 30), D(2027, 9, 29)), "543.48"),  # its last day only: 1 of 92, half-up
        ((D(2026, 8, 1), D(2026, 8, 31)), "16847.83"),  # inside the quarter: 31 of 92
        ((D(2026, 10, 1), D(2027, 9, 30)), "0.00"),  # begins after it
    ],
)
def test_the_quota_is_prorated_by_the_days_the_term_covers(term, expected):
    assert prorated_quota(Decimal("50000.00"), term, *Q3_2026) == Decimal(expected)


@pytest.mark.parametrize(
    ("ordered", "quota", "share", "percent"),
    [
        ("50000.00", "50000.00", Decimal(1), "100.00"),
        ("42391.30", "50000.00", Decimal("0.847826"), "84.78"),
        ("0.00", "42391.30", Decimal(0), "0.00"),
        ("75000.00", "50000.00", Decimal("1.5"), "150.00"),
        ("12000.00", "0.00", None, None),  # a zero quota: "no quota", never a division error
        ("0.00", "0.00", None, None),
    ],
)
def test_attainment(ordered, quota, share, percent):
    found = attainment(Decimal(ordered), Decimal(quota))
    if share is None:
        assert found is None
    else:
        assert round(found, 6) == share
    assert attainment_percent(Decimal(ordered), Decimal(quota)) == (Decimal(percent) if percent else None)


# §4.5 with Arts. 201-203: the month's notice runs from the day after the notice to the same-numbered
# day a month later (the month's last day where there is none), held in full; effective the next day.
@pytest.mark.parametrize(
    ("notice_on", "effective_on"),
    [
        (D(2025, 7, 15), D(2025, 8, 16)),  # held to 15 August
        (D(2026, 1, 31), D(2026, 3, 1)),  # February has no 31st: held to 28 February
        (D(2027, 1, 30), D(2027, 3, 1)),  # nor a 30th
        (D(2028, 1, 31), D(2028, 3, 1)),  # a leap year: held to 29 February
        (D(2026, 3, 31), D(2026, 5, 1)),  # April has no 31st: held to 30 April
        (D(2026, 4, 1), D(2026, 5, 2)),  # a review the day after a quarter ends
        (D(2026, 12, 31), D(2027, 2, 1)),  # across the year
    ],
)
def test_revocation_and_termination_by_notice_after_a_review(notice_on, effective_on):
    assert revocation_effective_on(notice_on, 1) == effective_on
    assert termination_effective_on(notice_on, 1) == effective_on


# --- the review ------------------------------------------------------------------------------------

Q1_END = D(2026, 3, 31)
HELD = {"330100", "330200"}


def review(
    outcome,
    *,
    on=D(2026, 4, 2),
    reviewed_on=None,
    regions=(),
    comment="考核",
    effective_from=None,
    level=Level.SECOND,
    binds=True,
):
    return check_review(
        outcome,
        last_day=Q1_END,
        on=on,
        reviewed_on=reviewed_on,
        region_codes=list(regions),
        held_codes=HELD,
        comment=comment,
        effective_from=effective_from,
        level_on=lambda day: level,
        binds=lambda day: binds,
    )


@pytest.mark.parametrize(
    ("outcome", "kwargs", "expected"),
    [
        (Out.MET, {}, None),
        (Out.WARNING, {}, None),
        (Out.TERMINATE, {}, None),
        (Out.REVOKE_TERRITORIES, {"regions": ["330100"]}, None),
        (Out.REVOKE_TERRITORIES, {"regions": ["330100", " 330200", "330100"]}, None),
        (Out.PROMOTE, {}, D(2026, 4, 3)),  # by default from the day after the review
        (Out.PROMOTE, {"effective_from": D(2026, 4, 2)}, D(2026, 4, 2)),  # the review's day itself
        (Out.PROMOTE, {"effective_from": D(2026, 7, 1)}, D(2026, 7, 1)),  # from the next quarter
        (Out.MET, {"effective_from": D(2020, 1, 1)}, None),  # a date is read for a promotion only
        (Out.MET, {"on": D(2026, 4, 1)}, None),  # the day after the quarter's last day
        (Out.MET, {"comment": ""}, None),  # a comment is optional, but for a termination
    ],
)
def test_a_review_is_accepted(outcome, kwargs, expected):
    assert review(outcome, **kwargs) == expected


@pytest.mark.parametrize(
    ("outcome", "kwargs", "error", "field"),
    [
        (Out.MET, {"on": D(2026, 3, 31)}, DomainError, None),  # the quarter's last day: not yet ended
        (Out.WARNING, {"on": D(2026, 2, 10)}, DomainError, None),
        (Out.MET, {"reviewed_on": D(2026, 4, 1)}, DomainError, None),  # already reviewed: frozen
        (Out.REVOKE_TERRITORIES, {}, InvalidValue, "revoke_region_codes"),  # no region chosen
        (Out.REVOKE_TERRITORIES, {"regions": ["  "]}, InvalidValue, "revoke_region_codes"),
        (Out.REVOKE_TERRITORIES, {"regions": ["330100", "320000"]}, InvalidValue, "revoke_region_codes"),  # not held
        (Out.WARNING, {"regions": ["330100"]}, InvalidValue, "revoke_region_codes"),  # regions for a warning
        (Out.PROMOTE, {"level": Level.FIRST}, DomainError, None),  # already first level
        (Out.PROMOTE, {"effective_from": D(2026, 4, 1)}, InvalidValue, "effective_from"),  # before the review
        (Out.PROMOTE, {"binds": False}, DomainError, "effective_from"),  # outside the term
        (Out.TERMINATE, {"comment": " "}, InvalidValue, "comment"),  # the notice states the reason
    ],
)
def test_a_review_is_refused(outcome, kwargs, error, field):
    with pytest.raises(error) as refused:
        review(outcome, **kwargs)
    assert type(refused.value) is error
    assert refused.value.field == field


def test_an_already_reviewed_assessment_is_refused_before_its_fields_are_read():
    with pytest.raises(DomainError, match="frozen"):
        review(Out.REVOKE_TERRITORIES, reviewed_on=D(2026, 4, 1))


def figures(full="50000.00", quota="42391.30", ordered="30000.00", violations=2, on_time=3):
    return Figures(Decimal(full), Decimal(quota), Decimal(ordered), violations, {"reports_on_time": on_time})


FROZEN = figures()


@pytest.mark.parametrize(
    ("live", "changed"),
    [
        (FROZEN, []),
        (
            Figures(Decimal("50000.00"), Decimal("42391.30"), Decimal("18000.00"), 2, {"reports_on_time": 3}),
            ["ordered_amount"],
        ),
        (
            Figures(Decimal("50000.00"), Decimal("42391.30"), Decimal("30000.00"), 3, {"reports_on_time": 2}),
            ["violations", "conduct"],
        ),
        (
            Figures(Decimal("60000.00"), Decimal("50000.00"), Decimal("30000.00"), 2, {"reports_on_time": 3}),
            ["full_quota", "quota"],
        ),
    ],
)
def test_live_figures_that_differ_from_the_frozen_ones(live, changed):
    assert changed_figures(FROZEN, live) == changed


def test_figures_show_their_attainment():
    assert FROZEN.attainment == Decimal("70.77")
    assert Figures(Decimal(0), Decimal(0), Decimal("10.00"), 0).attainment is None
