"""docs/rules.md §2: periods follow the PRC Civil Code, Arts. 200-204."""

from datetime import date

import pytest

from portal.domain.dates import add_days, add_months, fewest_days_in, is_met, quarter_bounds, quarter_of


@pytest.mark.parametrize(
    ("start", "months", "expected_end"),
    [
        # §2 / §6.5.1: 15 months of warranty, the last month lacking the day → its last day (Art. 202)
        (date(2025, 11, 30), 15, date(2027, 2, 28)),
        (date(2023, 11, 29), 15, date(2025, 2, 28)),
        (date(2022, 11, 29), 15, date(2024, 2, 29)),  # leap year
        # same-numbered day where the month has it
        (date(2025, 3, 15), 15, date(2026, 6, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # §6.5.3 post-repair warranty of 6 months
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # across a year end
        (date(2025, 3, 31), 0, date(2025, 3, 31)),
    ],
)
def test_add_months_ends_on_the_same_numbered_day_or_the_months_last_day(start, months, expected_end):
    assert add_months(start, months) == expected_end


@pytest.mark.parametrize(
    ("event_on", "days", "due_on"),
    [
        (date(2025, 3, 5), 3, date(2025, 3, 8)),  # §2: "within 3 days of confirmation" on 5 March
        (date(2025, 2, 27), 3, date(2025, 3, 2)),
        (date(2025, 12, 30), 3, date(2026, 1, 2)),
        (date(2025, 6, 10), 30, date(2025, 7, 10)),  # §6.4.1 delivery within 30 days
    ],
)
def test_a_period_of_days_starts_the_day_after_the_event(event_on, days, due_on):
    assert add_days(event_on, days) == due_on


@pytest.mark.parametrize(
    ("event_on", "due_on", "met"),
    [
        (date(2025, 3, 8), date(2025, 3, 8), True),  # the last day counts in full (Art. 203)
        (date(2025, 3, 7), date(2025, 3, 8), True),
        (date(2025, 3, 9), date(2025, 3, 8), False),
    ],
)
def test_a_deadline_is_met_on_or_before_the_due_date(event_on, due_on, met):
    assert is_met(event_on, due_on) is met


@pytest.mark.parametrize(
    ("day", "quarter", "bounds"),
    [
        (date(2026, 1, 1), (2026, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 5, 31), (2026, 2), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 9, 30), (2026, 3), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 12, 31), (2026, 4), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_calendar_quarters(day, quarter, bounds):
    assert quarter_of(day) == quarter
    assert quarter_bounds(*quarter) == bounds


@pytest.mark.parametrize(
    ("notice_on", "months", "in_effect_from"),
    [
        (date(2025, 7, 15), 1, date(2025, 8, 16)),  # held to 15 Aug, revoked from 16 Aug (§4.5)
        (date(2026, 1, 31), 1, date(2026, 3, 1)),  # the period ends 28 Feb (Art. 202), counted in full (203)
        (date(2026, 3, 5), 1, date(2026, 4, 6)),
        (date(2026, 3, 5), 0, date(2026, 3, 5)),
    ],
)
def test_a_written_notice_takes_effect_the_day_after_its_period_ends(notice_on, months, in_effect_from):
    from portal.domain.dates import notice_takes_effect_on

    assert notice_takes_effect_on(notice_on, months) == in_effect_from


@pytest.mark.parametrize("months", [0, 1, 6, 11, 12, 15, 18, 24, 36, 120])
@pytest.mark.parametrize(
    "start",
    [date(2024, 1, 31), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 31), date(2025, 11, 30), date(2027, 12, 1)],
)
def test_no_period_of_months_is_shorter_than_its_fewest_days(start, months):
    """The boards list bounds "the warranty has ended" by a shipping date (docs/rules.md §2, §7):
    sound only if no start day makes a period of months shorter than fewest_days_in says."""
    assert (add_months(start, months) - start).days >= fewest_days_in(months)


@pytest.mark.parametrize(("months", "days"), [(0, 0), (1, 28), (6, 168), (12, 365), (15, 449), (24, 730)])
def test_fewest_days_in_a_period_of_months(months, days):
    assert fewest_days_in(months) == days
