"""A board's coverage (docs/rules.md §7.1; contract §6.5.1, §6.5.3).

warranty end = add_months(shipping date, 15). A board repaired while out of coverage gets a
post-repair window from its return shipping date to add_months(that date, 6), both inclusive. A
board is covered on d when d ≤ warranty end or d lies in one of its windows; so a board repaired
after its warranty ended was not covered between the warranty end and the return date. Before its
shipping date a board has no coverage: it had not yet shipped, it was not "in warranty".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .dates import add_months
from .errors import N_


class CoverageClass(StrEnum):
    IN_WARRANTY = "in_warranty"
    POST_REPAIR_WARRANTY = "post_repair_warranty"
    OUT_OF_WARRANTY = "out_of_warranty"
    NOT_YET_SHIPPED = "not_yet_shipped"

    @property
    def label(self) -> str:
        return {
            CoverageClass.IN_WARRANTY: N_("In warranty"),
            CoverageClass.POST_REPAIR_WARRANTY: N_("Post-repair warranty"),
            CoverageClass.OUT_OF_WARRANTY: N_("Out of warranty"),
            CoverageClass.NOT_YET_SHIPPED: N_("Not yet shipped"),
        }[self]


# The classes in which a board is covered on a date: a repair is free there for a covered cause.
COVERED = frozenset({CoverageClass.IN_WARRANTY, CoverageClass.POST_REPAIR_WARRANTY})


# The classes a board reaches only once its shipment's warranty has ended (the boards list's
# filter bounds its shipping date by this, portal/boards/queries.py).
PAST_SHIPMENT_WARRANTY = frozenset({CoverageClass.POST_REPAIR_WARRANTY, CoverageClass.OUT_OF_WARRANTY})


def warranty_end(shipped_on: date, warranty_months: int) -> date:
    return add_months(shipped_on, warranty_months)


@dataclass(frozen=True)
class Window:
    """A post-repair warranty: from the return shipping date to its end, both inclusive."""

    starts_on: date
    ends_on: date

    def covers(self, on: date) -> bool:
        return self.starts_on <= on <= self.ends_on


def post_repair_window(returned_on: date, post_repair_months: int) -> Window:
    return Window(returned_on, add_months(returned_on, post_repair_months))


@dataclass(frozen=True)
class Coverage:
    shipped_on: date
    warranty_end: date
    windows: Sequence[Window] = ()

    def coverage_class(self, on: date) -> CoverageClass:
        if on < self.shipped_on:
            return CoverageClass.NOT_YET_SHIPPED
        if on <= self.warranty_end:
            return CoverageClass.IN_WARRANTY
        if any(window.covers(on) for window in self.windows):
            return CoverageClass.POST_REPAIR_WARRANTY
        return CoverageClass.OUT_OF_WARRANTY

    def is_covered(self, on: date) -> bool:
        return self.coverage_class(on) in COVERED

    def coverage_end(self, on: date | None = None) -> date | None:
        """The end of what covers the board on ``on`` (None when nothing does, before its shipping
        date too); with no date, the latest end of all."""
        if on is None:
            return max([self.warranty_end, *(w.ends_on for w in self.windows)])
        if on < self.shipped_on:
            return None
        if on <= self.warranty_end:
            return self.warranty_end
        ends = [w.ends_on for w in self.windows if w.covers(on)]
        return max(ends) if ends else None

    def post_repair_warranty_end(self) -> date | None:
        return max((w.ends_on for w in self.windows), default=None)
