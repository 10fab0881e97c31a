"""Home page, language switcher and health check."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from ..accounts.models import User
from ..api.openapi import build_spec
from ..distributors.models import Distributor
from ..domain.roles import Role
from ..extensions import db
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..regions.models import Region
from ..security import public, signed_in

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home() -> Any:
    if current_user.role is Role.DISTRIBUTOR:
        distributor = db.session.get(Distributor, current_user.distributor_id) if current_user.distributor_id else None
        return render_template("main/home_distributor.html", distributor=distributor)
    counts = {
        "distributors": db.session.scalar(select(func.count()).select_from(Distributor)),
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
    }
    return render_template("main/home_head_office.html", counts=counts)


@bp.post("/language")
@public
def set_language() -> Any:
    choice = request.form.get("lang", "")
    if choice in LANGUAGES:
        session[LANGUAGE_COOKIE] = choice
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        target = url_for("main.home")
    return redirect(target)


@bp.get("/healthz")
@public
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/api-reference")
@public
def api_docs() -> Any:
    """The human-readable page of the OpenAPI document served at /api/v1/openapi.json."""
    return render_template("main/api_docs.html", spec=build_spec())
