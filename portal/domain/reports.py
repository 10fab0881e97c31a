"""Monthly distributor reports and the violations found in them (docs/rules.md §8; contract §1.3,
§3.2, §4.3, §4.4, §5.1, §5.5).

Every month a distributor reports its inventory on hand, its sell-through and its outlets and
sub-agents, by the ``monthly_report_due_day`` of the following month (a term of the agreement;
§4.3 sets no day, the portal's default is the 10th). Each sale and outlet is checked as it is
submitted: a sale outside the agreement's territories on its date is a cross-territory violation
(§3.2, §5.1), a sale below the minimum resale price in force on its date a below-price violation
(§3.2, §5.1; at the floor is fine), an outlet or sub-agent without head office's approval an
unapproved-sub-agent violation (§1.3).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from .dates import EARLIEST, LATEST, add_months
from .errors import N_, InvalidValue

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


class ViolationKind(StrEnum):
    CROSS_TERRITORY = "cross_territory"
    BELOW_PRICE = "below_price"
    UNAPPROVED_SUB_AGENT = "unapproved_sub_agent"

    @property
    def label(self) -> str:
        return {
            ViolationKind.CROSS_TERRITORY: N_("Cross-territory sale"),
            ViolationKind.BELOW_PRICE: N_("Sale below the minimum resale price"),
            ViolationKind.UNAPPROVED_SUB_AGENT: N_("Unapproved sub-agent or outlet"),
        }[self]

    @property
    def clause(self) -> str:
        return {
            ViolationKind.CROSS_TERRITORY: "§3.2, §5.1",
            ViolationKind.BELOW_PRICE: "§3.2, §5.1",
            ViolationKind.UNAPPROVED_SUB_AGENT: "§1.3",
        }[self]


class OutletKind(StrEnum):
    """What a distributor reports beside its sales: its sub-agents (下级代理商) and outlets (销售网点)."""

    SUB_AGENT = "sub_agent"
    OUTLET = "outlet"

    @property
    def label(self) -> str:
        return N_("Sub-agent") if self is OutletKind.SUB_AGENT else N_("Outlet")


class ReportState(StrEnum):
    """A month's report as both sides see it on a given day."""

    NOT_YET_DUE = "not_yet_due"  # the month has not ended, or its due day has not passed
    ON_TIME = "on_time"
    LATE = "late"  # submitted after the due day
    MISSING = "missing"  # not submitted, and the due day has passed

    @property
    def label(self) -> str:
        return {
            ReportState.NOT_YET_DUE: N_("Not yet due"),
            ReportState.ON_TIME: N_("On time"),
            ReportState.LATE: N_("Late"),
            ReportState.MISSING: N_("Missing"),
        }[self]


def parse_month(text: str | None, field: str = "month") -> tuple[int, int]:
    """``"2026-03"`` → ``(2026, 3)``, or refused with a message on ``field``."""
    match = MONTH_RE.match((text or "").strip())
    if match is not None:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and EARLIEST.year <= year <= LATEST.year:
            return year, month
    raise InvalidValue(N_("Enter the month as YYYY-MM (2026-03)."), field=field)


def month_name(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    first = date(year, month, 1)
    return first, add_months(first, 1) - timedelta(days=1)


def report_due_on(year: int, month: int, due_day: int) -> date:
    """§4.3: the report of a month is due on ``due_day`` of the following month (the 10th by
    default; a day the month lacks is its last day, as Art. 202 counts)."""
    following = add_months(date(year, month, 1), 1)
    last = month_bounds(following.year, following.month)[1]
    return following.replace(day=min(due_day, last.day))


def report_state(due_on: date, submitted_on: date | None, on: date) -> ReportState:
    """On time when submitted on or before the due day; missing once the due day has passed."""
    if submitted_on is not None:
        return ReportState.ON_TIME if submitted_on <= due_on else ReportState.LATE
    return ReportState.MISSING if on > due_on else ReportState.NOT_YET_DUE


def check_month_ended(year: int, month: int, today: date) -> None:
    """A month is reported once it has ended: a report for this month or a later one is refused."""
    if month_bounds(year, month)[1] >= today:
        raise InvalidValue(
            N_("The month %(month)s has not ended yet: report it from the first day of the next month."),
            field="month",
            month=month_name(year, month),
        )


def below_price(unit_price: Decimal, floor: Decimal | None) -> bool:
    """§5.1, §6.1.1: a sale below the minimum resale price in force on the sale date. At the floor is
    fine; no floor in force (the product is in no published list) is no violation."""
    return floor is not None and unit_price < floor
