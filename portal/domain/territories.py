"""Territories granted to agreements (docs/rules.md §4; contract §1.1-1.3, §4.5, §5.1-5.2).

Never exclusive (§1.2). A revocation takes written notice and takes effect
``revocation_notice_months`` after the notice date (§4.5); until then the region is still granted.
A location is inside an agreement's territory when it, or one of its ancestors, is granted on the
date in question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .dates import notice_takes_effect_on
from .errors import N_, DomainError, InvalidValue
from .regions import RegionLevel, level_of


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
    return notice_takes_effect_on(notice_on, notice_months)


def in_territory(location_chain: Sequence[str], grants: Iterable[Grant], on: date) -> bool:
    """``location_chain`` is the location's code followed by its ancestors' codes."""
    chain = set(location_chain)
    return any(grant.region_code in chain and grant.is_granted(on) for grant in grants)


def check_revocation(grant: Grant, notice_on: date) -> None:
    """A region is revoked once, by a notice dated while it is granted."""
    if grant.revoked_effective_on is not None:
        raise DomainError(
            N_("The revocation of %(code)s was already notified; it ends on %(effective_on)s."),
            code=grant.region_code,
            effective_on=grant.revoked_effective_on.isoformat(),
        )
    if notice_on < grant.granted_on:
        raise DomainError(N_("A region cannot be revoked before it was granted."))


def check_grant(region_code: str, granted_on: date, period: tuple[date, date], current: Iterable[Grant]) -> None:
    """A region is granted on a day of the agreement's binding ``period`` (both ends inclusive),
    and not while the same agreement already holds it (a grant runs until its revocation takes
    effect, so the new one must start on or after that day)."""
    if not period[0] <= granted_on <= period[1]:
        raise InvalidValue(
            N_("Grant the region on a day of the agreement's term (%(starts_on)s to %(ends_on)s)."),
            field="granted_on",
            starts_on=period[0].isoformat(),
            ends_on=period[1].isoformat(),
        )
    for grant in current:
        if grant.region_code == region_code and (
            grant.revoked_effective_on is None or grant.revoked_effective_on > granted_on
        ):
            raise DomainError(N_("This region is already granted to this agreement."))


def not_granted(region_codes: Sequence[str], grants: Iterable[Grant], notice_on: date) -> list[str]:
    """The codes among ``region_codes`` that the agreement does not hold on ``notice_on`` (or whose
    revocation is already notified): a notice cannot revoke them."""
    held = {g.region_code for g in grants if g.is_granted(notice_on) and g.revoked_effective_on is None}
    return [code for code in region_codes if code not in held]


def descendant_prefix(code: str) -> str:
    """What the codes inside ``code`` start with (GB/T 2260: ``PPCCDD``): a province's two digits,
    a city's four, a district's six. Cities directly under a province (省直辖县级市, 429004) and
    a municipality's districts (110101) share the province's two digits, so they count too."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return code[:2]
    if level is RegionLevel.CITY:
        return code[:4]
    return code


def relation(ours: str, theirs: str) -> str | None:
    """How another grant's region relates to ours: ``"same"``, ``"inside"`` (theirs lies inside
    ours), ``"contains"`` (ours lies inside theirs), or None when they do not overlap."""
    if ours == theirs:
        return "same"
    if theirs.startswith(descendant_prefix(ours)):
        return "inside"
    if ours.startswith(descendant_prefix(theirs)):
        return "contains"
    return None
