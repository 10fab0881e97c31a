"""Distributors: head office manages them; a distributor user sees its own company."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.distributors import DistributorStatus, Level
from ..domain.permissions import may_manage_distributors, may_read, may_read_every_distributor
from ..forms import attempt, form_status
from ..pagination import paginate
from ..security import allowed, loads
from .forms import DistributorForm
from .models import Distributor
from .queries import SUGGESTIONS, distributors_like, distributors_matching
from .services import DistributorData, create_distributor, update_distributor

bp = Blueprint("distributors", __name__, url_prefix="/distributors")


def _data(form: DistributorForm) -> DistributorData:
    return DistributorData(
        code=form.code.data or "",
        name=form.name.data or "",
        credit_code=form.credit_code.data or "",
        level=Level(form.level.data),
        status=DistributorStatus(form.status.data),
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        contact_email=form.contact_email.data or "",
        address=form.address.data or "",
        region_code=form.region_code.data or None,
    )


@bp.get("/")
@allowed(may_read_every_distributor)
def index() -> Any:
    level = request.args.get("level", "")
    status = request.args.get("status", "")
    query = request.args.get("q", "").strip()
    statement = distributors_matching(
        level=Level(level) if level in {v.value for v in Level} else None,
        status=DistributorStatus(status) if status in {v.value for v in DistributorStatus} else None,
        q=query,
    )
    return render_template(
        "distributors/index.html",
        page=paginate(statement),
        levels=list(Level),
        statuses=list(DistributorStatus),
        level=level,
        status=status,
        q=query,
    )


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_manage_distributors)
def new() -> Any:
    form = DistributorForm()
    if form.validate_on_submit():
        distributor = attempt(form, create_distributor, _data(form))
        if distributor is not None:
            flash(_("Distributor %(name)s created.", name=distributor.name), "success")
            return redirect(url_for("distributors.show", distributor_id=distributor.id))
    return render_template("distributors/form.html", form=form, distributor=None), form_status(form)


@bp.get("/<int:distributor_id>")
@allowed(may_read)
@loads(Distributor, "distributor_id")
def show(distributor: Distributor) -> Any:
    return render_template("distributors/show.html", distributor=distributor)


@bp.route("/<int:distributor_id>/edit", methods=["GET", "POST"])
@allowed(may_manage_distributors)
@loads(Distributor, "distributor_id")
def edit(distributor: Distributor) -> Any:
    form = DistributorForm(obj=distributor if request.method == "GET" else None)
    if request.method == "GET":
        form.level.data = distributor.level.value
        form.status.data = distributor.status.value
    if form.validate_on_submit():
        saved = attempt(form, update_distributor, distributor, _data(form))
        if saved is not None:
            flash(_("Distributor %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("distributors.show", distributor_id=saved.id))
    return render_template("distributors/form.html", form=form, distributor=distributor), form_status(form)


@bp.get("/choices.json")
@allowed(may_read)
def choices() -> Any:
    """The distributor picker's suggestions as the user types (static/js/distributor_picker.js):
    ``?q=`` code or name, at most ten, in the caller's scope (a distributor user finds its own
    company only). Read by the page's own script with the session cookie; it changes nothing, so a
    GET without a CSRF token is safe, and it answers JSON only to the page's origin (no CORS)."""
    rows = distributors_like(request.args.get("q", ""), limit=SUGGESTIONS)
    items = [{"id": r.id, "code": r.code, "name": r.name, "label": f"{r.code} {r.name}"} for r in rows]
    response = jsonify(items=items)
    response.headers["Cache-Control"] = "private, no-store"
    return response
