"""The audit trail (docs/rules.md §12): who changed what, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import UTCDateTime
from ..extensions import Model


class AuditEvent(Model):
    """One insert, update or delete of an audited record. Written in the same transaction as the
    change; the portal never updates or deletes these rows (the mapper events below refuse it)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_table_record", "table_name", "record_id"),
        # The trail's order (newest first), alone and after each filter it offers but the record's.
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_table_name_at_id", "table_name", "at", "id"),
        Index("ix_audit_events_actor_name_at_id", "actor_name", "at", "id"),
        Index("ix_audit_events_action_at_id", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))  # insert, update, delete
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500), default="")


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("audit events are never changed or deleted")
