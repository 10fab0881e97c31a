"""Head office browses the audit trail, filtered by table, record, person and date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..clock import BUSINESS_TZ
from ..domain.dates import EARLIEST, LATEST
from ..domain.permissions import may_read_audit_trail
from ..extensions import db
from ..pagination import paginate
from ..security import allowed
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _day(text: str) -> date | None:
    """A filter date, or None when it is not one or lies outside 2000-2099 (a typing mistake)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


@bp.get("/")
@allowed(may_read_audit_trail)
def index() -> Any:
    args = request.args
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    table = args.get("table", "")
    if table:
        statement = statement.where(AuditEvent.table_name == table)
    record = args.get("record", "").strip()
    if record:
        statement = statement.where(AuditEvent.record_id == record)
    actor = args.get("actor", "").strip()
    if actor:
        statement = statement.where(AuditEvent.actor_name == actor)
    action = args.get("action", "")
    if action in {"insert", "update", "delete"}:
        statement = statement.where(AuditEvent.action == action)
    since, until = _day(args.get("since", "")), _day(args.get("until", ""))
    if since:  # business dates are Asia/Shanghai days
        statement = statement.where(AuditEvent.at >= datetime.combine(since, time(), BUSINESS_TZ))
    if until:
        statement = statement.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time(), BUSINESS_TZ))
    tables = db.session.scalars(select(AuditEvent.table_name).distinct().order_by(AuditEvent.table_name)).all()
    return render_template(
        "audit/index.html",
        page=paginate(statement),
        tables=tables,
        filters={
            "table": table,
            "record": record,
            "actor": actor,
            "action": action,
            "since": args.get("since", ""),
            "until": args.get("until", ""),
        },
    )
