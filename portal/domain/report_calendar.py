"""Which monthly report a distributor owes next (docs/rules.md §8; contract §4.3): what its home page
shows under "due next". The due day itself is domain.reports.report_due_on with the agreement's
``monthly_report_due_day``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from .reports import month_name


def next_report_month(starts_on: date, on: date, reported: Collection[str]) -> tuple[int, int]:
    """The month whose report is owed next on ``on``, as ``(year, month)``.

    Every calendar month from the agreement's first (the month of ``starts_on``, even when it starts
    mid-month) is reported once it has ended. The next one owed is the earliest ended month without
    a report (``reported`` holds the months reported, as "2026-03"), however late it is; when every
    ended month is reported, it is the month of ``on``, due after it ends; for an agreement that has
    not started yet, its first month.
    """
    year, month = starts_on.year, starts_on.month
    while (year, month) < (on.year, on.month):
        if month_name(year, month) not in reported:
            return year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return year, month
