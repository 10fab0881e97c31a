"""E-mail is sent when an SMTP server is configured; the portal never depends on it (docs/rules.md §11)."""

from __future__ import annotations

import logging
import smtplib
import socket
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.notices.services import send_pending_email

from ..builders import make_distributor, make_user
from .builders import make_notice

WARNING = {
    "agreement_id": "",
    "message_zh": "请于十日内补交月报。",
    "message_en": "Please send the report.",
    "effective_on": "",
}


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have been sent."""

    sent: list[EmailMessage] = []
    opened: list[tuple[str, int]] = []
    fail_on_send: BaseException | None = None

    def __init__(self, host: str, port: int, timeout: float = 0) -> None:
        FakeSMTP.opened.append((host, port))

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def send_message(self, message: EmailMessage) -> None:
        if FakeSMTP.fail_on_send is not None:
            raise FakeSMTP.fail_on_send
        FakeSMTP.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.sent, FakeSMTP.opened, FakeSMTP.fail_on_send = [], [], None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


@pytest.fixture
def recipient():
    distributor = make_distributor(name="杭州云帆科技有限公司", contact_email="chen@yunfan.example.cn")
    make_user(role=Role.DISTRIBUTOR, distributor=distributor, email="li@yunfan.example.cn")
    make_user(role=Role.DISTRIBUTOR, distributor=distributor, email="CHEN@yunfan.example.cn")  # same person
    return distributor


def issue(login, distributor) -> Any:
    client = login(make_user(role=Role.SALES))
    return client.post("/notices/new", data={"distributor_id": str(distributor.id), **WARNING})


def saved_notice() -> Notice:
    db.session.expire_all()
    return db.session.scalar(select(Notice))


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_with_smtp_configured_the_notice_is_emailed_to_the_distributor(app, login, monkeypatch, fake_smtp, recipient):
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.cn")
    monkeypatch.setitem(app.config, "SMTP_PORT", 2525)

    assert issue(login, recipient).status_code == 302

    notice = saved_notice()
    assert fake_smtp.opened == [("mail.example.cn", 2525)]
    [message] = fake_smtp.sent
    assert message["To"] == "chen@yunfan.example.cn, li@yunfan.example.cn"
    assert message["Subject"].startswith(notice.number)
    text = message.get_content()
    assert "请于十日内补交月报。" in text
    assert "Please send the report." in text
    assert notice.emailed_at is not None

    # Sending again never repeats an e-mail already sent.
    assert send_pending_email([notice]) == 0
    assert len(fake_smtp.sent) == 1


def test_when_the_mail_server_is_down_the_request_succeeds_and_the_notice_waits_in_the_portal(
    app, login, monkeypatch, recipient, caplog
):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", unused_port())  # nothing listens: connection refused

    with caplog.at_level(logging.ERROR, logger="portal.notices.services"):
        response = issue(login, recipient)

    assert response.status_code == 302
    notice = saved_notice()
    assert notice.emailed_at is None
    assert "could not e-mail" in caplog.text
    assert notice.number in caplog.text
    inbox = login(make_user(role=Role.DISTRIBUTOR, distributor=recipient)).get("/notices/").get_data(as_text=True)
    assert notice.number in inbox


def test_a_mail_server_failing_mid_conversation_is_logged_not_raised(
    app, login, monkeypatch, fake_smtp, recipient, caplog
):
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.cn")
    fake_smtp.fail_on_send = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with caplog.at_level(logging.ERROR, logger="portal.notices.services"):
        assert issue(login, recipient).status_code == 302
    assert saved_notice().emailed_at is None
    assert "could not e-mail" in caplog.text


def test_without_smtp_nothing_is_attempted_and_the_notice_is_in_the_inbox(
    app, login, monkeypatch, fake_smtp, recipient
):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")

    assert issue(login, recipient).status_code == 302

    assert fake_smtp.opened == []
    notice = saved_notice()
    assert notice.emailed_at is None
    reader = make_user(role=Role.DISTRIBUTOR, distributor=recipient)
    assert notice.number in login(reader).get("/notices/").get_data(as_text=True)


def test_a_distributor_without_any_email_address_is_not_mailed(app, login, monkeypatch, fake_smtp):
    monkeypatch.setitem(app.config, "SMTP_HOST", "mail.example.cn")
    assert issue(login, make_distributor(contact_email="")).status_code == 302
    assert fake_smtp.opened == []
    assert saved_notice().emailed_at is None


def test_without_smtp_sending_costs_no_query(app, count_statements):
    notices = [make_notice(make_distributor()) for _ in range(3)]  # committed: their attributes are expired
    with count_statements() as statements:
        assert send_pending_email(notices) == 0
    assert statements == []
