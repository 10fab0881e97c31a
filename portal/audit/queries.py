"""The audit trail's one list query, for its page and the plan tests (tests/test_query_plans.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from ..clock import BUSINESS_TZ
from .models import AuditEvent

ACTIONS = ("insert", "update", "delete")


@dataclass(frozen=True)
class AuditFilters:
    table: str = ""
    record: str = ""
    actor: str = ""
    action: str = ""
    since: date | None = None  # business dates: Asia/Shanghai days, both inclusive
    until: date | None = None


def events_matching(filters: AuditFilters) -> Select[Any]:
    """Audit events matching every filter given, newest first. Each filter but the record's has an
    index that begins with it and goes on in this order, so a page never sorts the trail."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters.table:
        statement = statement.where(AuditEvent.table_name == filters.table)
    if filters.record:
        statement = statement.where(AuditEvent.record_id == filters.record)
    if filters.actor:
        statement = statement.where(AuditEvent.actor_name == filters.actor)
    if filters.action in ACTIONS:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.since:
        statement = statement.where(AuditEvent.at >= datetime.combine(filters.since, time(), BUSINESS_TZ))
    if filters.until:
        until = datetime.combine(filters.until + timedelta(days=1), time(), BUSINESS_TZ)
        statement = statement.where(AuditEvent.at < until)
    return statement
