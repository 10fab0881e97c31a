"""Signing in, throttling, and ending sessions (foundation issue; docs/rules.md §12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.accounts.models import User
from portal.clock import utcnow
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import PASSWORD, make_user


def sign_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


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

    def plain(page: str, name: str) -> str:
        page = re.sub(r'nonce="[^"]+"', "", page)
        page = re.sub(r'name="csrf_token"[^>]*>', "", page)
        return page.replace(name, "X")

    assert plain(unknown, "nobody-here") == plain(wrong, "known-user")


def test_five_failures_lock_the_account_for_15_minutes_even_with_the_right_password(client):
    user = make_user()
    for _ in range(5):
        assert sign_in(client, user.username, "wrong-password").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None  # the count survived failed requests
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 422
    assert "locked for 15 minutes" in response.get_data(as_text=True)


def test_the_lock_ends_after_15_minutes(client):
    user = make_user()
    for _ in range(5):
        sign_in(client, user.username, "wrong-password")
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_four_failures_then_a_success_reset_the_count(client):
    user = make_user()
    for _ in range(4):
        sign_in(client, user.username, "wrong-password")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0


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
