"""Issuing, acknowledging and e-mailing written notices (docs/rules.md §11).

Every area issues its notices through :func:`issue_notice`: price lists on publishing, territory
revocations, terminations, and later repair fees and payment reminders. The caller owns the
transaction: ``issue_notice`` adds and flushes, it does not commit, so a notice is saved together
with the change it announces, or not at all. Once that transaction commits, the notices go to
:func:`send_pending_email`, which never raises (portal.transactions.after_commit)::

    notices = [issue_notice(d, NoticeType.PRICE_LIST, today, effective_on=pl.effective_from,
                            price_list=pl, level=level_of[d.id]) for d in recipients]
    after_commit(lambda: send_pending_email(notices))

The body of each type comes from ``templates/notices/bodies/<type>.zh.txt`` and ``.en.txt``; the
first line is the title. Every template gets ``distributor``, ``number``, ``issued_on``,
``effective_on`` and two helpers in its own language, ``long_date(day)`` (2027年3月5日 / 5 March
2027) and ``yuan(amount)`` (¥1,234.50). What else each type needs (:data:`CONTEXT`; a missing or
unknown name is a programming error and raises ``TypeError``):

=================  ============  ==========================================================
type               effective_on  context
=================  ============  ==========================================================
price_list         required      ``price_list`` (its ``version``); ``level`` (a Level: whose
                                 agent prices apply; default the distributor's level)
warning            optional      ``message_zh``, ``message_en``; ``agreement`` (optional)
revocation         required      ``agreement`` (its ``number``), ``regions`` (each with
                                 ``code`` and ``name``); ``reason`` (optional, one text)
termination        required      ``agreement``; ``reason`` (optional)
repair_fees        optional      ``reference`` (the batch's number), ``amount`` (the amount
                                 due, Decimal), ``due_on`` (date); optional: ``lines`` (each
                                 a dict of ``serial``, ``cause``, ``outcome``, ``fee``,
                                 ``freight``), ``fees_total``, ``freight`` (Decimal),
                                 ``message_zh``, ``message_en``
payment_reminder   optional      ``reference`` (the order's number), ``amount`` (outstanding,
                                 Decimal), ``due_on`` (date); for an overdue deposit also
                                 ``deposit`` and ``paid`` (Decimal); for a repair batch's
                                 overdue fees ``repair`` (True; ``reference`` is the batch's
                                 number); ``message_zh``, ``message_en`` (optional)
=================  ============  ==========================================================

``agreement=`` and ``price_list=`` also fill the notice's ``agreement_id`` and ``price_list_id``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from ..accounts.models import User
from ..clock import utcnow
from ..db import upsert_insert
from ..distributors.models import Distributor
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.notices import NoticeType, check_warning, long_date, notice_number, yuan
from ..domain.permissions import may_acknowledge_notices
from ..domain.roles import Role
from ..extensions import db
from ..transactions import after_commit, transactional
from .models import Notice, NoticeCounter

log = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200  # Notice.title_zh / title_en

# Per type: (required context, optional context), as the table above describes.
CONTEXT: dict[NoticeType, tuple[frozenset[str], frozenset[str]]] = {
    NoticeType.PRICE_LIST: (frozenset({"price_list"}), frozenset({"level"})),
    NoticeType.WARNING: (frozenset({"message_zh", "message_en"}), frozenset({"agreement"})),
    NoticeType.REVOCATION: (frozenset({"agreement", "regions"}), frozenset({"reason"})),
    NoticeType.TERMINATION: (frozenset({"agreement"}), frozenset({"reason"})),
    NoticeType.REPAIR_FEES: (
        frozenset({"reference", "amount", "due_on"}),
        frozenset({"lines", "fees_total", "freight", "message_zh", "message_en"}),
    ),
    NoticeType.PAYMENT_REMINDER: (
        frozenset({"reference", "amount", "due_on"}),
        frozenset({"deposit", "paid", "repair", "message_zh", "message_en"}),
    ),
}


@dataclass(frozen=True)
class NoticeText:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


def check_context(notice_type: NoticeType, effective_on: date | None, context: dict[str, Any]) -> None:
    """Refuse a call that would render an incomplete notice (a caller's mistake, not a user's)."""
    required, optional = CONTEXT[notice_type]
    missing = sorted(name for name in required if context.get(name) is None)
    unknown = sorted(set(context) - required - optional)
    if missing or unknown:
        raise TypeError(
            f"a {notice_type.value} notice needs {sorted(required)} and may take {sorted(optional)}; "
            f"missing {missing}, unknown {unknown}"
        )
    if notice_type.needs_effective_date and effective_on is None:
        raise TypeError(f"a {notice_type.value} notice needs effective_on")


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX_LENGTH else text[: TITLE_MAX_LENGTH - 1] + "…"


def render_notice(notice_type: NoticeType, **context: Any) -> NoticeText:
    """Both languages' title and body from templates/notices/bodies/<type>.<lang>.txt.

    The first line of a body template is the title; the rest is the body.
    """
    texts = {}
    for language in ("zh", "en"):
        with force_locale(language):  # labels given to the template (a fault cause …) in its language
            rendered = render_template(
                f"notices/bodies/{notice_type.value}.{language}.txt",
                long_date=partial(long_date, language=language),
                yuan=yuan,
                **context,
            ).strip()
        title, _, body = rendered.partition("\n")
        texts[language] = (_one_line(title), body.strip())
    return NoticeText(texts["zh"][0], texts["en"][0], texts["zh"][1], texts["en"][1])


def _create_counter(year: int) -> None:
    """Add ``year``'s counter row unless it exists. Two transactions may both find no row for a new
    year: the second INSERT … ON CONFLICT DO NOTHING waits for the first transaction (PostgreSQL),
    then does nothing, and its UPDATE sees the committed row."""
    db.session.execute(
        upsert_insert(db.session)(NoticeCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )


def next_number(year: int) -> tuple[int, str]:
    """Take the next sequence number of ``year``; none is ever used twice.

    One UPDATE … RETURNING increments the counter and keeps its row locked until the issuing
    transaction ends, so a concurrent issuer waits and then reads the new value (PostgreSQL, READ
    COMMITTED); on SQLite every writing transaction holds the database lock from BEGIN IMMEDIATE.
    If the transaction rolls back, so does the number: numbers stay consecutive.
    """
    for _attempt in range(2):
        last = db.session.scalar(
            update(NoticeCounter)
            .where(NoticeCounter.year == year)
            .values(last=NoticeCounter.last + 1)
            .returning(NoticeCounter.last)
        )
        if last is not None:
            return last, notice_number(year, last)
        _create_counter(year)
    raise RuntimeError(f"the notice counter of {year} could not be created")


def issue_notice(
    distributor: Distributor,
    notice_type: NoticeType,
    issued_on: date,
    *,
    effective_on: date | None = None,
    agreement_id: int | None = None,
    price_list_id: int | None = None,
    issued_by_id: int | None = None,
    **context: Any,
) -> Notice:
    """Number, render and add a notice (flushed, not committed). See the module's table for the
    ``context`` of each type; e-mail it with :func:`send_pending_email` after the commit."""
    check_context(notice_type, effective_on, context)
    if agreement_id is None and context.get("agreement") is not None:
        agreement_id = context["agreement"].id
    if price_list_id is None and context.get("price_list") is not None:
        price_list_id = context["price_list"].id
    if notice_type is NoticeType.PRICE_LIST and context.get("level") is None:
        context["level"] = distributor.level
    sequence, number = next_number(issued_on.year)
    text = render_notice(
        notice_type, distributor=distributor, number=number, issued_on=issued_on, effective_on=effective_on, **context
    )
    notice = Notice(
        number=number,
        year=issued_on.year,
        sequence=sequence,
        type=notice_type,
        distributor_id=distributor.id,
        issued_on=issued_on,
        effective_on=effective_on,
        title_zh=text.title_zh,
        title_en=text.title_en,
        body_zh=text.body_zh,
        body_en=text.body_en,
        agreement_id=agreement_id,
        price_list_id=price_list_id,
        issued_by_id=issued_by_id,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


@dataclass(frozen=True)
class WarningData:
    distributor_id: int
    message_zh: str
    message_en: str
    agreement_id: int | None = None
    effective_on: date | None = None


@transactional
def issue_warning(data: WarningData, *, on: date, issued_by: User | None = None) -> Notice:
    """Head office warns a distributor in writing (§11), dated ``on``; committed, then e-mailed.

    An unknown distributor or an agreement of another distributor is refused on its field.
    """
    message_zh, message_en = check_warning(data.message_zh, data.message_en, on, data.effective_on)
    distributor = db.session.get(Distributor, data.distributor_id)
    if distributor is None:
        raise InvalidValue(N_("There is no distributor with this id."), field="distributor_id")
    agreement = None
    if data.agreement_id is not None:
        agreement = next((a for a in distributor.agreements if a.id == data.agreement_id), None)
        if agreement is None:
            raise InvalidValue(N_("Choose one of this distributor's agreements."), field="agreement_id")
    notice = issue_notice(
        distributor,
        NoticeType.WARNING,
        on,
        effective_on=data.effective_on,
        issued_by_id=issued_by.id if issued_by else None,
        agreement=agreement,
        message_zh=message_zh,
        message_en=message_en,
    )
    after_commit(lambda: send_pending_email([notice]))
    return notice


@transactional
def acknowledge_notice(notice: Notice, user: User) -> bool:
    """The distributor's user confirms reading the notice. Only the first acknowledgement counts:
    a second one (or a concurrent one) changes nothing and answers False."""
    if not user.may(may_acknowledge_notices) or user.distributor_id != notice.distributor_id:
        raise DomainError(N_("Only the distributor a notice is addressed to can acknowledge it."))
    db.session.refresh(notice, with_for_update=True)  # a concurrent acknowledgement waits here
    if notice.acknowledged_at is not None:
        return False
    notice.acknowledged_at = utcnow()
    notice.acknowledged_by_id = user.id
    return True


# --- E-mail -------------------------------------------------------------------------------------


def _addresses(distributor_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each distributor's contact e-mail and its active users' e-mails, without repeats."""
    ids = set(distributor_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    rows = [
        *db.session.execute(select(Distributor.id, Distributor.contact_email).where(Distributor.id.in_(ids))),
        *db.session.execute(
            select(User.distributor_id, User.email).where(
                User.distributor_id.in_(ids), User.active.is_(True), User.role == Role.DISTRIBUTOR
            )
        ),
    ]
    for distributor_id, address in rows:
        address = (address or "").strip()
        if address and address.lower() not in (a.lower() for a in found[distributor_id]):
            found[distributor_id].append(address)
    return found


def _email(notice: Notice, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"{notice.number} {notice.title_zh} / {notice.title_en}"
    message.set_content(
        f"{notice.number}  {long_date(notice.issued_on, 'zh')}\n{notice.title_zh}\n\n{notice.body_zh}\n\n"
        f"----\n\n{notice.number}  {long_date(notice.issued_on, 'en')}\n{notice.title_en}\n\n{notice.body_en}\n"
    )
    return message


@transactional
def send_pending_email(notices: list[Notice]) -> int:
    """E-mail the notices not yet e-mailed, after their transaction committed; returns how many.

    Without ``SMTP_HOST`` nothing is attempted and the notices wait in the portal. Any failure
    (server down, refused login, a bounced address) is logged, never raised: the notice is already
    saved and readable, and ``emailed_at`` stays empty for it.
    """
    host = current_app.config.get("SMTP_HOST")
    if not host:  # decided before touching the notices, which may need reloading after the commit
        return 0
    pending = [notice for notice in notices if notice.emailed_at is None]
    if not pending:
        return 0
    try:
        recipients = _addresses(notice.distributor_id for notice in pending)
        outgoing = [
            (notice, _email(notice, recipients[notice.distributor_id]))
            for notice in pending
            if recipients[notice.distributor_id]
        ]
        if not outgoing:
            return 0
        sent = 0
        with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=10) as smtp:
            if current_app.config.get("SMTP_USER"):
                smtp.starttls()
                smtp.login(current_app.config["SMTP_USER"], current_app.config["SMTP_PASSWORD"])
            for notice, message in outgoing:
                try:
                    smtp.send_message(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused):
                    log.exception("could not e-mail notice %s; it stays readable in the portal", notice.number)
                    continue
                notice.emailed_at = utcnow()
                sent += 1
    except Exception:  # noqa: BLE001 - whatever the mail server does, the request goes on
        log.exception(
            "could not e-mail notices %s; they stay readable in the portal",
            ", ".join(notice.number for notice in pending),
        )
        sent = sum(1 for notice in pending if notice.emailed_at is not None)
    return sent
