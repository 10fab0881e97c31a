"""docs/rules.md §7.1: a board's warranty, post-repair windows, class and coverage end on a date."""

from datetime import date

import pytest

from portal.domain.warranty import Coverage, CoverageClass, post_repair_window, warranty_end

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
