"""Written notices (书面通知, docs/rules.md §11): numbered per year, typed, printable, acknowledged.

A notice's number is ``TZ-<year>-<sequence>``: the sequence restarts at 1 every calendar year of
the issue date and never repeats (the service takes it under a lock). Its text is fixed in both
languages when it is issued; the distributor acknowledges reading it once.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .dates import check_plausible
from .errors import N_, InvalidValue

NUMBER_RE = re.compile(r"^TZ-(\d{4})-(\d{4,})$", re.ASCII)
# A warning's message, per language: long enough for a page of text, short enough for one A4 sheet.
MESSAGE_MAX_LENGTH = 2000
LANGUAGES = ("zh", "en")
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class NoticeType(StrEnum):
    PRICE_LIST = "price_list"
    WARNING = "warning"
    REVOCATION = "revocation"
    TERMINATION = "termination"
    REPAIR_FEES = "repair_fees"
    PAYMENT_REMINDER = "payment_reminder"

    @property
    def label(self) -> str:
        return {
            NoticeType.PRICE_LIST: N_("New price list"),
            NoticeType.WARNING: N_("Warning"),
            NoticeType.REVOCATION: N_("Territory revocation"),
            NoticeType.TERMINATION: N_("Termination"),
            NoticeType.REPAIR_FEES: N_("Repair completed / fees due"),
            NoticeType.PAYMENT_REMINDER: N_("Payment reminder"),
        }[self]

    @property
    def needs_effective_date(self) -> bool:
        """A new price list, a revocation and a termination each take effect on a stated date."""
        return self in (NoticeType.PRICE_LIST, NoticeType.REVOCATION, NoticeType.TERMINATION)


class ReadState(StrEnum):
    """Whether the distributor has acknowledged reading a notice (head office's filter)."""

    READ = "read"
    UNREAD = "unread"

    @property
    def label(self) -> str:
        return N_("Acknowledged") if self is ReadState.READ else N_("Not yet acknowledged")


def notice_number(year: int, sequence: int) -> str:
    """TZ-2027-0042: the 42nd notice issued in 2027. The 10,000th of a year is TZ-2027-10000."""
    if sequence < 1:
        raise ValueError("notice sequences start at 1")
    if not 1000 <= year <= 9999:
        raise ValueError("a notice year has four digits")
    return f"TZ-{year:04d}-{sequence:04d}"


def parse_notice_number(text: str) -> tuple[int, int]:
    match = NUMBER_RE.match(text.strip())
    if not match or int(match.group(2)) < 1:
        raise InvalidValue(N_("A notice number looks like TZ-2027-0042."))
    return int(match.group(1)), int(match.group(2))


def check_warning(message_zh: str, message_en: str, issued_on: date, effective_on: date | None) -> tuple[str, str]:
    """A warning states its message in Chinese and in English; a date it takes effect, when given,
    is not before the day it is issued. Returns the messages trimmed."""
    if effective_on is not None:
        check_plausible(effective_on, "effective_on")
    messages = {"message_zh": (message_zh or "").strip(), "message_en": (message_en or "").strip()}
    for field, text in messages.items():
        if not text:
            raise InvalidValue(N_("Write the message in both languages."), field=field)
        if len(text) > MESSAGE_MAX_LENGTH:
            raise InvalidValue(
                N_("Keep the message under %(length)s characters."), field=field, length=MESSAGE_MAX_LENGTH
            )
    if effective_on is not None and effective_on < issued_on:
        raise InvalidValue(
            N_("A notice cannot take effect before the day it is issued (%(issued_on)s)."),
            field="effective_on",
            issued_on=issued_on.isoformat(),
        )
    return messages["message_zh"], messages["message_en"]


def long_date(day: date, language: str) -> str:
    """A date as a formal letter writes it: 2027年3月5日 / 5 March 2027."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def yuan(amount: Decimal) -> str:
    """¥1,234.50 — an amount in a notice's text, the same in both languages."""
    return f"¥{amount:,.2f}"
