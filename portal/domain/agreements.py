"""Agreements and their terms (docs/rules.md §3).

Every number the contract fixes is a term stored per agreement, with the seed contract's value as
default. Terms of an active agreement change only through an amendment with an effective date;
every rule applies the version in force on the date of its event.

Status. Only ``draft`` is a decision stored for good; once activated, an agreement's status on a
day is read off its dates (:func:`status_on`): active until its end date, expired after it, and
terminated from the effective date of a termination notice (``terminated_on``, the first day it
no longer binds). The stored status is what the daily ``expire-agreements`` command last wrote,
so lists filtered in SQL and pages read before the command ran agree with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from .dates import check_plausible as check_plausible  # re-exported: the agreement services and API use it
from .dates import notice_takes_effect_on
from .errors import N_, DomainError, InvalidValue


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return {
            AgreementStatus.DRAFT: N_("Draft"),
            AgreementStatus.ACTIVE: N_("Active"),
            AgreementStatus.EXPIRED: N_("Expired"),
            AgreementStatus.TERMINATED: N_("Terminated"),
        }[self]


class TermKind(StrEnum):
    """What a term measures: how it is typed, stored and shown."""

    MONEY = "money"  # yuan, stored as whole fen (§2)
    PERCENT = "percent"  # 0 to 100, two decimals
    DAYS = "days"
    MONTHS = "months"
    DAY_OF_MONTH = "day_of_month"

    @property
    def is_decimal(self) -> bool:
        return self in (TermKind.MONEY, TermKind.PERCENT)


def _term(kind: TermKind, label: str, clause: str, seed: Decimal | int, bounds: tuple[int, int] | None = None) -> Any:
    """One term of :class:`Terms`: its kind, its label (a message id), the clause that sets it, the
    seed contract's value, and for a whole number the bounds that keep it sensible."""
    return field(default=seed, metadata={"kind": kind, "label": label, "clause": clause, "bounds": bounds})


# Regions are granted to a draft (before it binds) or an active agreement (§1.1), never to one that ended.
TAKES_TERRITORIES = frozenset({AgreementStatus.DRAFT, AgreementStatus.ACTIVE})


@dataclass(frozen=True)
class Terms:
    """The agreement's numbers, named as docs/api.md names them; defaults are the seed's values.

    The one list of the terms: the form, the labels, the API's schemas and the history of versions
    are made from :data:`TERM_SPECS`, read off these fields, in this order; the table's columns
    (AgreementTerms) are checked against it by tests/agreements/test_terms_declaration.py.
    """

    first_order_min: Decimal = _term(
        TermKind.MONEY, N_("First order minimum (¥)"), "§2.1", Decimal("50000.00")
    )  # paid in full before shipment
    quarterly_quota: Decimal = _term(
        TermKind.MONEY, N_("Quarterly order quota (¥)"), "§2.1", Decimal("50000.00")
    )  # per calendar quarter
    deposit_percent: Decimal = _term(
        TermKind.PERCENT, N_("Deposit (percent of the order total)"), "§6.3.1", Decimal("30.00")
    )
    deposit_due_days: int = _term(TermKind.DAYS, N_("Deposit due (days after confirmation)"), "§6.3.1", 3, (0, 365))
    delivery_days: int = _term(
        TermKind.DAYS, N_("Delivery (days after the deposit is received)"), "§6.4.1", 30, (0, 365)
    )
    warranty_months: int = _term(TermKind.MONTHS, N_("Warranty (months from shipping)"), "§6.5.1", 15, (0, 120))
    repair_fee_cap_percent: Decimal = _term(
        TermKind.PERCENT, N_("Out-of-warranty repair fee cap (percent of the agent price)"), "§6.5.3", Decimal("20.00")
    )
    post_repair_warranty_months: int = _term(
        TermKind.MONTHS, N_("Post-repair warranty (months)"), "§6.5.3", 6, (0, 120)
    )
    repair_turnaround_days: int = _term(
        TermKind.DAYS, N_("Repair turnaround (days from receipt)"), "§6.5.4", 30, (1, 365)
    )
    repair_fee_due_days: int = _term(
        TermKind.DAYS, N_("Repair fees due (days after the notice)"), "§6.5.4", 7, (0, 365)
    )
    revocation_notice_months: int = _term(TermKind.MONTHS, N_("Revocation notice (months)"), "§4.5", 1, (0, 24))
    monthly_report_due_day: int = _term(
        TermKind.DAY_OF_MONTH, N_("Monthly report due (day of the following month)"), "§4.3", 10, (1, 28)
    )  # portal default: the 10th of the following month
    repair_batch_window_days: int = _term(
        TermKind.DAYS, N_("Repair batch window (first days of the month)"), "§6.5.4", 10, (1, 28)
    )  # "每月初" (portal default: days 1-10)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TermSpec:
    """One term as :class:`Terms` declares it."""

    name: str
    kind: TermKind
    label: str
    clause: str
    seed: Decimal | int
    bounds: tuple[int, int] | None


