"""docs/rules.md §7.1: a board's warranty, post-repair windows (from its repairs), class and coverage end on a date."""

from datetime import date

import pytest

from portal.domain.repairs import Repair, RepairOutcome, coverage_after_repairs
from portal.domain.warranty import Coverage, CoverageClass, Window, post_repair_window, warranty_end

C = CoverageClass


@pytest.mark.parametrize(
    ("shipped_on", "end"),
    [
        (date(2025, 11, 30), date(2027, 2, 28)),  # §2: month-end
        (date(2023, 11, 29), date(2025, 2, 28)),
        (date(2022, 11, 29), date(2024, 2, 29)),  # leap year
        (date(2025, 3, 15), date(2026, 6, 15)),
    ],
)
def test_warranty_ends_15_months_after_shipping(shipped_on, end):
    assert warranty_end(shipped_on, 15) == end


# Shipped 2024-01-10: warranty to 2025-04-10. Repaired out of coverage, returned 2025-06-01:
# post-repair window 2025-06-01 … 2025-12-01.
BOARD = Coverage(date(2024, 1, 10), date(2025, 4, 10), (post_repair_window(date(2025, 6, 1), 6),))


@pytest.mark.parametrize(
    ("on", "klass", "end"),
    [
        (date(2024, 1, 9), C.NOT_YET_SHIPPED, None),  # before its shipping date: not "in warranty"
        (date(2024, 1, 10), C.IN_WARRANTY, date(2025, 4, 10)),  # covered from its shipping date
        (date(2025, 4, 10), C.IN_WARRANTY, date(2025, 4, 10)),  # the last day counts in full
        (date(2025, 4, 11), C.OUT_OF_WARRANTY, None),  # not covered between warranty end and return
        (date(2025, 5, 31), C.OUT_OF_WARRANTY, None),
        (date(2025, 6, 1), C.POST_REPAIR_WARRANTY, date(2025, 12, 1)),  # the window starts on the return date
        (date(2025, 12, 1), C.POST_REPAIR_WARRANTY, date(2025, 12, 1)),
        (date(2025, 12, 2), C.OUT_OF_WARRANTY, None),
    ],
)
def test_class_and_coverage_end_on_a_date(on, klass, end):
    assert BOARD.coverage_class(on) is klass
    assert BOARD.is_covered(on) is (klass in (C.IN_WARRANTY, C.POST_REPAIR_WARRANTY))
    assert BOARD.coverage_end(on) == end


def test_with_no_date_the_coverage_end_is_the_latest_end():
    assert BOARD.coverage_end() == date(2025, 12, 1)
    assert Coverage(date(2024, 10, 1), date(2026, 1, 1)).coverage_end() == date(2026, 1, 1)
    assert BOARD.post_repair_warranty_end() == date(2025, 12, 1)


def test_a_window_ending_on_a_short_month_follows_the_civil_code():
    assert post_repair_window(date(2025, 8, 31), 6).ends_on == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("shipped_on", "end"),
    [
        (date(2025, 10, 31), date(2027, 1, 31)),  # a 31st, to a month that has one
        (date(2025, 12, 31), date(2027, 3, 31)),
        (date(2026, 1, 31), date(2027, 4, 30)),  # to a 30-day month
        (date(2024, 2, 29), date(2025, 5, 29)),  # shipped on a leap day
        (date(2026, 11, 29), date(2028, 2, 29)),  # ends on a leap day
        (date(2026, 11, 30), date(2028, 2, 29)),  # a leap February's last day
        (date(2026, 12, 31), date(2028, 3, 31)),
    ],
)
def test_warranty_ends_at_month_ends_and_leap_days(shipped_on, end):
    assert warranty_end(shipped_on, 15) == end


@pytest.mark.parametrize(
    ("returned_on", "end"),
    [
        (date(2023, 8, 31), date(2024, 2, 29)),  # a window ending in a leap February
        (date(2024, 2, 29), date(2024, 8, 29)),  # starting on a leap day
        (date(2026, 3, 31), date(2026, 9, 30)),
    ],
)
def test_a_window_at_month_ends_and_leap_days(returned_on, end):
    assert post_repair_window(returned_on, 6) == Window(returned_on, end)


