"""/api/v1/notices: written notices (docs/rules.md §11).

A distributor reads its own notices and acknowledges them; head office reads every notice (with
filters) and sees who acknowledged what; sales and administrators may issue a written warning.
Title and body come in the caller's language (``Accept-Language``: Chinese unless English is
preferred), as the pages show them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import url_for
from flask_babel import get_locale
from flask_login import current_user
from pydantic import Field, model_validator

from ..clock import today
from ..domain.notices import MESSAGE_MAX_LENGTH, NoticeType, ReadState
from ..domain.permissions import may_acknowledge_notices, may_issue_notices, may_read
from ..notices import services
from ..notices.models import Notice
from ..notices.queries import notices_matching
from ..security import allowed, loads
from .blueprint import bp
from .core import BodyModel, Id, OutModel, QueryModel, Timestamp, api_doc, one, page_of, parse_body, parse_query, text

Message = text(MESSAGE_MAX_LENGTH, min_length=1)


def _language() -> Literal["zh", "en"]:
    return "en" if str(get_locale()).startswith("en") else "zh"


class NoticeOut(OutModel):
    id: int
    number: str = Field(description="TZ-<year>-<sequence>, numbered per year of issue.")
    type: NoticeType
    distributor_id: int
    agreement_id: int | None
    price_list_id: int | None
    issued_on: date
    effective_on: date | None
    language: Literal["zh", "en"] = Field(description="The language of title and body (Accept-Language).")
    title: str
    body: str
    acknowledged_at: Timestamp | None = Field(
        description="When the distributor acknowledged reading it; null while unread."
    )
    acknowledged_by: str | None = Field(description="The user name of whoever acknowledged it.")

    @model_validator(mode="before")
    @classmethod
    def _from_notice(cls, value: Any) -> Any:
        if not isinstance(value, Notice):
            return value
        language = _language()
        return {
            **{
                name: getattr(value, name)
                for name in (
                    "id",
                    "number",
                    "type",
                    "distributor_id",
                    "agreement_id",
                    "price_list_id",
                    "issued_on",
                    "effective_on",
                    "acknowledged_at",
                )
            },
            "language": language,
            "title": value.title(language),
            "body": value.body(language),
            "acknowledged_by": value.acknowledged_by.username if value.acknowledged_by else None,
        }


class NoticeQuery(QueryModel):
    distributor_id: Id | None = None
    type: NoticeType | None = None
    read: ReadState | None = Field(default=None, description="read: acknowledged; unread: not yet.")
    year: int | None = Field(default=None, ge=2000, le=9999, description="The year of issue.")


class WarningIn(BodyModel):
    distributor_id: Id
    message_zh: Message = Field(description="The message in Chinese.")
    message_en: Message = Field(description="The message in English.")
    agreement_id: Id | None = Field(default=None, description="One of this distributor's agreements.")
    effective_on: date | None = Field(default=None, description="Today or later; absent: at once.")


@bp.get("/notices")
@allowed(may_read)
@api_doc(query=NoticeQuery, response=NoticeOut, list_of=True)
def list_notices() -> Any:
    """List written notices.

    Newest first. A distributor user sees only its own company's notices.
    """
    query = parse_query(NoticeQuery)
    return page_of(
        NoticeOut,
        notices_matching(distributor_id=query.distributor_id, notice_type=query.type, read=query.read, year=query.year),
    )


@bp.post("/notices")
@allowed(may_issue_notices)
@api_doc(body=WarningIn, response=NoticeOut, status=201)
def issue_warning() -> Any:
    """Issue a written warning.

    Numbered and dated today; e-mailed when the portal has an SMTP server. An unknown distributor,
    another distributor's agreement or an effective date before today answers 422.
    """
    data = parse_body(WarningIn)
    notice = services.issue_warning(services.WarningData(**data.model_dump()), on=today(), issued_by=current_user)
    return one(NoticeOut, notice, 201, Location=url_for("api.get_notice", notice_id=notice.id))


@bp.get("/notices/<int:notice_id>")
@allowed(may_read)
@loads(Notice, "notice_id")
@api_doc(response=NoticeOut)
def get_notice(notice: Notice) -> Any:
    """Show one written notice.

    Another distributor's notice answers 404, like a missing one.
    """
    return one(NoticeOut, notice)


@bp.post("/notices/<int:notice_id>/acknowledge")
@allowed(may_acknowledge_notices)
@loads(Notice, "notice_id")
@api_doc(response=NoticeOut)
def acknowledge_notice(notice: Notice) -> Any:
    """Acknowledge reading a notice.

    Distributor users only. The first acknowledgement is kept: repeating it changes nothing and
    answers the notice as it is.
    """
    services.acknowledge_notice(notice, current_user)
    return one(NoticeOut, notice)
