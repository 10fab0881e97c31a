"""Agreement, territory and sub-agent use cases (docs/rules.md §3, §4; contract §1.1-1.3, §4.5).

Each function checks its rule in :mod:`portal.domain` and changes the records in one transaction
(portal.transactions: committed, or rolled back on a refusal). Dates come in as parameters (``on``
is the day the step is recorded, the Asia/Shanghai date in production); nothing here reads the
clock. Every table touched is audited (``__audited__``); a reason, where a step has one, goes into
the audit trail too.

State changes lock what they read before checking it. Activation locks the distributor's row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's transactions take the write lock at ``BEGIN``),
so two activations of overlapping agreements of one distributor cannot both pass the overlap check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..distributors.models import Distributor
from ..domain import territories as territory_rules
from ..domain.agreements import (
    SEED_TERMS,
    TAKES_TERRITORIES,
    AgreementStatus,
    Terms,
    check_activation,
    check_amendment,
    check_dates,
    check_editable,
    check_plausible,
    check_termination,
    check_terms,
    last_day,
    termination_effective_on,
)
from ..domain.dates import check_event_date
from ..domain.distributors import Level
from ..domain.errors import N_, DomainError, Duplicate, InvalidValue
from ..domain.notices import NoticeType
from ..domain.regions import ancestor_codes
from ..domain.subagents import SubAgentStatus, check_decision
from ..extensions import db
from ..notices.models import Notice
from ..notices.services import issue_notice, send_pending_email
from ..products.models import Product
from ..regions.models import Region
from ..transactions import after_commit, transactional
from .models import Agreement, AgreementTerms, SubAgentRequest, Territory

# --- Agreements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementData:
    """What head office types for a draft: the contract's particulars and its terms."""

    number: str
    distributor_id: int
    level: Level
    signed_on: date
    starts_on: date
    ends_on: date
    terms: Terms = SEED_TERMS
    skus: tuple[str, ...] = field(default_factory=tuple)


def normalize_number(number: str) -> str:
    return (number or "").strip().upper()


def _products(skus: Iterable[str]) -> list[Product]:
    wanted = list(dict.fromkeys(sku.strip() for sku in skus if sku.strip()))
    if not wanted:
        return []
    found = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.in_(wanted)))}
    unknown = [sku for sku in wanted if sku not in found]
    if unknown:
        raise InvalidValue(N_("There is no product with the SKU %(skus)s."), field="products", skus=", ".join(unknown))
    inactive = [sku for sku in wanted if not found[sku].active]
    if inactive:
        raise InvalidValue(
            N_("These products are no longer sold and cannot be authorised: %(skus)s."),
            field="products",
            skus=", ".join(inactive),
        )
    return [found[sku] for sku in wanted]


def _check(data: AgreementData, current: Agreement | None) -> tuple[str, Distributor, list[Product]]:
    number = normalize_number(data.number)
    if not number:
        raise InvalidValue(N_("Enter the agreement number."), field="number")
    other = -1 if current is None else current.id
    if db.session.scalar(
        select(func.count()).select_from(Agreement).where(func.upper(Agreement.number) == number, Agreement.id != other)
    ):
        raise Duplicate(N_("Another agreement has this number."), field="number")
    distributor = db.session.get(Distributor, data.distributor_id)
    if distributor is None:
        raise InvalidValue(N_("There is no such distributor."), field="distributor_id")
    check_dates(data.signed_on, data.starts_on, data.ends_on)
    check_terms(data.terms)
    return number, distributor, _products(data.skus)


@transactional
def create_agreement(data: AgreementData) -> Agreement:
    """A draft agreement with its terms (the first version, effective from the start)."""
    number, distributor, products = _check(data, None)
    agreement = Agreement(
        number=number,
        distributor=distributor,
        level=data.level,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=AgreementStatus.DRAFT,
    )
    agreement.products = products
    version = AgreementTerms(effective_from=data.starts_on)
    version.terms = data.terms
    agreement.term_versions.append(version)
    db.session.add(agreement)
    return agreement


def _lock(agreement: Agreement) -> None:
    """Hold the agreement's row until the commit and read it afresh (another request may have
    changed it since it was loaded)."""
    db.session.refresh(agreement, with_for_update=True)


@transactional
def update_draft(agreement: Agreement, data: AgreementData) -> Agreement:
    """Change anything of a draft; its single version of the terms follows the start date."""
    _lock(agreement)
    check_editable(agreement.status)
    number, distributor, products = _check(data, agreement)
    agreement.number = number
    agreement.distributor = distributor
    agreement.level = data.level
    agreement.signed_on, agreement.starts_on, agreement.ends_on = data.signed_on, data.starts_on, data.ends_on
    agreement.products = products
    version = agreement.term_versions[0]
    version.effective_from = data.starts_on
    version.terms = data.terms
    return agreement


