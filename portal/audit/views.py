"""Head office browses the audit trail, filtered by table, record, person and date."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from ..domain.dates import EARLIEST, LATEST
from ..domain.permissions import may_read_audit_trail
from ..pagination import paginate
from ..security import allowed
from .queries import AuditFilters, events_matching
from .tracking import audited_tables

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
    filters = AuditFilters(
        table=args.get("table", ""),
        record=args.get("record", "").strip(),
        actor=args.get("actor", "").strip(),
        action=args.get("action", ""),
        since=_day(args.get("since", "")),
        until=_day(args.get("until", "")),
    )
    return render_template(
        "audit/index.html",
        page=paginate(events_matching(filters)),
        tables=audited_tables(),  # the fixed list, not a DISTINCT over every event
        filters={
            "table": filters.table,
            "record": filters.record,
            "actor": filters.actor,
            "action": filters.action,
            "since": args.get("since", ""),
            "until": args.get("until", ""),
        },
    )
