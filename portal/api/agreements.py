"""/api/v1/agreements: agreements, their terms and amendments, activation, termination and
territories (docs/api.md; docs/rules.md §3, §4).

Writes go through :mod:`portal.agreements.services`, so the API refuses what the pages refuse with
the same messages: 422 for a bad field (named in ``fields``; a term as ``terms.<name>``), 409 for a
rule or state that forbids the step. ``status`` is read off the dates on today's Asia/Shanghai
date, so an agreement past its end answers ``expired`` before the daily command has run.

Territories are revoked with ``POST /agreements/{id}/territories/revoke`` (``region_codes``,
``notice_on`` — default today, never later —, ``reason``): one written notice for all of them,
effective ``revocation_notice_months`` after the notice date; until then they stay granted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from flask import abort, jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field, create_model, model_validator
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..agreements import services
from ..agreements.models import Agreement, AgreementTerms, Territory
from ..clock import today
from ..distributors.models import Distributor
from ..domain.agreements import (
    TERM_NAMES,
    TERM_SPECS,
    AgreementStatus,
    TermKind,
    Terms,
    TermSpec,
)
from ..domain.distributors import Level
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.permissions import may_manage_agreements, may_read
from ..extensions import db
from ..security import allowed, loads, scoped
from .blueprint import bp
from .core import (
    UNSENT,
    BodyModel,
    Id,
    Money,
    MoneyIn,
    OutModel,
    PatchModel,
    Percent,
    PercentIn,
    QueryModel,
    RegionCode,
    Sku,
    Timestamp,
    api_doc,
    dump,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

Number = text(
    40,
    min_length=1,
    pattern=r"[A-Za-z0-9][A-Za-z0-9\-/_.]*",
    message=_l("Use letters, digits and - / _ . only, such as XS-2026-001."),
)
Reason = text(500)
QueryText = text(100)


# A date as JSON gives it; the services refuse implausible dates and events dated after today
# (domain.dates.check_event_date), and the API answers 422 with their message on the field.
Day = date


def _term_in(spec: TermSpec) -> Any:
    if spec.kind is TermKind.MONEY:
        return MoneyIn
    if spec.kind is TermKind.PERCENT:
        return PercentIn
    low, high = spec.bounds or (0, None)
    return Annotated[int, Field(ge=low, le=high)]


def _term_out(spec: TermSpec) -> Any:
    return {TermKind.MONEY: Money, TermKind.PERCENT: Percent}.get(spec.kind, int)


class _TermsPatch(PatchModel):
    def applied_to(self, terms: Terms) -> Terms:
        return Terms(**{**terms.as_dict(), **self.model_dump(exclude_unset=True)})


# One field per term of domain.agreements.TERM_SPECS, in its order (mypy reads them as the base).
if TYPE_CHECKING:
    TermsPatch = _TermsPatch
    TermsOut = OutModel
else:
    TermsPatch = create_model(
        "TermsPatch",
        __base__=_TermsPatch,
        __doc__=(
            "Terms named as in docs/rules.md §3; money and percentages as strings with two decimals.\n"
            "Terms left out keep their value (the seed's on creation)."
        ),
        **{spec.name: (_term_in(spec), None) for spec in TERM_SPECS},
    )
    TermsOut = create_model("TermsOut", __base__=OutModel, **{spec.name: (_term_out(spec), ...) for spec in TERM_SPECS})


class AgreementIn(BodyModel):
    number: Number = Field(description="协议号, unique.")
    distributor_id: Id
    level: Level | None = Field(default=None, description="Default: the distributor's level.")
    signed_on: Day
    starts_on: Day
    ends_on: Day
    terms: TermsPatch = Field(default_factory=TermsPatch, description="Left out: the seed contract's terms.")
    products: list[Sku] = Field(default_factory=list, description="SKUs of the authorised products.")


class AgreementPatch(PatchModel):
    """Only the fields sent change (a draft only); ``terms`` may name some terms only."""

    number: Number = UNSENT
    distributor_id: Id = UNSENT
    level: Level = UNSENT
    signed_on: Day = UNSENT
    starts_on: Day = UNSENT
    ends_on: Day = UNSENT
    terms: TermsPatch = UNSENT
    products: list[Sku] = UNSENT


class AgreementOut(OutModel):
    id: int
    number: str
    distributor_id: int
    level: Level
    signed_on: date
    starts_on: date
    ends_on: date
    status: AgreementStatus = Field(description="As of today, read off the dates.")
    activated_on: date | None
    terminated_on: date | None = Field(description="A termination's effective date: the first day it no longer binds.")
    terms: TermsOut = Field(description="The terms in force today.")
    terms_effective_from: date | None = Field(description="Since when those terms are in force.")
    products: list[str] = Field(description="SKUs of the authorised products.")
    created_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _from_agreement(cls, value: Any) -> Any:
        if not isinstance(value, Agreement):
            return value
        on = today()
        version = value.version_on(on)
        return {
            **{
                name: getattr(value, name)
                for name in (
                    "id",
                    "number",
                    "distributor_id",
                    "level",
                    "signed_on",
                    "starts_on",
                    "ends_on",
                    "activated_on",
                    "terminated_on",
                    "created_at",
                )
            },
            "status": value.status_on(on),
            "terms": value.terms_on(on).as_dict(),
            "terms_effective_from": version.effective_from if version else None,
            "products": [p.sku for p in value.products],
        }


class TermsVersionOut(OutModel):
    id: int
    effective_from: date
    note: str
    terms: TermsOut

    @model_validator(mode="before")
    @classmethod
    def _from_version(cls, value: Any) -> Any:
        if not isinstance(value, AgreementTerms):
            return value
        return {
            "id": value.id,
            "effective_from": value.effective_from,
            "note": value.note,
            "terms": value.terms.as_dict(),
        }


class AgreementQuery(QueryModel):
    distributor_id: Id | None = None
    status: AgreementStatus | None = Field(default=None, description="As of today.")
    level: Level | None = None
    q: QueryText | None = Field(default=None, description="The number contains this text.")


class AmendmentIn(BodyModel):
    effective_from: Day = Field(description="Inside the term, after the start and not before today.")
    note: Annotated[text(500, min_length=1), Field(description="What changes and why.")]
    terms: TermsPatch = Field(description="Terms left out keep the value in force on the effective date.")


class TerminationIn(BodyModel):
    notice_on: Day | None = Field(default=None, description="Default today; never later.")
    reason: text(500, min_length=1)
    at_once: bool = Field(
        default=False, description="§3.2: conduct that loses an end customer ends the agreement on the notice date."
    )


class NoticeRef(OutModel):
    id: int
    number: str
    issued_on: date
    effective_on: date | None


class TerminationOut(OutModel):
    agreement: AgreementOut
    notice: NoticeRef


class TerritoryOut(OutModel):
    id: int
    agreement_id: int
    region_code: str
    region_name: str
    granted_on: date
    revoked_on: date | None = Field(description="The revocation notice's date.")
    revoked_effective_on: date | None = Field(description="From this day the region is no longer granted.")
    revocation_notice_number: str | None
    granted: bool = Field(description="Granted today.")

    @model_validator(mode="before")
    @classmethod
    def _from_territory(cls, value: Any) -> Any:
        if not isinstance(value, Territory):
            return value
        return {
            **{
                name: getattr(value, name)
                for name in ("id", "agreement_id", "region_code", "granted_on", "revoked_on", "revoked_effective_on")
            },
            "region_name": value.region.name if value.region else "",
            "revocation_notice_number": value.revocation_notice.number if value.revocation_notice else None,
            "granted": value.is_granted(today()),
        }


class GrantIn(BodyModel):
    region_code: RegionCode
    granted_on: Day | None = Field(default=None, description="A day of the term; default today.")


class RevocationIn(BodyModel):
    region_codes: list[RegionCode] = Field(min_length=1)
    notice_on: Day | None = Field(default=None, description="Default today; never later.")
    reason: Reason = ""


class RevocationOut(OutModel):
    notice: NoticeRef
    territories: list[TerritoryOut]


@contextlib.contextmanager
def _terms_named() -> Iterator[None]:
    """A term refused by the domain is named ``terms.<name>``, as the request body nests it."""
    try:
        yield
    except DomainError as error:
        if error.field in TERM_NAMES:
            error.field = f"terms.{error.field}"
        elif error.field == "skus":
            error.field = "products"
        raise


def _loaded(agreement_id: int) -> Agreement:
    statement = (
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(selectinload(Agreement.products), selectinload(Agreement.term_versions))
    )
    return db.session.scalars(statement.execution_options(populate_existing=True)).one()


@bp.get("/agreements")
@allowed(may_read)
@api_doc(query=AgreementQuery, response=AgreementOut, list_of=True)
def list_agreements() -> Any:
    """List agreements.

    Newest start first. A distributor user sees only its own. ``status`` filters on the status as
    of today, read off the dates.
    """
    query = parse_query(AgreementQuery)
    statement = (
        scoped(select(Agreement), Agreement)
        .options(selectinload(Agreement.products), selectinload(Agreement.term_versions))
        .order_by(Agreement.starts_on.desc(), Agreement.number)
    )
    if query.distributor_id:
        statement = statement.where(Agreement.distributor_id == query.distributor_id)
    if query.status:
        statement = statement.where(Agreement.status_is(query.status, today()))
    if query.level:
        statement = statement.where(Agreement.level == query.level)
    if query.q:
        statement = statement.where(Agreement.number.ilike(f"%{query.q}%"))
    return page_of(AgreementOut, statement)


@bp.post("/agreements")
@allowed(may_manage_agreements)
@api_doc(body=AgreementIn, response=AgreementOut, status=201)
def create_agreement() -> Any:
    """Add a draft agreement.

    Terms left out take the seed contract's values. A number already used answers 409 on
    ``number``; an unknown distributor or SKU, or dates that make no sense, 422 on the field.
    """
    data = parse_body(AgreementIn)
    distributor = db.session.get(Distributor, data.distributor_id)
    if distributor is None:
        raise InvalidValue(N_("There is no such distributor."), field="distributor_id")
    with _terms_named():
        agreement = services.create_agreement(
            services.AgreementData(
                number=data.number,
                distributor_id=data.distributor_id,
                level=data.level or distributor.level,
                signed_on=data.signed_on,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                terms=data.terms.applied_to(services.SEED_TERMS),
                skus=tuple(data.products),
            )
        )
    return one(
        AgreementOut, _loaded(agreement.id), 201, Location=url_for("api.get_agreement", agreement_id=agreement.id)
    )


@bp.get("/agreements/<int:agreement_id>")
@allowed(may_read)
@loads(Agreement, "agreement_id")
@api_doc(response=AgreementOut)
def get_agreement(agreement: Agreement) -> Any:
    """Show one agreement with the terms in force today.

    Another distributor's agreement answers 404, like a missing one.
    """
    return one(AgreementOut, agreement)


@bp.patch("/agreements/<int:agreement_id>")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(body=AgreementPatch, response=AgreementOut)
def update_agreement(agreement: Agreement) -> Any:
    """Change a draft agreement.

    Only the fields sent change. An agreement that is no longer a draft answers 409: its terms
    change by an amendment (``POST /agreements/{id}/amendments``).
    """
    changes = parse_body(AgreementPatch)
    sent = changes.model_dump(exclude_unset=True)
    current = agreement.term_versions[0].terms if agreement.term_versions else services.SEED_TERMS
    data = services.AgreementData(
        number=sent.get("number", agreement.number),
        distributor_id=sent.get("distributor_id", agreement.distributor_id),
        level=sent.get("level", agreement.level),
        signed_on=sent.get("signed_on", agreement.signed_on),
        starts_on=sent.get("starts_on", agreement.starts_on),
        ends_on=sent.get("ends_on", agreement.ends_on),
        terms=changes.terms.applied_to(current) if changes.terms is not None else current,
        skus=tuple(sent["products"]) if "products" in sent else tuple(p.sku for p in agreement.products),
    )
    with _terms_named():
        services.update_draft(agreement, data)
    return one(AgreementOut, _loaded(agreement.id))


@bp.post("/agreements/<int:agreement_id>/activate")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(response=AgreementOut)
def activate_agreement(agreement: Agreement) -> Any:
    """Activate a draft agreement today.

    Refused (409) unless it is a draft that has been signed, has not ended, authorises at least
    one product, and the distributor has no other agreement binding on any of its days.
    """
    services.activate_agreement(agreement, today())
    return one(AgreementOut, _loaded(agreement.id))


@bp.get("/agreements/<int:agreement_id>/terms")
@allowed(may_read)
@loads(Agreement, "agreement_id")
@api_doc(response=TermsVersionOut, list_of=True)
def list_terms(agreement: Agreement) -> Any:
    """List the versions of the terms of an agreement.

    The signed terms first, then each amendment by its effective date. Every rule applies the
    version in force on the date of its event.
    """
    statement = (
        select(AgreementTerms)
        .where(AgreementTerms.agreement_id == agreement.id)
        .order_by(AgreementTerms.effective_from)
    )
    return page_of(TermsVersionOut, statement)


@bp.post("/agreements/<int:agreement_id>/amendments")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(body=AmendmentIn, response=TermsVersionOut, status=201)
def amend_agreement(agreement: Agreement) -> Any:
    """Amend the terms of an active agreement.

    A new version from ``effective_from``: inside the term, after its start and not before today
    (422 on ``effective_from`` otherwise). An agreement that is not active answers 409.
    """
    data = parse_body(AmendmentIn)
    base = agreement.terms_on(data.effective_from)
    with _terms_named():
        version = services.amend_agreement(
            agreement, data.effective_from, data.terms.applied_to(base), data.note, today()
        )
    return one(TermsVersionOut, version, 201)


@bp.post("/agreements/<int:agreement_id>/terminate")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(body=TerminationIn, response=TerminationOut)
def terminate_agreement(agreement: Agreement) -> Any:
    """Terminate an active agreement by written notice.

    The notice takes effect ``revocation_notice_months`` after its date (§4.5), or on it with
    ``at_once`` (§3.2); the agreement binds until then and reads ``terminated`` from that day.
    A termination that would take effect after the end date answers 409.
    """
    data = parse_body(TerminationIn)
    notice = services.terminate_agreement(
        agreement, data.notice_on or today(), data.reason, today(), at_once=data.at_once, issued_by_id=current_user.id
    )
    return jsonify(agreement=dump(AgreementOut, _loaded(agreement.id)), notice=dump(NoticeRef, notice))


# --- Territories --------------------------------------------------------------------------------


def _territories_of(agreement: Agreement) -> Any:
    return (
        select(Territory)
        .where(Territory.agreement_id == agreement.id)
        .options(selectinload(Territory.region), selectinload(Territory.revocation_notice))
        .order_by(Territory.region_code, Territory.granted_on)
    )


@bp.get("/agreements/<int:agreement_id>/territories")
@allowed(may_read)
@loads(Agreement, "agreement_id")
@api_doc(response=TerritoryOut, list_of=True)
def list_territories(agreement: Agreement) -> Any:
    """List the territories of an agreement, revoked ones too.

    ``granted`` says whether the region is granted today; a revoked region stays granted until
    ``revoked_effective_on``.
    """
    return page_of(TerritoryOut, _territories_of(agreement))


@bp.post("/agreements/<int:agreement_id>/territories")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(body=GrantIn, response=TerritoryOut, status=201)
def grant_territory(agreement: Agreement) -> Any:
    """Grant a region to an agreement.

    A province, city or district, on a day of the term (422 on ``granted_on`` otherwise). Never
    exclusive: other agreements may hold it too. A region this agreement already holds answers 409.
    """
    data = parse_body(GrantIn)
    territory = services.grant_territory(agreement, data.region_code, data.granted_on or today(), today())
    return one(TerritoryOut, territory, 201)


@bp.post("/agreements/<int:agreement_id>/territories/revoke")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@api_doc(body=RevocationIn, response=RevocationOut)
def revoke_territories(agreement: Agreement) -> Any:
    """Revoke regions with one written notice.

    Effective ``revocation_notice_months`` (of the terms in force on ``notice_on``) after the
    notice date; until then the regions stay granted. A region not granted to the agreement on the
    notice date answers 422 on ``region_codes``, and nothing is revoked.
    """
    data = parse_body(RevocationIn)
    notice = services.revoke_territories(
        agreement,
        data.region_codes,
        data.notice_on or today(),
        data.reason,
        today=today(),
        issued_by_id=current_user.id,
    )
    revoked = db.session.scalars(_territories_of(agreement).where(Territory.revocation_notice_id == notice.id))
    return jsonify(notice=dump(NoticeRef, notice), territories=[dump(TerritoryOut, t) for t in revoked])


@bp.delete("/agreements/<int:agreement_id>/territories/<int:territory_id>")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
@loads(Territory, "territory_id")
@api_doc(status=204)
def remove_territory(agreement: Agreement, territory: Territory) -> Any:
    """Remove a region from a draft agreement.

    Nothing is in force yet, so no notice is due. An active agreement's regions are revoked by
    notice instead (409).
    """
    if territory.agreement_id != agreement.id:
        abort(404)
    services.remove_territory(territory)
    return "", 204
