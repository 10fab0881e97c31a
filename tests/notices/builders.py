"""Notices for tests, issued through the same service as the portal (numbered, rendered, audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.distributors.models import Distributor
from portal.domain.notices import NoticeType
from portal.extensions import db
from portal.notices.models import Notice
from portal.notices.services import issue_notice

from ..builders import foreign_record


def make_notice(
    distributor: Distributor,
    *,
    issued_on: date = date(2027, 3, 5),
    notice_type: NoticeType = NoticeType.WARNING,
    message_zh: str = "贵公司三月份月报逾期未交，请于本月内补交。",
    message_en: str = "Your March report is overdue; please send it this month.",
    **kwargs: Any,
) -> Notice:
    """A committed warning (by default) to ``distributor``; other types take their own context."""
    if notice_type is NoticeType.WARNING:
        kwargs.setdefault("message_zh", message_zh)
        kwargs.setdefault("message_en", message_en)
    notice = issue_notice(distributor, notice_type, issued_on, **kwargs)
    db.session.commit()
    return notice


@foreign_record(Notice)
def foreign_notice(other: Distributor) -> Notice:
    return make_notice(other)
