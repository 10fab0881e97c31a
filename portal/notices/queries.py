"""The notice lists' queries, shared by the pages, the API and the home page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..domain.notices import NoticeType, ReadState
from ..extensions import db
from ..security import scoped
from .models import Notice, NoticeCounter


def notices_matching(
    *,
    distributor_id: int | None = None,
    notice_type: NoticeType | None = None,
    read: ReadState | None = None,
    year: int | None = None,
    user: Any = None,
) -> Select[Any]:
    """Notices in the caller's scope matching every filter given, newest first, with the
    distributor and whoever acknowledged loaded in the same statement (no query per row)."""
    statement = (
        scoped(select(Notice), Notice, user)
        .options(joinedload(Notice.distributor), joinedload(Notice.acknowledged_by))
        .order_by(Notice.issued_on.desc(), Notice.year.desc(), Notice.sequence.desc())
    )
    if distributor_id is not None:
        statement = statement.where(Notice.distributor_id == distributor_id)
    if notice_type is not None:
        statement = statement.where(Notice.type == notice_type)
    if read is ReadState.READ:
        statement = statement.where(Notice.acknowledged_at.is_not(None))
    elif read is ReadState.UNREAD:
        statement = statement.where(Notice.acknowledged_at.is_(None))
    if year is not None:
        statement = statement.where(Notice.year == year)
    return statement


def unread_count(user: Any) -> int:
    """How many of a distributor user's notices await acknowledgement: one COUNT. Head office has
    no inbox, and a user without a distributor has nothing to read: no query at all."""
    if not getattr(user, "is_authenticated", False) or user.is_head_office or not user.distributor_id:
        return 0
    statement = scoped(select(func.count()).select_from(Notice), Notice, user).where(Notice.acknowledged_at.is_(None))
    return int(db.session.scalar(statement) or 0)


def notice_years() -> list[int]:
    """The years that have notices, newest first (head office's year filter): read off the small
    counter table rather than scanning the notices."""
    return list(
        db.session.scalars(select(NoticeCounter.year).where(NoticeCounter.last > 0).order_by(NoticeCounter.year.desc()))
    )
