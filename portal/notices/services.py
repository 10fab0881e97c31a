"""Issuing written notices (DOMAIN.md §11). Other areas call :func:`issue_notice` (price lists on
publishing, territory revocations, terminations, repair fees, payment reminders).

The caller owns the transaction: ``issue_notice`` adds and flushes, it does not commit, so a
notice is saved together with the change it announces, or not at all.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from ..clock import utcnow
from ..distributors.models import Distributor
from ..domain.notices import NoticeType, notice_number
from ..extensions import db
from .models import Notice, NoticeCounter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeText:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


def render_notice(notice_type: NoticeType, **context: Any) -> NoticeText:
    """Both languages' title and body from templates/notices/bodies/<type>.<lang>.txt.

    The first line of a body template is the title; the rest is the body.
    """
    texts = {}
    for language in ("zh", "en"):
        rendered = render_template(f"notices/bodies/{notice_type.value}.{language}.txt", **context).strip()
        title, _, body = rendered.partition("\n")
        texts[language] = (title.strip(), body.strip())
    return NoticeText(texts["zh"][0], texts["en"][0], texts["zh"][1], texts["en"][1])


def next_number(year: int) -> tuple[int, str]:
    """Take the next sequence number of ``year`` under a row lock, so none is ever used twice."""
    counter = db.session.scalar(select(NoticeCounter).where(NoticeCounter.year == year).with_for_update())
    if counter is None:
        counter = NoticeCounter(year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return counter.last, notice_number(year, counter.last)


def issue_notice(distributor: Distributor, notice_type: NoticeType, issued_on: date, *,
                 effective_on: date | None = None, agreement_id: int | None = None,
                 price_list_id: int | None = None, issued_by_id: int | None = None,
                 **context: Any) -> Notice:
    """Number, render and add a notice; e-mail it when SMTP is configured (never required)."""
    sequence, number = next_number(issued_on.year)
    text = render_notice(notice_type, distributor=distributor, number=number, issued_on=issued_on,
                         effective_on=effective_on, **context)
    notice = Notice(
        number=number, year=issued_on.year, sequence=sequence, type=notice_type,
        distributor_id=distributor.id, issued_on=issued_on, effective_on=effective_on,
        title_zh=text.title_zh, title_en=text.title_en, body_zh=text.body_zh, body_en=text.body_en,
        agreement_id=agreement_id, price_list_id=price_list_id, issued_by_id=issued_by_id,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def send_pending_email(notices: list[Notice]) -> int:
    """E-mail notices not yet e-mailed, after their transaction committed. Without an SMTP server
    configured nothing is sent and the notices wait in the portal; a failure is logged, not raised."""
    host = current_app.config.get("SMTP_HOST")
    if not host:
        return 0
    sent = 0
    for notice in notices:
        address = notice.distributor.contact_email
        if notice.emailed_at is not None or not address:
            continue
        message = EmailMessage()
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = address
        message["Subject"] = f"{notice.number} {notice.title_zh} / {notice.title_en}"
        message.set_content(f"{notice.body_zh}\n\n----\n\n{notice.body_en}")
        try:
            with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=10) as smtp:
                if current_app.config.get("SMTP_USER"):
                    smtp.starttls()
                    smtp.login(current_app.config["SMTP_USER"], current_app.config["SMTP_PASSWORD"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException):
            log.exception("could not e-mail notice %s; it stays readable in the portal", notice.number)
            continue
        notice.emailed_at = utcnow()
        sent += 1
    db.session.commit()
    return sent