TERM_SPECS: tuple[TermSpec, ...] = tuple(
    TermSpec(
        f.name,
        f.metadata["kind"],
        f.metadata["label"],
        f.metadata["clause"],
        cast(Any, f.default),
        f.metadata["bounds"],
    )
    for f in fields(Terms)
)
SEED_TERMS = Terms()
TERM_NAMES = tuple(spec.name for spec in TERM_SPECS)
MONEY_TERMS = tuple(spec.name for spec in TERM_SPECS if spec.kind is TermKind.MONEY)
PERCENT_TERMS = tuple(spec.name for spec in TERM_SPECS if spec.kind is TermKind.PERCENT)
# Bounds that keep a typed term sensible (whole days, months, the day of a month).
INT_TERM_BOUNDS = {spec.name: spec.bounds for spec in TERM_SPECS if spec.bounds is not None}


def check_terms(terms: Terms) -> None:
    """Refuse terms that no contract would set (negative money, a percentage over 100 …)."""
    for name in MONEY_TERMS:
        if getattr(terms, name) < 0:
            raise InvalidValue(N_("The amount cannot be negative."), field=name)
    for name in PERCENT_TERMS:
        value = getattr(terms, name)
        if not Decimal(0) <= value <= Decimal(100):
            raise InvalidValue(N_("Enter a percentage from 0 to 100."), field=name)
    for name, (low, high) in INT_TERM_BOUNDS.items():
        value = getattr(terms, name)
        if not low <= value <= high:
            raise InvalidValue(N_("Enter a whole number from %(low)s to %(high)s."), field=name, low=low, high=high)


def terms_in_force(versions: Sequence[tuple[date, Terms]], on: date) -> Terms:
    """The version with the latest effective date on or before ``on``.

    ``versions`` are (effective_from, terms); the first version is the signed terms and also
    governs anything dated before it (an order placed before the start is refused elsewhere).
    """
    if not versions:
        return SEED_TERMS
    ordered = sorted(versions, key=lambda version: version[0])
    chosen = ordered[0][1]
    for effective_from, terms in ordered:
        if effective_from <= on:
            chosen = terms
    return chosen


def check_dates(signed_on: date, starts_on: date, ends_on: date) -> None:
    """An agreement's dates make sense: it ends after it starts, and it was signed before it ends."""
    for name, day in (("signed_on", signed_on), ("starts_on", starts_on), ("ends_on", ends_on)):
        check_plausible(day, name)
    if ends_on < starts_on:
        raise InvalidValue(N_("The end date must be on or after the start date."), field="ends_on")
    if signed_on > ends_on:
        raise InvalidValue(N_("An agreement cannot be signed after it ends."), field="signed_on")


def overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    """Two periods, both ends inclusive, share at least one day."""
    return a[0] <= b[1] and b[0] <= a[1]


def last_day(ends_on: date, terminated_on: date | None) -> date:
    """The last day an activated agreement binds: its end date, or the day before a termination
    takes effect."""
    if terminated_on is not None and terminated_on <= ends_on:
        return terminated_on - timedelta(days=1)
    return ends_on


def binding_period(
    status: AgreementStatus, starts_on: date, ends_on: date, terminated_on: date | None
) -> tuple[date, date] | None:
    """The days an agreement binds both sides (both ends inclusive), or None: a draft never binds,
    and an agreement terminated before it started never did."""
    if status is AgreementStatus.DRAFT:
        return None
    end = last_day(ends_on, terminated_on)
    return (starts_on, end) if starts_on <= end else None


