"""Calendar periods as the PRC Civil Code counts them (docs/rules.md §2, Civil Code Arts. 200-204).

The day of the event is not counted (Art. 201): "within 3 days of 5 March" ends on 8 March, so a
period of days is ``start + days``. A period of months ends on the same-numbered day of the last
month, or that month's last day where it has none (Art. 202). The last day counts in full (Art.
203): a deadline is met when the event's date is on or before the due date.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from .errors import N_, InvalidValue


def add_months(start: date, months: int) -> date:
    """The end of a period of ``months`` months that starts after ``start`` (Art. 202).

    15 months from 2025-11-30 ends 2027-02-28; from 2022-11-29 it ends 2024-02-29.
    """
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def fewest_days_in(months: int) -> int:
    """A lower bound of ``add_months(start, months) - start`` in days, whatever the start: a year
    is at least 365 days and any further month at least 28 (add_months keeps the day, or takes
    the month's last). Lets a query bound "the period has ended" by a date alone."""
    return 365 * (months // 12) + 28 * (months % 12)


def add_days(start: date, days: int) -> date:
    """The end of a period of ``days`` days after ``start`` (Art. 201: the start day is not counted)."""
    return start + timedelta(days=days)


def notice_takes_effect_on(notice_on: date, notice_months: int) -> date:
    """The first day a written notice of ``notice_months`` months is in effect (§4.5).

    The notice period starts the day after the notice (Art. 201), ends on the same-numbered day
    ``notice_months`` later (Art. 202) and that last day counts in full (Art. 203): the notice
    takes effect the day after. Notice on 31 January with one month: the period ends 28 February,
    the revocation applies from 1 March. No notice period: in effect on the notice date.
    """
    if notice_months == 0:
        return notice_on
    return add_months(notice_on, notice_months) + timedelta(days=1)


def is_met(event_on: date, due_on: date) -> bool:
    """A deadline is met when the event happened on or before the due date (Art. 203)."""
    return event_on <= due_on


def quarter_of(day: date) -> tuple[int, int]:
    """The calendar quarter ``(year, n)`` that ``day`` falls in."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - timedelta(days=1)


# Dates outside this window are typing mistakes (0202 for 2026), not agreements.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def check_plausible(day: date, field: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(
            N_("Enter a date between %(earliest)s and %(latest)s."),
            field=field,
            earliest=EARLIEST.isoformat(),
            latest=LATEST.isoformat(),
        )


IN_THE_FUTURE = N_("This date is in the future; enter today or an earlier day.")


def check_event_date(day: date, *, today: date, field: str, message: str = IN_THE_FUTURE) -> date:
    """The date of something that has happened (a confirmation, a payment, a shipment, a written
    notice): plausible, and never later than ``today`` (Asia/Shanghai, docs/api.md). The services
    call it; the pages and the API show its message on ``field``."""
    check_plausible(day, field)
    if day > today:
        raise InvalidValue(message, field=field)
    return day
