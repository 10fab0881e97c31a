"""Signing in, throttling, and ending sessions (foundation issue; docs/rules.md §12)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal import create_app
from portal.accounts.models import LoginThrottle, User
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import PASSWORD, app_config, make_user


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


class Clock:
    """The portal's clock (portal.clock.utcnow), standing still until a test moves it."""

    def __init__(self, monkeypatch):
        self.now = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
        monkeypatch.setattr("portal.clock.utcnow", lambda: self.now)

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def plain(page: str, name: str) -> str:
    """The page without what differs from one request to the next, and without the name typed."""
    page = re.sub(r'nonce="[^"]+"', "", page)
    page = re.sub(r'name="csrf_token"[^>]*>', "", page)
    return page.replace(name, "X")


def wait_of(response) -> int:
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


def test_a_user_signs_in_and_lands_on_the_home_page(client):
    user = make_user(role=Role.SALES, full_name="刘洋")
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "刘洋" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_shows_the_form_again_with_the_name_typed(client):
    user = make_user()
    response = sign_in(client, user.username, "wrong-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong user name or password" in body or "用户名或密码错误" in body
    assert f'value="{user.username}"' in body


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    make_user(username="known-user")
    unknown = sign_in(client, "nobody-here", "whatever-password").get_data(as_text=True)
    wrong = sign_in(client, "known-user", "whatever-password").get_data(as_text=True)
    assert plain(unknown, "nobody-here") == plain(wrong, "known-user")


def test_failures_under_a_real_name_and_an_unknown_one_are_answered_alike_all_the_way(client, clock):
    make_user(username="known-user")
    statuses = []
    for _attempt in range(6):
        unknown = sign_in(client, "nobody-here", "whatever-password", address="198.51.100.1")
        known = sign_in(client, "known-user", "whatever-password", address="198.51.100.2")
        assert unknown.status_code == known.status_code
        assert unknown.headers.get("Retry-After") == known.headers.get("Retry-After")
        assert plain(unknown.get_data(as_text=True), "nobody-here") == plain(known.get_data(as_text=True), "known-user")
        statuses.append(known.status_code)
    assert statuses == [422, 422, 422, 422, 429, 429]  # no "this account is locked" for real names only


def test_while_throttled_even_the_right_password_waits_and_the_page_says_how_long(client, clock):
    user = make_user()
    for _attempt in range(4):
        assert sign_in(client, user.username, "wrong-password").status_code == 422
    response = sign_in(client, user.username, PASSWORD)
    assert wait_of(response) == 1
    body = response.get_data(as_text=True)
    assert "Too many attempts. Wait 1 s, then try again." in body
    assert f'value="{user.username}"' in body
    clock.advance(1)
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_each_failure_makes_the_next_wait_longer(client, clock):
    user = make_user()
    waits = []
    for _attempt in range(10):
        response = sign_in(client, user.username, "wrong-password")
        if response.status_code == 429:
            waits.append(wait_of(response))
            clock.advance(waits[-1])
            response = sign_in(client, user.username, "wrong-password")
        assert response.status_code == 422
    assert waits == [1, 2, 4, 8, 16, 32]
    assert wait_of(sign_in(client, user.username, PASSWORD)) == 64


def test_a_throttled_attempt_counts_nothing(client, clock):
    user = make_user()
    for _attempt in range(4):
        sign_in(client, user.username, "wrong-password")
    for _attempt in range(10):  # hammering while told to wait does not make the wait longer
        assert wait_of(sign_in(client, user.username, "wrong-password")) == 1
    clock.advance(1)
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def _stranger_fails_from_everywhere(username, clock, attempts=20):
    """A stranger guessing from a new address each time, waiting whenever told to."""
    stranger = current_app.test_client()
    for attempt in range(attempts):
        response = sign_in(stranger, username, f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")
        if response.status_code == 429:
            clock.advance(wait_of(response))
            response = sign_in(stranger, username, f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")
        assert response.status_code == 422


def test_a_stranger_elsewhere_makes_the_user_wait_a_minute_at_most(app, clock):
    user = make_user()
    _stranger_fails_from_everywhere(user.username, clock)
    browser = app.test_client()  # never signed in here before
    response = sign_in(browser, user.username, PASSWORD, address="192.0.2.50")
    assert 0 < wait_of(response) <= 60
    clock.advance(wait_of(response))
    assert sign_in(browser, user.username, PASSWORD, address="192.0.2.50").status_code == 302


def test_a_browser_that_signed_in_before_is_not_held_by_a_strangers_failures(app, clock):
    user = make_user()
    browser = app.test_client()
    assert sign_in(browser, user.username, PASSWORD, address="192.0.2.50").status_code == 302
    browser.post("/logout")
    _stranger_fails_from_everywhere(user.username, clock)
    assert sign_in(app.test_client(), user.username, PASSWORD, address="192.0.2.50").status_code == 429
    assert sign_in(browser, user.username, PASSWORD, address="192.0.2.50").status_code == 302


def test_a_forged_or_foreign_signed_in_here_note_waives_nothing(app, clock):
    user = make_user()
    other = make_user()
    browser = app.test_client()
    assert sign_in(browser, other.username, PASSWORD).status_code == 302  # a note for another name
    browser.post("/logout")
    _stranger_fails_from_everywhere(user.username, clock)
    assert sign_in(browser, user.username, PASSWORD).status_code == 429
    forged = app.test_client()
    forged.set_cookie("portal_signed_in_here", "forged-value", path="/login")
    assert sign_in(forged, user.username, PASSWORD).status_code == 429


def test_one_address_trying_many_names_is_slowed_down(client, clock):
    for attempt in range(21):
        assert sign_in(client, f"name-{attempt}", "whatever-password", address="198.51.100.9").status_code == 422
    assert wait_of(sign_in(client, "name-new", "whatever-password", address="198.51.100.9")) == 1
    assert sign_in(client, "name-new", "whatever-password", address="198.51.100.10").status_code == 422


def test_a_success_clears_the_count_under_the_name(client, clock):
    user = make_user()
    for _attempt in range(3):
        sign_in(client, user.username, "wrong-password")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    browser = current_app.test_client()
    for _attempt in range(4):  # three were forgotten: four more are answered, not held
        assert sign_in(browser, user.username, "wrong-password").status_code == 422
    assert wait_of(sign_in(browser, user.username, "wrong-password")) == 1


def test_a_name_is_counted_whatever_its_case_and_spaces(client, clock):
    user = make_user(username="wang.lei")
    for typed in ("wang.lei", "Wang.Lei", " WANG.LEI ", "wang.lei"):
        assert sign_in(client, typed, "wrong-password").status_code == 422
    assert wait_of(sign_in(client, user.username, PASSWORD)) == 1


def test_an_administrators_password_reset_ends_the_waits(app, login, clock):
    user = make_user()
    for _attempt in range(8):
        sign_in(app.test_client(), user.username, "wrong-password", address="192.0.2.50")
    assert sign_in(app.test_client(), user.username, PASSWORD, address="192.0.2.50").status_code == 429
    admin = login(make_user(role=Role.ADMIN))
    assert admin.post(f"/admin/users/{user.id}/password", data={"password": "a-new-long-password"}).status_code == 302
    response = sign_in(app.test_client(), user.username, "a-new-long-password", address="192.0.2.50")
    assert response.status_code == 302


def test_every_worker_sees_the_same_counts(app, clock, database_url):
    """The counts are in the database: a second app on the same database (another gunicorn
    worker) refuses as the first does."""
    user = make_user()
    for _attempt in range(4):
        sign_in(app.test_client(), user.username, "wrong-password")
    other_worker = create_app(app_config(SQLALCHEMY_DATABASE_URI=database_url))
    other_worker.test_client_class = type(app.test_client())
    other_worker.config["WTF_CSRF_ENABLED"] = False
    try:
        assert wait_of(sign_in(other_worker.test_client(), user.username, PASSWORD)) == 1
    finally:
        with other_worker.app_context():
            db.engine.dispose()


def test_the_counts_hold_neither_the_names_typed_nor_the_addresses(app, clock):
    sign_in(app.test_client(), "my-secret-password", "whatever-password", address="198.51.100.77")
    rows = db.session.execute(select(LoginThrottle)).scalars().all()
    assert len(rows) == 3
    stored = " ".join(f"{row.key} {row.name_key}" for row in rows)
    assert "my-secret-password" not in stored
    assert "198.51.100.77" not in stored


def test_a_day_old_count_is_deleted_with_the_next_failure(app, clock):
    sign_in(app.test_client(), "first-name", "whatever-password", address="198.51.100.1")
    clock.advance(24 * 3600)
    sign_in(app.test_client(), "second-name", "whatever-password", address="198.51.100.2")
    db.session.expire_all()
    assert len(db.session.execute(select(LoginThrottle)).scalars().all()) == 3


def test_a_deactivated_user_cannot_sign_in(client):
    user = make_user(active=False)
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_next_address_never_leaves_the_portal(client, target):
    user = make_user()
    response = client.post(f"/login?next={target}", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def _copied_cookie_client(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/profile").status_code == 200
    return copy


def test_signing_out_ends_the_session_everywhere(app, login):
    user = make_user()
    client = login(user)
    copy = _copied_cookie_client(app, client)
    client.post("/logout")
    assert client.get("/profile").status_code == 302
    assert copy.get("/profile").status_code == 302  # the copied cookie stopped working


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(app, login):
    user = make_user()
    client = login(user)
    copy = _copied_cookie_client(app, client)
    response = client.post(
        "/profile/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a-brand-new-secret",
            "pw-confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert copy.get("/profile").status_code == 302


def test_deactivating_a_user_ends_their_sessions(app, login):
    user = make_user()
    client = login(user)
    admin = login(make_user(role=Role.ADMIN))
    admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert client.get("/profile").status_code == 302
    assert sign_in(app.test_client(), user.username, PASSWORD).status_code == 422


def test_a_wrong_current_password_changes_nothing(login):
    user = make_user()
    client = login(user)
    response = client.post(
        "/profile/password",
        data={
            "pw-current_password": "not-it-at-all",
            "pw-new_password": "a-brand-new-secret",
            "pw-confirm": "a-brand-new-secret",
        },
    )
    assert response.status_code == 422
    assert "current password is wrong" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_a_short_new_password_is_refused_with_the_rule(login):
    user = make_user()
    client = login(user)
    response = client.post(
        "/profile/password", data={"pw-current_password": PASSWORD, "pw-new_password": "short", "pw-confirm": "short"}
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_passwords_are_stored_with_argon2(app):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_guesses_sent_all_at_once_take_turns(app, clock):
    """Eight wrong passwords at the same moment, each its own request and database connection: they
    are counted one after the other, so the waits hold as if they had come in a row."""
    username = make_user().username
    db.session.commit()  # the test's own transaction must not hold the database while threads write
    together = threading.Barrier(8, timeout=60)
    statuses: list[int] = []

    def guess() -> None:
        browser = app.test_client()
        together.wait()
        statuses.append(sign_in(browser, username, "wrong-password", address="198.51.100.3").status_code)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [422, 422, 422, 422, 429, 429, 429, 429]  # three free, the fourth, then wait


def test_new_ipv6_addresses_in_one_network_do_not_start_afresh(client, clock):
    for attempt in range(21):
        assert (
            sign_in(client, f"name-{attempt}", "whatever-password", address=f"2001:db8:5:6::{attempt + 1}").status_code
            == 422
        )
    assert wait_of(sign_in(client, "name-new", "whatever-password", address="2001:db8:5:6:ffff::1")) == 1
