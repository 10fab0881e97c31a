"""Reading the audit trail back in tests."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db


def events(table: str, record_id: object) -> list[AuditEvent]:
    """A record's audit events, oldest first, read fresh from the database."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.table_name == table, AuditEvent.record_id == str(record_id))
            .order_by(AuditEvent.id)
        )
    )
