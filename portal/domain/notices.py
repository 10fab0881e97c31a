"""Written notices (书面通知, DOMAIN.md §11): numbered per year, typed, printable, acknowledged."""

from __future__ import annotations

import re
from enum import StrEnum

from .errors import N_, InvalidValue

NUMBER_RE = re.compile(r"^TZ-(\d{4})-(\d{4,})$", re.ASCII)


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


def notice_number(year: int, sequence: int) -> str:
    """TZ-2027-0042: the 42nd notice issued in 2027."""
    if sequence < 1:
        raise ValueError("notice sequences start at 1")
    return f"TZ-{year:04d}-{sequence:04d}"


def parse_notice_number(text: str) -> tuple[int, int]:
    match = NUMBER_RE.match(text.strip())
    if not match:
        raise InvalidValue(N_("A notice number looks like TZ-2027-0042."))
    return int(match.group(1)), int(match.group(2))
