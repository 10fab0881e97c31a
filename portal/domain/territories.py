"""Territories granted to agreements (DOMAIN.md §4; contract §1.1-1.3, §4.5, §5.1-5.2).

Never exclusive (§1.2). A revocation takes written notice and takes effect
``revocation_notice_months`` after the notice date (§4.5); until then the region is still granted.
A location is inside an agreement's territory when it, or one of its ancestors, is granted on the
date in question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .dates import add_months
from .errors import N_, DomainError


@dataclass(frozen=True)
class Grant:
    region_code: str
    granted_on: date
    revoked_effective_on: date | None = None

    def is_granted(self, on: date) -> bool:
        """Granted from ``granted_on``; a revocation ends it at the start of its effective date."""
        if on < self.granted_on:
            return False
        return self.revoked_effective_on is None or on < self.revoked_effective_on


def revocation_effective_on(notice_on: date, notice_months: int) -> date:
    """§4.5: "提前1个月以书面通知" — effective one month (by default) after the notice date."""
    return add_months(notice_on, notice_months)


def in_territory(location_chain: Sequence[str], grants: Iterable[Grant], on: date) -> bool:
    """``location_chain`` is the location's code followed by its ancestors' codes."""
    chain = set(location_chain)
    return any(grant.region_code in chain and grant.is_granted(on) for grant in grants)


def check_revocation(grant: Grant, notice_on: date) -> None:
    if grant.revoked_effective_on is not None:
        raise DomainError(N_("This region's revocation was already notified."))
    if notice_on < grant.granted_on:
        raise DomainError(N_("A region cannot be revoked before it was granted."))


def check_grant(region_code: str, granted_on: date, starts_on: date, ends_on: date,
                current: Iterable[Grant]) -> None:
    if not starts_on <= granted_on <= ends_on:
        raise DomainError(N_("A region is granted within the agreement's term."))
    if any(g.region_code == region_code and g.is_granted(granted_on) for g in current):
        raise DomainError(N_("This region is already granted to this agreement."))
