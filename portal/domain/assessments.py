"""Quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5).

After a calendar quarter ends, every agreement whose term overlaps it is assessed: its prorated
quota, the amount it ordered (orders confirmed in the quarter, less those later cancelled), the
attainment, the conduct figures of §10 and the violations. Head-office sales reviews each with one
outcome; a reviewed assessment is frozen with the figures it was based on.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .dates import EARLIEST, LATEST, quarter_bounds
from .errors import N_, InvalidValue

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII | re.IGNORECASE)


class AssessmentOutcome(StrEnum):
    MET = "met"
    WARNING = "warning"
    REVOKE_TERRITORIES = "revoke_territories"
    TERMINATE = "terminate"
    PROMOTE = "promote"

    @property
    def label(self) -> str:
        return {
            AssessmentOutcome.MET: N_("Met"),
            AssessmentOutcome.WARNING: N_("Warning"),
            AssessmentOutcome.REVOKE_TERRITORIES: N_("Revoke territories"),
            AssessmentOutcome.TERMINATE: N_("Terminate"),
            AssessmentOutcome.PROMOTE: N_("Promote to first level"),
        }[self]


def parse_quarter(text: str | None, field: str = "quarter") -> tuple[int, int]:
    """``"2026-Q1"`` → ``(2026, 1)``, or refused with a message on ``field``."""
    match = QUARTER_RE.match((text or "").strip())
    if match is not None and EARLIEST.year <= int(match.group(1)) <= LATEST.year:
        return int(match.group(1)), int(match.group(2))
    raise InvalidValue(N_("Enter the quarter as YYYY-Qn (2026-Q1)."), field=field)


def quarter_name(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


def quarter_has_ended(year: int, quarter: int, today: date) -> bool:
    return quarter_bounds(year, quarter)[1] < today


def attainment(ordered: Decimal, quota: Decimal) -> Decimal | None:
    """Ordered ÷ quota as a fraction (1.25 = 125%), or None for a zero quota ("no quota", never a
    division error)."""
    if quota <= 0:
        return None
    return ordered / quota
