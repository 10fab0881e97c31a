"""Home page, language switcher and health check."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from ..agreements.models import SubAgentRequest
from ..api.openapi import build_spec
from ..clock import today
from ..distributors.models import Distributor
from ..domain.orders import AWAITING_DEPOSIT, SHIPPABLE, OrderStatus
from ..domain.permissions import may_read
from ..domain.pricing import PriceListStatus
from ..domain.subagents import SubAgentStatus
from ..extensions import db
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..orders.models import Order
from ..pricing.models import PriceList
from ..repairs.workshop_queries import near_limit_count
from ..security import allowed, public
from .home import distributor_home, head_office_home

bp = Blueprint("main", __name__)


@bp.get("/")
@allowed(may_read)
def home() -> Any:
    if not current_user.is_head_office:
        # Agreements and terms, territories (list and chart), the price list in force, unread
        # notices: a constant number of statements, all inside the distributor's scope.
        return render_template("main/home_distributor.html", **distributor_home())
    # The work queues' counts, then sales' and finance's desks by the user's role (an admin sees both).
    on = today()
    return render_template("main/home_head_office.html", queues=head_office_queues(on), **head_office_home(on))


def head_office_queues(on: date) -> dict[str, int]:
    """What waits for head office today, one COUNT each: the home page's work queues."""

    def count(model: Any, *where: Any) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return {
        "to_confirm": count(Order, Order.status == OrderStatus.SUBMITTED),
        "deposits_overdue": count(Order, Order.status.in_(AWAITING_DEPOSIT), Order.deposit_due_on < on),
        "to_ship": count(Order, Order.status.in_(SHIPPABLE)),
        "sub_agents": count(SubAgentRequest, SubAgentRequest.status == SubAgentStatus.REQUESTED),
        "draft_price_lists": count(PriceList, PriceList.status == PriceListStatus.DRAFT),
        "distributors": count(Distributor),
        "repairs_near_limit": near_limit_count(on),
    }


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