@transactional
def activate_agreement(agreement: Agreement, on: date) -> Agreement:
    """Activate a draft on ``on`` (§3): signed, not ended, at least one product, and no other
    agreement of the distributor binding on any of its days. The check runs under a lock on the
    distributor, so a concurrent activation waits and then sees this one."""
    db.session.execute(select(Distributor.id).where(Distributor.id == agreement.distributor_id).with_for_update())
    _lock(agreement)
    others = db.session.scalars(
        select(Agreement).where(
            Agreement.distributor_id == agreement.distributor_id,
            Agreement.id != agreement.id,
            Agreement.status != AgreementStatus.DRAFT,
        )
    )
    periods = [period for other in others if (period := other.binding_period()) is not None]
    check_activation(
        agreement.status,
        agreement.signed_on,
        agreement.starts_on,
        agreement.ends_on,
        on,
        periods,
        product_count=len(agreement.products),
    )
    agreement.status = AgreementStatus.ACTIVE
    agreement.activated_on = on
    return agreement


@transactional
def amend_agreement(agreement: Agreement, effective_from: date, terms: Terms, note: str, on: date) -> AgreementTerms:
    """A new version of the terms of an active agreement, in force from ``effective_from``; the
    earlier versions stay as they were (every rule applies the version in force on its date)."""
    _lock(agreement)
    note = note.strip()
    if not note:
        raise InvalidValue(N_("Say what the amendment changes and why."), field="note")
    check_amendment(
        agreement.status_on(on),
        agreement.starts_on,
        agreement.ends_on,
        effective_from,
        [v.effective_from for v in agreement.term_versions],
        on=on,
        terminated_on=agreement.terminated_on,
    )
    check_terms(terms)
    version = AgreementTerms(effective_from=effective_from, note=note)
    version.terms = terms
    agreement.term_versions.append(version)
    with audit_reason(note):
        db.session.flush()
    return version


def _not_before_activation(agreement: Agreement, day: date, field_name: str) -> None:
    if agreement.activated_on is not None and day < agreement.activated_on:
        raise InvalidValue(
            N_("The agreement was activated on %(activated_on)s; date the notice on or after it."),
            field=field_name,
            activated_on=agreement.activated_on.isoformat(),
        )


@transactional
def terminate_agreement(
    agreement: Agreement,
    notice_on: date,
    reason: str,
    on: date,
    *,
    at_once: bool = False,
    issued_by_id: int | None = None,
) -> Notice:
    """Terminate by written notice (§4.5): the agreement binds until the notice takes effect,
    ``revocation_notice_months`` (of the terms in force on the notice date) after it — or at once
    for conduct that loses an end customer (§3.2). ``terminated_on`` keeps the effective date and
    the status reads "terminated" from it; the notice is issued in the same transaction."""
    _lock(agreement)
    reason = reason.strip()
    if not reason:
        raise InvalidValue(N_("Give the reason for the termination; the notice states it."), field="reason")
    if agreement.terminated_on is not None:
        raise DomainError(
            N_("A termination of this agreement was already notified; it takes effect on %(effective_on)s."),
            effective_on=agreement.terminated_on.isoformat(),
        )
    check_event_date(notice_on, today=on, field="notice_on")
    _not_before_activation(agreement, notice_on, "notice_on")
    months = agreement.terms_on(notice_on).revocation_notice_months
    effective_on = termination_effective_on(notice_on, months, at_once=at_once)
    check_termination(agreement.status_on(notice_on), agreement.ends_on, notice_on, effective_on)
    with audit_reason(reason):
        agreement.terminated_on = effective_on
        agreement.status = agreement.status_on(on)
        notice = issue_notice(
            agreement.distributor,
            NoticeType.TERMINATION,
            notice_on,
            effective_on=effective_on,
            agreement_id=agreement.id,
            issued_by_id=issued_by_id,
            agreement=agreement,
            reason=reason,
        )
        db.session.flush()
    after_commit(lambda: send_pending_email([notice]))
    return notice


@dataclass(frozen=True)
class ExpiryResult:
    expired: int = 0
    terminated: int = 0