def status_on(status: AgreementStatus, ends_on: date, on: date, terminated_on: date | None = None) -> AgreementStatus:
    """The status as read on ``on``, whatever the daily command has stored so far.

    A draft stays a draft. An activated agreement is terminated from ``terminated_on`` (the
    notice's effective date), expired after ``ends_on`` (the last day counts in full, Civil Code
    Art. 203), and active otherwise, including the days before it starts.
    """
    if status is AgreementStatus.DRAFT:
        return status
    if terminated_on is not None and on >= terminated_on:
        return AgreementStatus.TERMINATED
    if on > ends_on:
        return AgreementStatus.EXPIRED
    return AgreementStatus.ACTIVE


def check_editable(status: AgreementStatus) -> None:
    """Only a draft is edited; the terms of an active agreement change through an amendment."""
    if status is not AgreementStatus.DRAFT:
        raise DomainError(N_("Only a draft agreement can be edited; amend the terms of an active one."))


def check_activation(
    status: AgreementStatus,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    on: date,
    other_active_periods: Sequence[tuple[date, date]],
    *,
    product_count: int = 1,
) -> None:
    """A draft may be activated on ``on`` when its dates make sense, it has been signed and has not
    already ended, it authorises at least one product, and the distributor has no other agreement
    binding on any of the same days (``other_active_periods``, see :func:`binding_period`)."""
    if status is not AgreementStatus.DRAFT:
        raise DomainError(N_("Only a draft agreement can be activated."))
    check_dates(signed_on, starts_on, ends_on)
    if signed_on > on:
        raise DomainError(
            N_("This agreement is signed on %(signed_on)s; activate it from that day."), signed_on=signed_on.isoformat()
        )
    if ends_on < on:
        raise DomainError(
            N_("This agreement ended on %(ends_on)s; it cannot be activated."), ends_on=ends_on.isoformat()
        )
    if product_count < 1:
        raise DomainError(N_("Authorise at least one product before activating the agreement."))
    if any(overlaps((starts_on, ends_on), period) for period in other_active_periods):
        raise DomainError(N_("The distributor already has an active agreement for some of these dates."))


def check_amendment(
    status: AgreementStatus,
    starts_on: date,
    ends_on: date,
    effective_from: date,
    existing: Sequence[date],
    *,
    on: date | None = None,
    terminated_on: date | None = None,
) -> None:
    """An amendment changes the terms of an agreement active on ``on`` (the day it is recorded),
    from a date inside its term: after the start, on or before the end (and before a termination
    takes effect), and not before ``on`` — an amendment never rewrites terms already applied."""
    if status is not AgreementStatus.ACTIVE:
        raise DomainError(N_("Only an active agreement is amended; edit a draft directly."))
    check_plausible(effective_from, "effective_from")
    if not starts_on < effective_from <= last_day(ends_on, terminated_on):
        raise InvalidValue(
            N_("The amendment must take effect after the start and on or before the end."), field="effective_from"
        )
    if on is not None and effective_from < on:
        raise InvalidValue(
            N_("An amendment cannot take effect before the day it is recorded (%(on)s)."),
            field="effective_from",
            on=on.isoformat(),
        )
    if effective_from in existing:
        raise InvalidValue(N_("Another version of the terms takes effect on this date."), field="effective_from")


def termination_effective_on(notice_on: date, notice_months: int, *, at_once: bool = False) -> date:
    """§4.5: a termination takes effect ``revocation_notice_months`` after the written notice;
    §3.2: conduct that loses an end customer may terminate at once (on the notice date)."""
    return notice_on if at_once else notice_takes_effect_on(notice_on, notice_months)


def check_termination(status: AgreementStatus, ends_on: date, notice_on: date, effective_on: date) -> None:
    """``status`` is the status on the notice date. A termination that would only take effect after
    the agreement has expired anyway is refused: the agreement simply runs out."""
    if status is not AgreementStatus.ACTIVE:
        raise DomainError(N_("Only an active agreement can be terminated."))
    check_plausible(notice_on, "notice_on")
    if effective_on > ends_on:
        raise DomainError(
            N_(
                "The agreement ends on %(ends_on)s, before this termination would take effect "
                "(%(effective_on)s); let it expire instead."
            ),
            ends_on=ends_on.isoformat(),
            effective_on=effective_on.isoformat(),
        )
