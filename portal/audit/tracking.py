"""Writes an AuditEvent for every insert, update and delete of a model marked ``__audited__``.

It hooks the session's flush, so every service is audited without remembering to call anything,
and the events go into the same transaction as the change: both commit or neither does.
A service that needs to record why (a void, a release) sets :func:`audit_reason` first.

Columns are audited by themselves. A many-to-many collection (an agreement's authorised products)
is audited when its model names it in ``__audited_collections__``, a mapping of the relationship to
the attribute that identifies each member (``{"products": "sku"}``): the entry shows the sorted
list of members before and after.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..extensions import Model
from .models import AuditEvent

_actor: ContextVar[tuple[int | None, str] | None] = ContextVar("audit_actor", default=None)
_reason: ContextVar[str] = ContextVar("audit_reason", default="")


@contextlib.contextmanager
def acting_as(user_id: int | None, name: str) -> Iterator[None]:
    """Name the actor outside a request (CLI commands, scheduled jobs)."""
    token = _actor.set((user_id, name))
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def audit_reason(reason: str) -> Iterator[None]:
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def _current_actor() -> tuple[int | None, str]:
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    excluded: frozenset[str] = getattr(obj, "__audit_exclude__", frozenset())
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in excluded:
            continue
        history = state.attrs[key].history
        if action == "insert":
            value = getattr(obj, key)
            if value not in (None, ""):
                changes[key] = [None, _plain(value)]
        elif action == "delete":
            before = history.deleted[0] if history.deleted else getattr(obj, key)
            changes[key] = [_plain(before), None]
        elif history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if _plain(before) != _plain(after):
                changes[key] = [_plain(before), _plain(after)]
    for key, member_key in getattr(obj, "__audited_collections__", {}).items():
        # The history never loads an unloaded collection: one that was not touched reads as empty.
        history = state.attrs[key].history
        before = sorted(getattr(member, member_key) for member in [*history.unchanged, *history.deleted])
        after = sorted(getattr(member, member_key) for member in [*history.unchanged, *history.added])
        if action == "insert" and after:
            changes[key] = [None, after]
        elif action == "delete" and before:
            changes[key] = [before, None]
        elif action == "update" and before != after:
            changes[key] = [before, after]
    return changes


def _record_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity:
        return "/".join(str(part) for part in identity)
    keys = inspect(obj).mapper.primary_key
    return "/".join(str(getattr(obj, col.key)) for col in keys)


def _audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


def audited_tables() -> list[str]:
    """The tables whose changes are audited (the models marked ``__audited__``), by name: the audit
    trail's table filter, known without reading the events."""
    return sorted(
        {
            mapper.class_.__tablename__
            for mapper in Model.registry.mappers
            if getattr(mapper.class_, "__audited__", False)
        }
    )


def _collect(session: Session) -> list[tuple[Any, str]]:
    return (
        [(o, "insert") for o in session.new if _audited(o)]
        + [(o, "update") for o in session.dirty if _audited(o) and session.is_modified(o)]
        + [(o, "delete") for o in session.deleted if _audited(o)]
    )


def register(session_class: Any) -> None:
    @event.listens_for(session_class, "before_flush")
    def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
        # Updates and deletes must be read before the flush resets their history; inserts have
        # no id yet, so they are read after it.
        pending = session.info["audit_pending"] = []
        for obj, action in _collect(session):
            if action == "insert":
                pending.append((obj, action, None))
            else:
                changes = _changes(obj, action)
                if changes or action == "delete":
                    pending.append((obj, action, changes))

    @event.listens_for(session_class, "after_flush")
    def _after_flush(session: Session, flush_context: Any) -> None:
        pending = session.info.pop("audit_pending", [])
        if not pending:
            return
        actor_id, actor_name = _current_actor()
        now = utcnow()
        reason = _reason.get()
        rows = [
            {
                "at": now,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "action": action,
                "table_name": type(obj).__tablename__,
                "record_id": _record_id(obj),
                "changes": changes if changes is not None else _changes(obj, "insert"),
                "reason": reason,
            }
            for obj, action, changes in pending
        ]
        session.connection().execute(insert(AuditEvent), rows)

    @event.listens_for(session_class, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop("audit_pending", None)