@transactional
def expire_agreements(on: date) -> ExpiryResult:
    """Store the status read off the dates on ``on`` for every agreement still stored as active:
    expired after its end date, terminated from its termination's effective date. Idempotent (a
    second run finds nothing to do); each change is audited."""
    due = db.session.scalars(
        select(Agreement)
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            or_(Agreement.ends_on < on, Agreement.terminated_on <= on),
        )
        .order_by(Agreement.id)
        .with_for_update()
    )
    counts = {AgreementStatus.EXPIRED: 0, AgreementStatus.TERMINATED: 0}
    with audit_reason(f"expire-agreements {on.isoformat()}"):
        for agreement in due:
            agreement.status = agreement.status_on(on)
            counts[agreement.status] = counts.get(agreement.status, 0) + 1
        db.session.flush()
    return ExpiryResult(counts[AgreementStatus.EXPIRED], counts[AgreementStatus.TERMINATED])


def termination_notice(agreement: Agreement) -> Notice | None:
    return db.session.scalar(
        select(Notice)
        .where(Notice.agreement_id == agreement.id, Notice.type == NoticeType.TERMINATION)
        .order_by(Notice.id.desc())
    )


# --- Territories --------------------------------------------------------------------------------


def region_chain(code: str) -> list[str]:
    """The location's code followed by its ancestors', walking the region tree's ``parent_code``.
    A code missing from the tree falls back on the GB/T 2260 structure (city, then province)."""
    chain: list[str] = []
    current: str | None = code
    while current and current not in chain:
        chain.append(current)
        region = db.session.get(Region, current)
        if region is None:
            chain.extend(c for c in ancestor_codes(current) if c not in chain)
            break
        current = region.parent_code
    return chain


def in_territory(agreement: Agreement, location_code: str, on: date) -> bool:
    """Is ``location_code`` inside ``agreement``'s territory on ``on``? Yes when the agreement binds
    that day and the location or one of its ancestors is granted to it (a city inside a granted
    province is inside; a region whose revocation took effect is not)."""
    if not agreement.binds(on):
        return False
    return territory_rules.in_territory(region_chain(location_code), agreement.grants(), on)


def _region(code: str, field_name: str = "region_code") -> Region:
    region = db.session.get(Region, (code or "").strip())
    if region is None:
        raise InvalidValue(N_("There is no region with this code."), field=field_name)
    return region


@transactional
def grant_territory(agreement: Agreement, region_code: str, granted_on: date, on: date) -> Territory:
    """Grant a region (a province, city or district) to a draft or active agreement from
    ``granted_on``, a day of its term. Never exclusive (§1.2): others may hold it too."""
    _lock(agreement)
    status = agreement.status_on(on)
    if status not in TAKES_TERRITORIES:
        raise DomainError(N_("Regions are granted to draft or active agreements only."))
    region = _region(region_code)
    check_plausible(granted_on, "granted_on")
    period = (agreement.starts_on, last_day(agreement.ends_on, agreement.terminated_on))
    territory_rules.check_grant(region.code, granted_on, period, agreement.grants())
    territory = Territory(region_code=region.code, granted_on=granted_on)
    agreement.territories.append(territory)
    return territory


@transactional
def remove_territory(territory: Territory) -> None:
    """Take a region off a draft (nothing is in force yet, so no notice is due)."""
    agreement = territory.agreement
    _lock(agreement)
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError(N_("Only a draft's regions are removed; revoke an active agreement's regions by notice."))
    db.session.delete(territory)


@transactional
def revoke_territories(
    agreement: Agreement,
    region_codes: Sequence[str],
    notice_on: date,
    reason: str = "",
    *,
    today: date,
    issued_by_id: int | None = None,
) -> Notice:
    """Revoke one or several regions with one written notice (§4.5). The revocation takes effect
    ``revocation_notice_months`` (of the terms in force on the notice date) after the notice
    date; until then the regions are still granted. A region not granted on the notice date is
    refused, and then nothing is revoked."""
    _lock(agreement)
    codes = list(dict.fromkeys(code.strip() for code in region_codes if code and code.strip()))
    if not codes:
        raise InvalidValue(N_("Choose at least one region to revoke."), field="region_codes")
    check_event_date(notice_on, today=today, field="notice_on")
    _not_before_activation(agreement, notice_on, "notice_on")
    if agreement.status_on(notice_on) is not AgreementStatus.ACTIVE:
        raise DomainError(N_("Only an active agreement's regions are revoked by notice."))
    missing = territory_rules.not_granted(codes, agreement.grants(), notice_on)
    if missing:
        raise InvalidValue(
            N_("Not granted to this agreement on %(on)s, so it cannot be revoked: %(codes)s."),
            field="region_codes",
            on=notice_on.isoformat(),
            codes=", ".join(missing),
        )
    months = agreement.terms_on(notice_on).revocation_notice_months
    effective_on = territory_rules.revocation_effective_on(notice_on, months)
    revoked = [
        t
        for t in agreement.territories
        if t.region_code in codes and t.is_granted(notice_on) and t.revoked_effective_on is None
    ]
    for territory in revoked:
        territory_rules.check_revocation(territory.grant, notice_on)
    with audit_reason(reason.strip()):
        notice = issue_notice(
            agreement.distributor,
            NoticeType.REVOCATION,
            notice_on,
            effective_on=effective_on,
            agreement_id=agreement.id,
            issued_by_id=issued_by_id,
            agreement=agreement,
            regions=[t.region for t in revoked],
            reason=reason.strip(),
        )
        for territory in revoked:
            territory.revoked_on = notice_on
            territory.revoked_effective_on = effective_on
            territory.revocation_notice_id = notice.id
        db.session.flush()
    after_commit(lambda: send_pending_email([notice]))
    return notice


