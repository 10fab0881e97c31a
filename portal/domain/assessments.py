"""Quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5).

After a calendar quarter ends, every agreement whose term overlaps it is assessed: its prorated
quota, the amount it ordered (orders confirmed in the quarter, less those later cancelled), the
attainment, the conduct figures of §10 and the violations. Head-office sales reviews each with one
outcome; a reviewed assessment is frozen with the figures it was based on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from .dates import EARLIEST, LATEST, quarter_bounds, quarter_of
from .distributors import Level
from .errors import N_, DomainError, InvalidValue

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


def last_ended_quarter(today: date) -> tuple[int, int]:
    """The latest calendar quarter that has ended by ``today``: the one before today's quarter."""
    year, quarter = quarter_of(today)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def attainment(ordered: Decimal, quota: Decimal) -> Decimal | None:
    """Ordered ÷ quota as a fraction (1.25 = 125%), or None for a zero quota ("no quota", never a
    division error)."""
    if quota <= 0:
        return None
    return ordered / quota


def attainment_percent(ordered: Decimal, quota: Decimal) -> Decimal | None:
    """The attainment in percent with two decimals, half-up (84.78 for 84.78%), or None for a zero
    quota."""
    share = attainment(ordered, quota)
    if share is None:
        return None
    return (share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the review (§2.2, §4.5) -----------------------------------------------------------------------


def check_review(
    outcome: AssessmentOutcome,
    *,
    last_day: date,
    on: date,
    reviewed_on: date | None,
    region_codes: Sequence[str],
    held_codes: Collection[str],
    comment: str = "",
    effective_from: date | None = None,
    level_on: Callable[[date], Level] = lambda day: Level.SECOND,
    binds: Callable[[date], bool] = lambda day: True,
) -> date | None:
    """Head office reviews an assessment on ``on`` with one outcome. Refused: before the quarter has
    ended (``last_day`` is its last day); an assessment already reviewed (``reviewed_on``: frozen);
    regions chosen for any outcome but a revocation; a revocation without a region, or naming one
    the agreement does not hold (``held_codes``: granted on ``on``, no revocation notified yet);
    a promotion dated before the review, on a day the agreement does not bind (``binds``), or of an
    agreement already first-level on that day (``level_on``).

    Returns the day a promotion takes effect (``effective_from``, by default the day after the
    review), None for the other outcomes. The date is only read for a promotion. A termination
    needs the ``comment``: its notice states the reason.
    """
    if on <= last_day:
        raise DomainError(
            N_("The quarter ends on %(last_day)s; it is reviewed once it has ended."), last_day=last_day.isoformat()
        )
    if reviewed_on is not None:
        raise DomainError(
            N_("This assessment was reviewed on %(reviewed_on)s; it is frozen and cannot be reviewed again."),
            reviewed_on=reviewed_on.isoformat(),
        )
    if outcome is AssessmentOutcome.TERMINATE and not comment.strip():
        raise InvalidValue(
            N_("Give the reason for the termination in the comment; the notice states it."), field="comment"
        )
    codes = list(dict.fromkeys(code.strip() for code in region_codes if code and code.strip()))
    if outcome is not AssessmentOutcome.REVOKE_TERRITORIES:
        if codes:
            raise InvalidValue(N_("Regions are chosen only to revoke territories."), field="revoke_region_codes")
    elif not codes:
        raise InvalidValue(N_("Choose at least one region to revoke."), field="revoke_region_codes")
    else:
        missing = [code for code in codes if code not in held_codes]
        if missing:
            raise InvalidValue(
                N_("The agreement does not hold %(codes)s, so it cannot be revoked."),
                field="revoke_region_codes",
                codes=", ".join(missing),
            )
    if outcome is not AssessmentOutcome.PROMOTE:
        return None
    start = effective_from if effective_from is not None else on + timedelta(days=1)
    if start < on:
        raise InvalidValue(
            N_("A promotion takes effect on or after the review (%(on)s)."), field="effective_from", on=on.isoformat()
        )
    if not binds(start):
        raise DomainError(
            N_("The agreement does not bind on %(day)s; a promotion applies within its term."),
            field="effective_from",
            day=start.isoformat(),
        )
    if level_on(start) is Level.FIRST:
        raise DomainError(N_("The agreement is already first-level on %(day)s."), day=start.isoformat())
    return start


# --- frozen and live figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What an assessment is based on: the quarter's quotas, the amount ordered, the violations and
    the conduct figures of §10 (plain JSON values)."""

    full_quota: Decimal
    quota: Decimal
    ordered_amount: Decimal
    violations: int
    conduct: Mapping[str, Any] = field(default_factory=dict)

    @property
    def attainment(self) -> Decimal | None:
        return attainment_percent(self.ordered_amount, self.quota)


FIGURE_LABELS = {
    "full_quota": N_("Quarterly quota"),
    "quota": N_("Quota"),
    "ordered_amount": N_("Ordered"),
    "violations": N_("Violations"),
    "conduct": N_("Conduct figures"),
}


def changed_figures(frozen: Figures, live: Figures) -> list[str]:
    """The names of the figures that differ between an assessment as frozen and as computed now
    (a report or an order corrected after the review), in :data:`FIGURE_LABELS` order."""
    return [name for name in FIGURE_LABELS if getattr(frozen, name) != getattr(live, name)]