# The coverage a board's repairs give it (docs/rules.md §7.1 and §7.2): each repair is classified on
# its batch's shipping date by the coverage the earlier ones left. Shipped 2024-01-10, warranty to
# 2025-04-10.
SHIPPED = Coverage(date(2024, 1, 10), date(2025, 4, 10))
REPAIRED = RepairOutcome.REPAIRED


def test_repaired_inside_its_warranty_gets_no_window():
    board = coverage_after_repairs(SHIPPED, [Repair(date(2025, 3, 5), REPAIRED, date(2025, 4, 20), 6)])
    assert board.windows == ()
    assert board.coverage_class(date(2025, 4, 20)) is C.OUT_OF_WARRANTY  # returned after the warranty: still none
    assert board.post_repair_warranty_end() is None


def test_repaired_after_it_gets_a_window_from_the_return_date_and_no_cover_in_the_gap():
    board = coverage_after_repairs(SHIPPED, [Repair(date(2025, 5, 6), REPAIRED, date(2025, 6, 1), 6)])
    assert board.windows == (Window(date(2025, 6, 1), date(2025, 12, 1)),)
    assert board.coverage_class(date(2025, 5, 6)) is C.OUT_OF_WARRANTY  # sent in uncovered: why it was charged
    assert board.coverage_class(date(2025, 5, 31)) is C.OUT_OF_WARRANTY  # not covered in the gap
    assert board.coverage_class(date(2025, 6, 1)) is C.POST_REPAIR_WARRANTY


# Repaired twice out of coverage: two windows, uncovered between them.
TWICE = [
    Repair(date(2025, 5, 6), REPAIRED, date(2025, 6, 1), 6),
    Repair(date(2026, 1, 8), REPAIRED, date(2026, 2, 10), 6),
]


@pytest.mark.parametrize(
    ("on", "klass", "end"),
    [
        (date(2025, 4, 10), C.IN_WARRANTY, date(2025, 4, 10)),
        (date(2025, 4, 11), C.OUT_OF_WARRANTY, None),
        (date(2025, 6, 1), C.POST_REPAIR_WARRANTY, date(2025, 12, 1)),
        (date(2025, 12, 1), C.POST_REPAIR_WARRANTY, date(2025, 12, 1)),
        (date(2025, 12, 2), C.OUT_OF_WARRANTY, None),  # between the two windows
        (date(2026, 2, 9), C.OUT_OF_WARRANTY, None),
        (date(2026, 2, 10), C.POST_REPAIR_WARRANTY, date(2026, 8, 10)),  # the second window
        (date(2026, 8, 10), C.POST_REPAIR_WARRANTY, date(2026, 8, 10)),
        (date(2026, 8, 11), C.OUT_OF_WARRANTY, None),
    ],
)
def test_a_board_repaired_twice(on, klass, end):
    board = coverage_after_repairs(SHIPPED, reversed(TWICE))  # taken in the order they were sent in
    assert board.coverage_class(on) is klass
    assert board.coverage_end(on) == end
    assert board.post_repair_warranty_end() == date(2026, 8, 10)
    assert board.coverage_end() == date(2026, 8, 10)


def test_sent_in_again_inside_its_window_gets_no_second_window():
    repairs = [TWICE[0], Repair(date(2025, 11, 3), REPAIRED, date(2025, 12, 20), 6)]
    board = coverage_after_repairs(SHIPPED, repairs)
    assert board.windows == (Window(date(2025, 6, 1), date(2025, 12, 1)),)
    assert board.coverage_class(date(2025, 12, 20)) is C.OUT_OF_WARRANTY


def test_no_window_before_the_boards_come_back_nor_without_a_repair():
    repairs = [
        Repair(date(2025, 5, 6), RepairOutcome.NO_FAULT_FOUND, date(2025, 6, 1), 6),
        Repair(date(2025, 7, 2), RepairOutcome.UNREPAIRABLE, date(2025, 8, 1), 6),
        Repair(date(2025, 9, 1), REPAIRED, None, 6),  # still at head office
    ]
    assert coverage_after_repairs(SHIPPED, repairs).windows == ()
