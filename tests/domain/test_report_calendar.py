"""The monthly report a distributor owes next (docs/rules.md §8; contract §4.3)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.report_calendar import next_report_month

JAN = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("starts_on", "on", "reported", "expected"),
    [
        # Nothing reported yet: the agreement's first month, once it has ended, however late.
        (JAN, date(2026, 2, 3), set(), (2026, 1)),
        (JAN, date(2026, 5, 15), set(), (2026, 1)),
        # The earliest gap, even with later months reported.
        (JAN, date(2026, 5, 15), {"2026-01", "2026-02", "2026-04"}, (2026, 3)),
        # Every ended month reported: the current month, due after it ends.
        (JAN, date(2026, 5, 15), {"2026-01", "2026-02", "2026-03", "2026-04"}, (2026, 5)),
        # Still in the first month: that month.
        (JAN, date(2026, 1, 31), set(), (2026, 1)),
        # An agreement starting mid-month reports that month too.
        (date(2026, 3, 17), date(2026, 4, 1), set(), (2026, 3)),
        (date(2026, 3, 17), date(2026, 4, 1), {"2026-03"}, (2026, 4)),
        # Across a year's end.
        (date(2025, 11, 1), date(2026, 1, 5), {"2025-11"}, (2025, 12)),
        (date(2025, 11, 1), date(2026, 1, 5), {"2025-11", "2025-12"}, (2026, 1)),
        # Months before the agreement's start do not count.
        (date(2026, 3, 1), date(2026, 4, 20), {"2026-01"}, (2026, 3)),
        # Not started yet: its first month.
        (date(2026, 7, 1), date(2026, 5, 15), set(), (2026, 7)),
    ],
)
def test_the_next_report_owed(starts_on, on, reported, expected):
    assert next_report_month(starts_on, on, reported) == expected