@dataclass(frozen=True)
class Holder:
    """Another agreement holding a region related to one of ours on a date."""

    territory: Territory
    relation: str  # "same", "inside" (theirs lies inside ours) or "contains" (theirs contains ours)


def other_holders(agreement: Agreement, mine: Sequence[Territory], on: date) -> dict[int, list[Holder]]:
    """For each of ``mine`` (grants of ``agreement``, by territory id): the grants of other agreements
    binding on ``on`` that hold the same region, an ancestor or a descendant that day (§1.2: never
    exclusive). A fixed number of queries whatever the number of regions."""
    if not mine:
        return {}
    prefixes = {territory_rules.descendant_prefix(t.region_code) for t in mine}
    ancestors = {code for t in mine for code in [t.region_code, *ancestor_codes(t.region_code)]}
    statement = (
        select(Territory)
        .join(Agreement, Agreement.id == Territory.agreement_id)
        .where(
            Territory.agreement_id != agreement.id,
            Agreement.binds_on(on),
            Territory.granted_on <= on,
            or_(Territory.revoked_effective_on.is_(None), Territory.revoked_effective_on > on),
            or_(Territory.region_code.in_(ancestors), *[Territory.region_code.startswith(p) for p in prefixes]),
        )
        .options(selectinload(Territory.agreement).selectinload(Agreement.distributor), selectinload(Territory.region))
        .order_by(Territory.region_code)
    )
    theirs = list(db.session.scalars(statement))
    holders: dict[int, list[Holder]] = {}
    for territory in mine:
        for other in theirs:
            relation = territory_rules.relation(territory.region_code, other.region_code)
            if relation is not None:
                holders.setdefault(territory.id, []).append(Holder(other, relation))
    return holders


# --- Sub-agents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubAgentData:
    name: str
    region_code: str
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""


@transactional
def request_sub_agent(distributor_id: int, data: SubAgentData, requested_by_id: int | None = None) -> SubAgentRequest:
    """A distributor asks head office to approve a sub-agent or outlet (§1.3)."""
    name = data.name.strip()
    if not name:
        raise InvalidValue(N_("Enter the sub-agent's name."), field="name")
    region = _region(data.region_code)
    if db.session.get(Distributor, distributor_id) is None:
        raise InvalidValue(N_("There is no such distributor."), field="distributor_id")
    request = SubAgentRequest(
        distributor_id=distributor_id,
        name=name,
        region_code=region.code,
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        note=data.note.strip(),
        requested_by_id=requested_by_id,
        status=SubAgentStatus.REQUESTED,
    )
    db.session.add(request)
    return request


@transactional
def decide_sub_agent(
    request: SubAgentRequest, approve: bool, reason: str = "", decided_by_id: int | None = None
) -> SubAgentRequest:
    """Head-office sales approves or rejects (a rejection needs a reason the distributor reads)."""
    db.session.refresh(request, with_for_update=True)
    request.status = check_decision(request.status, approve, reason)
    request.reason = reason.strip()
    request.decided_at = utcnow()
    request.decided_by_id = decided_by_id
    with audit_reason(reason.strip()):
        db.session.flush()
    return request


def approved_sub_agents(distributor_id: int) -> list[SubAgentRequest]:
    """The distributor's approved sub-agents and outlets (monthly reports check against them)."""
    return list(
        db.session.scalars(
            select(SubAgentRequest)
            .where(
                SubAgentRequest.distributor_id == distributor_id,
                SubAgentRequest.status == SubAgentStatus.APPROVED,
            )
            .order_by(SubAgentRequest.name)
        )
    )
