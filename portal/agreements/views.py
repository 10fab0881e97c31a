"""Pages of the agreements area: agreements and their terms, territories, sub-agent requests.

Head-office sales (and administrators) create and change; finance reads; a distributor reads its
own agreements and territories and requests sub-agents. Records come through ``@loads`` and lists
through ``scoped()``, so a distributor never reaches another's. Statuses shown are read off the
dates on today's Asia/Shanghai date (``Agreement.status_on``), right before the daily command ran.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..clock import today
from ..distributors.models import Distributor
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.agreements import TERM_SPECS, AgreementStatus, last_day
from ..domain.distributors import Level
from ..domain.errors import DomainError
from ..domain.permissions import (
    may_decide_sub_agents,
    may_manage_agreements,
    may_read,
    may_read_every_distributor,
    may_request_sub_agents,
)
from ..domain.regions import ancestor_codes
from ..domain.subagents import SubAgentStatus
from ..domain.territories import descendant_prefix
from ..errors import domain_message, refusal_status
from ..extensions import db
from ..forms import attempt, form_status
from ..pagination import paginate
from ..products.models import Product
from ..regions.models import Region
from ..security import allowed, loads, scoped
from . import services
from .forms import (
    ActivationForm,
    AgreementForm,
    AmendmentForm,
    DecisionForm,
    GrantForm,
    RemoveForm,
    RevocationForm,
    SubAgentForm,
    TerminationForm,
)
from .models import Agreement, SubAgentRequest, Territory
from .queries import agreements_matching

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def _status_arg(enum: Any) -> Any:
    value = request.args.get("status", "")
    return enum(value) if value in {m.value for m in enum} else None


# --- Agreements ---------------------------------------------------------------------------------


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    on = today()
    status = _status_arg(AgreementStatus)
    distributor_id = distributor_arg()
    level = request.args.get("level", "")
    query = request.args.get("q", "").strip()
    statement = agreements_matching(
        on=on,
        status=status,
        distributor_id=distributor_id,
        level=Level(level) if level in {v.value for v in Level} else None,
        q=query,
    )
    picker = picked_distributor() if current_user.is_head_office else None
    return render_template(
        "agreements/index.html",
        page=paginate(statement),
        on=on,
        statuses=list(AgreementStatus),
        status=status.value if status else "",
        levels=list(Level),
        level=level,
        q=query,
        picker=picker,
        distributor_id=distributor_id,
    )


def _agreement_form(agreement: Agreement | None) -> AgreementForm:
    form = AgreementForm(obj=None)
    products = list(db.session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.sku)))
    if agreement is not None:  # keep authorised products that are no longer sold visible
        products += [p for p in agreement.products if p not in products]
    form.set_choices(products, get_locale())
    if request.method == "GET":
        if agreement is None:
            form.fill_terms(services.SEED_TERMS)
            form.level.data = Level.SECOND.value
            preset = distributor_arg()
            if preset is not None:
                form.distributor_id.data = preset
                chosen = db.session.get(Distributor, preset)
                if chosen is not None:
                    form.level.data = chosen.level.value
        else:
            form.number.data = agreement.number
            form.distributor_id.data = agreement.distributor_id
            form.level.data = agreement.level.value
            form.signed_on.data, form.starts_on.data, form.ends_on.data = (
                agreement.signed_on,
                agreement.starts_on,
                agreement.ends_on,
            )
            form.products.data = [p.sku for p in agreement.products]
            form.fill_terms(agreement.term_versions[0].terms)
    return form


def _agreement_data(form: AgreementForm) -> services.AgreementData:
    return services.AgreementData(
        number=form.number.data or "",
        distributor_id=form.distributor_id.data or 0,
        level=Level(form.level.data),
        signed_on=form.signed_on.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        terms=form.terms(),
        skus=tuple(form.products.data or ()),
    )


def _save(form: AgreementForm, agreement: Agreement | None) -> Any:
    """Create or update from a valid form; a refusal goes back onto its field (portal.forms.attempt)."""
    if agreement is None:
        saved = attempt(form, services.create_agreement, _agreement_data(form))
        if saved is not None:
            flash(_("Draft agreement %(number)s created.", number=saved.number), "success")
    else:
        saved = attempt(form, services.update_draft, agreement, _agreement_data(form))
        if saved is not None:
            flash(_("Agreement %(number)s saved.", number=saved.number), "success")
    return None if saved is None else redirect(url_for("agreements.show", agreement_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_manage_agreements)
def new() -> Any:
    form = _agreement_form(None)
    if form.validate_on_submit() and (done := _save(form, None)) is not None:
        return done
    return render_template("agreements/form.html", form=form, agreement=None), form_status(form)


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def edit(agreement: Agreement) -> Any:
    if agreement.status is not AgreementStatus.DRAFT:
        return _show(agreement, _("Only a draft agreement can be edited; amend the terms of an active one."), 409)
    form = _agreement_form(agreement)
    if form.validate_on_submit() and (done := _save(form, agreement)) is not None:
        return done
    return render_template("agreements/form.html", form=form, agreement=agreement), form_status(form)


def _show(agreement: Agreement, error: str | None = None, status: int = 200) -> Any:
    on = today()
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        on=on,
        status=agreement.status_on(on),
        terms=agreement.terms_on(on),
        version=agreement.version_on(on),
        granted=[
            t
            for t in db.session.scalars(
                select(Territory)
                .where(Territory.agreement_id == agreement.id)
                .options(selectinload(Territory.region))
                .order_by(Territory.region_code)
            )
            if t.is_granted(on)
        ],
        termination_notice=services.termination_notice(agreement) if agreement.terminated_on else None,
        activation_form=ActivationForm(),
        error=error,
    ), status


@bp.get("/<int:agreement_id>")
@allowed(may_read)
@loads(Agreement, "agreement_id")
def show(agreement: Agreement) -> Any:
    return _show(agreement)


@bp.post("/<int:agreement_id>/activate")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def activate(agreement: Agreement) -> Any:
    if not ActivationForm().validate_on_submit():
        abort(400)
    try:
        services.activate_agreement(agreement, today())
    except DomainError as error:
        return _show(agreement, domain_message(error), refusal_status(error))
    flash(_("Agreement %(number)s is active.", number=agreement.number), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))


@bp.get("/<int:agreement_id>/terms")
@allowed(may_read)
@loads(Agreement, "agreement_id")
def terms(agreement: Agreement) -> Any:
    """Every version of the terms, side by side: the signed terms and each amendment."""
    on = today()
    return render_template(
        "agreements/terms.html",
        agreement=agreement,
        versions=agreement.term_versions,
        current=agreement.version_on(on),
        terms=TERM_SPECS,
        on=on,
    )


@bp.route("/<int:agreement_id>/amend", methods=["GET", "POST"])
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def amend(agreement: Agreement) -> Any:
    on = today()
    form = AmendmentForm()
    if request.method == "GET":
        form.fill_terms(agreement.terms_on(on))
    if form.validate_on_submit():
        version = attempt(
            form, services.amend_agreement, agreement, form.effective_from.data, form.terms(), form.note.data or "", on
        )
        if version is not None:
            flash(_("The amendment takes effect on %(day)s.", day=version.effective_from.isoformat()), "success")
            return redirect(url_for("agreements.terms", agreement_id=agreement.id))
    return render_template("agreements/amend.html", form=form, agreement=agreement, on=on), form_status(form)


@bp.route("/<int:agreement_id>/terminate", methods=["GET", "POST"])
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def terminate(agreement: Agreement) -> Any:
    on = today()
    form = TerminationForm()
    if request.method == "GET":
        form.notice_on.data = on
    if form.validate_on_submit():
        notice = attempt(
            form,
            services.terminate_agreement,
            agreement,
            form.notice_on.data,
            form.reason.data or "",
            on,
            at_once=form.at_once.data,
            issued_by_id=current_user.id,
        )
        if notice is not None:
            flash(
                _(
                    "Notice %(number)s issued: the agreement ends on %(day)s.",
                    number=notice.number,
                    day=notice.effective_on.isoformat() if notice.effective_on else "",
                ),
                "success",
            )
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return render_template(
        "agreements/terminate.html",
        form=form,
        agreement=agreement,
        months=agreement.terms_on(on).revocation_notice_months,
    ), form_status(form)


# --- Territories --------------------------------------------------------------------------------


def _territories(
    agreement: Agreement,
    grant_form: GrantForm | None = None,
    revoke_form: RevocationForm | None = None,
    status: int = 200,
) -> Any:
    on = today()
    statement = (
        select(Territory)
        .where(Territory.agreement_id == agreement.id)
        .options(selectinload(Territory.region), selectinload(Territory.revocation_notice))
        .order_by(Territory.region_code, Territory.granted_on)
    )
    page = paginate(statement)
    holders = {}
    if current_user.is_head_office:  # others' agreements are head office's to see
        holders = services.other_holders(agreement, [t for t in page.items if t.is_granted(on)], on)
    if grant_form is None:
        grant_form = GrantForm(formdata=None)
        period_end = last_day(agreement.ends_on, agreement.terminated_on)
        grant_form.granted_on.data = min(max(on, agreement.starts_on), period_end)
    if revoke_form is None:
        revoke_form = RevocationForm(formdata=None)
        revoke_form.notice_on.data = on
    agreement_status = agreement.status_on(on)
    return render_template(
        "agreements/territories.html",
        agreement=agreement,
        page=page,
        on=on,
        holders=holders,
        grant_form=grant_form,
        revoke_form=revoke_form,
        remove_form=RemoveForm(),
        status=agreement_status,
        months=agreement.terms_on(on).revocation_notice_months,
    ), status


@bp.get("/<int:agreement_id>/territories")
@allowed(may_read)
@loads(Agreement, "agreement_id")
def territories(agreement: Agreement) -> Any:
    return _territories(agreement)


@bp.post("/<int:agreement_id>/territories")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def grant(agreement: Agreement) -> Any:
    form = GrantForm()
    if form.validate_on_submit():
        territory = attempt(
            form, services.grant_territory, agreement, form.region_code.data or "", form.granted_on.data, today()
        )
        if territory is not None:
            flash(
                _(
                    "%(region)s granted from %(day)s.",
                    region=str(territory.region),
                    day=territory.granted_on.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("agreements.territories", agreement_id=agreement.id))
    return _territories(agreement, grant_form=form, status=form_status(form))


@bp.post("/<int:agreement_id>/territories/revoke")
@allowed(may_manage_agreements)
@loads(Agreement, "agreement_id")
def revoke(agreement: Agreement) -> Any:
    form = RevocationForm()
    if form.validate_on_submit():
        notice = attempt(
            form,
            services.revoke_territories,
            agreement,
            form.region_codes.data or [],
            form.notice_on.data,
            form.reason.data or "",
            today=today(),
            issued_by_id=current_user.id,
        )
        if notice is not None:
            flash(
                _(
                    "Notice %(number)s issued: the revocation takes effect on %(day)s; until then the regions "
                    "are still granted.",
                    number=notice.number,
                    day=notice.effective_on.isoformat() if notice.effective_on else "",
                ),
                "success",
            )
            return redirect(url_for("agreements.territories", agreement_id=agreement.id))
    return _territories(agreement, revoke_form=form, status=form_status(form))


@bp.post("/territories/<int:territory_id>/remove")
@allowed(may_manage_agreements)
@loads(Territory, "territory_id")
def remove(territory: Territory) -> Any:
    if not RemoveForm().validate_on_submit():
        abort(400)
    agreement = territory.agreement
    try:
        services.remove_territory(territory)
    except DomainError as error:
        flash(domain_message(error), "danger")
        return _territories(agreement, status=refusal_status(error))
    flash(_("Region removed from the draft."), "success")
    return redirect(url_for("agreements.territories", agreement_id=agreement.id))


@bp.get("/regions/")
@allowed(may_read_every_distributor)
def find_region() -> Any:
    code = request.args.get("code", "").strip()
    if db.session.get(Region, code) is None:
        flash(_("There is no region with this code."), "warning")
        return redirect(url_for("agreements.index"))
    return redirect(url_for("agreements.region", code=code))


@bp.get("/regions/<code>")
@allowed(may_read_every_distributor)
def region(code: str) -> Any:
    """Every grant and revocation of one region across all agreements, and who holds the regions
    above and below it today (head office only: it shows every distributor)."""
    place = db.session.get(Region, code)
    if place is None:
        abort(404)
    on = today()
    history = (
        select(Territory)
        .where(Territory.region_code == code)
        .options(
            selectinload(Territory.agreement).selectinload(Agreement.distributor),
            selectinload(Territory.revocation_notice),
        )
        .order_by(Territory.granted_on.desc(), Territory.id.desc())
    )
    related = (
        select(Territory)
        .join(Agreement, Agreement.id == Territory.agreement_id)
        .where(
            Territory.region_code != code,
            Agreement.binds_on(on),
            Territory.granted_on <= on,
            or_(Territory.revoked_effective_on.is_(None), Territory.revoked_effective_on > on),
            or_(
                Territory.region_code.in_(ancestor_codes(code)),
                Territory.region_code.startswith(descendant_prefix(code)),
            ),
        )
        .options(selectinload(Territory.agreement).selectinload(Agreement.distributor), selectinload(Territory.region))
        .order_by(Territory.region_code)
        .limit(100)
    )
    return render_template(
        "agreements/region.html", place=place, page=paginate(history), related=list(db.session.scalars(related)), on=on
    )


# --- Sub-agents ---------------------------------------------------------------------------------


@bp.get("/sub-agents/")
@allowed(may_read)
def sub_agents() -> Any:
    """A distributor's own requests; head office's queue, filtered by status (awaiting by default)."""
    head_office = current_user.is_head_office
    statement = (
        scoped(select(SubAgentRequest), SubAgentRequest)
        .options(selectinload(SubAgentRequest.distributor), selectinload(SubAgentRequest.region))
        .order_by(SubAgentRequest.requested_at.desc(), SubAgentRequest.id.desc())
    )
    default = SubAgentStatus.REQUESTED.value if head_office else ""
    chosen = request.args.get("status", default)
    if chosen in {s.value for s in SubAgentStatus}:
        statement = statement.where(SubAgentRequest.status == SubAgentStatus(chosen))
    distributor_id = distributor_arg()
    if distributor_id is not None:
        statement = statement.where(SubAgentRequest.distributor_id == distributor_id)
    picker = picked_distributor() if head_office else None
    return render_template(
        "agreements/sub_agents.html",
        page=paginate(statement),
        statuses=list(SubAgentStatus),
        status=chosen,
        picker=picker,
        distributor_id=distributor_id,
    )


@bp.route("/sub-agents/new", methods=["GET", "POST"])
@allowed(may_request_sub_agents)
def new_sub_agent() -> Any:
    if current_user.distributor_id is None:
        abort(403)
    form = SubAgentForm()
    if form.validate_on_submit():
        data = services.SubAgentData(
            name=form.name.data or "",
            region_code=form.region_code.data or "",
            contact_name=form.contact_name.data or "",
            contact_phone=form.contact_phone.data or "",
            note=form.note.data or "",
        )
        sub_agent = attempt(form, services.request_sub_agent, current_user.distributor_id, data, current_user.id)
        if sub_agent is not None:
            flash(_("Request for %(name)s sent to head office.", name=sub_agent.name), "success")
            return redirect(url_for("agreements.sub_agent", request_id=sub_agent.id))
    return render_template("agreements/sub_agent_form.html", form=form), form_status(form)


def _sub_agent_page(sub_agent: SubAgentRequest, form: DecisionForm | None = None, status: int = 200) -> Any:
    on = today()
    inside = None
    if current_user.is_head_office:
        binding = db.session.scalars(
            select(Agreement).where(Agreement.distributor_id == sub_agent.distributor_id, Agreement.binds_on(on))
        )
        inside = any(services.in_territory(a, sub_agent.region_code, on) for a in binding)
    return render_template(
        "agreements/sub_agent.html", sub_agent=sub_agent, inside=inside, form=form or DecisionForm(formdata=None)
    ), status


@bp.get("/sub-agents/<int:request_id>")
@allowed(may_read)
@loads(SubAgentRequest, "request_id", as_="sub_agent")
def sub_agent(sub_agent: SubAgentRequest) -> Any:
    return _sub_agent_page(sub_agent)


@bp.post("/sub-agents/<int:request_id>/decide")
@allowed(may_decide_sub_agents)
@loads(SubAgentRequest, "request_id", as_="sub_agent")
def decide(sub_agent: SubAgentRequest) -> Any:
    form = DecisionForm()
    if form.validate_on_submit():
        decided = attempt(
            form,
            services.decide_sub_agent,
            sub_agent,
            form.decision.data == "approve",
            form.reason.data or "",
            current_user.id,
        )
        if decided is not None:
            flash(_("Decision recorded: %(status)s.", status=_(decided.status.label)), "success")
            return redirect(url_for("agreements.sub_agents"))
    return _sub_agent_page(sub_agent, form, form_status(form))
