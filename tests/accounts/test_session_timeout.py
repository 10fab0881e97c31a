"""Browser sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
signing in (portal/web.py; docs/rules.md §12). The API's bearer tokens are unaffected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.domain.roles import Role
from portal.web import LAST_SEEN_AT, SIGNED_IN_AT

from ..builders import PASSWORD, app_config, make_token, make_user

START = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
PAGE = "/profile"
EXPIRED = "Your session has expired; please sign in again."


class Clock:
    """The portal's clock (portal.clock.utcnow), moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        monkeypatch.setattr("portal.clock.utcnow", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def browser(clock, login):
    return login(make_user(role=Role.SALES))


def test_a_session_idle_for_59_minutes_goes_on_but_one_idle_for_61_has_expired(clock, browser):
    clock.advance(minutes=59)
    assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=61)
    response = browser.get(PAGE + "?tab=tokens")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile?tab%3Dtokens"  # the page wanted is kept
    assert EXPIRED in browser.get(response.headers["Location"]).get_data(as_text=True)
    clock.advance(minutes=-61)
    assert browser.get(PAGE).status_code == 302  # signed out, not merely turned away


def test_a_session_busy_all_day_ends_12_hours_after_signing_in(clock, browser):
    for _ in range(15):  # every 48 minutes, each request restarting the idle time
        clock.advance(minutes=48)
        assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=1)  # 12 hours and 1 minute after signing in
    response = browser.get(PAGE)
    assert response.status_code == 302
    assert EXPIRED in browser.get(response.headers["Location"]).get_data(as_text=True)


def test_the_limits_come_from_the_configuration(clock, browser, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 10)
    clock.advance(minutes=11)
    assert browser.get(PAGE).status_code == 302


@pytest.mark.parametrize(
    "stamps",
    [
        {SIGNED_IN_AT: None},  # absent
        {LAST_SEEN_AT: None},
        {LAST_SEEN_AT: "soon"},  # not a number of seconds
        {SIGNED_IN_AT: 1.5e9},
        {SIGNED_IN_AT: 10**30},  # no moment at all
        {SIGNED_IN_AT: int((START + timedelta(days=30)).timestamp())},  # from the future
    ],
)
def test_a_session_without_readable_moments_has_expired(browser, stamps):
    with browser.session_transaction() as session:
        for key, value in stamps.items():
            if value is None:
                del session[key]
            else:
                session[key] = value
    assert browser.get(PAGE).status_code == 302


def test_the_cookie_expires_with_the_session_and_is_rewritten_at_most_once_a_minute(clock, app):
    user = make_user()
    client = app.test_client()
    signing_in = client.post("/login", data={"username": user.username, "password": PASSWORD})
    end = "Expires=Tue, 10 Mar 2026 13:00:00 GMT"  # 12 hours after signing in at 01:00 UTC
    assert end in _session_cookie(signing_in)
    client.get(PAGE)  # the first page may add a form token to the session
    clock.advance(seconds=50)
    assert _session_cookie(client.get(PAGE)) is None  # nothing worth rewriting yet
    clock.advance(minutes=5)
    assert end in (_session_cookie(client.get(PAGE)) or "")  # "last seen" moved; the end did not


def _session_cookie(response) -> str | None:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookies[0] if cookies else None


def test_the_api_knows_no_session_time(clock, app, browser):
    secret = make_token(make_user(role=Role.SALES), "ERP")
    clock.advance(hours=13)
    response = app.test_client().get("/api/v1/distributors", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert browser.get(PAGE).status_code == 302


def test_the_limits_default_to_60_minutes_and_12_hours_and_read_the_environments_text():
    default = create_app(app_config())
    assert (default.config["SESSION_IDLE_MINUTES"], default.config["SESSION_MAX_HOURS"]) == (60, 12)
    assert default.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    configured = create_app(app_config(SESSION_IDLE_MINUTES="30", SESSION_MAX_HOURS=" 8 "))
    assert (configured.config["SESSION_IDLE_MINUTES"], configured.config["SESSION_MAX_HOURS"]) == (30, 8)
    assert configured.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


@pytest.mark.parametrize("name", ["SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"])
@pytest.mark.parametrize("value", ["0", "-5", "1.5", "an hour", "", "１２", "99999999", True])
def test_session_limits_must_be_whole_numbers_and_a_start_says_which_is_wrong(name, value):
    with pytest.raises(ConfigError, match=f"{name} must be a whole number"):
        create_app(app_config(**{name: value}))


def test_the_warm_up_takes_whole_seconds_from_0_and_a_start_refuses_anything_else():
    """WARM_UP_SECONDS (portal/warmup.py) is read and checked like the session limits."""
    assert create_app(app_config()).config["WARM_UP_SECONDS"] == 10
    assert create_app(app_config(WARM_UP_SECONDS=" 0 ")).config["WARM_UP_SECONDS"] == 0
    for value in ("-1", "2.5", "ten", "301"):
        with pytest.raises(ConfigError, match="WARM_UP_SECONDS must be a whole number of seconds from 0 to 300"):
            create_app(app_config(WARM_UP_SECONDS=value))


def test_changing_the_password_counts_as_signing_in_again(clock, browser, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 24 * 60)  # only the absolute limit here
    clock.advance(hours=11)
    new = "a-brand-new-secret"
    changed = browser.post(
        "/profile/password", data={"pw-current_password": PASSWORD, "pw-new_password": new, "pw-confirm": new}
    )
    assert changed.status_code == 302
    clock.advance(hours=11, minutes=59)
    assert browser.get(PAGE).status_code == 200
    clock.advance(minutes=2)
    assert browser.get(PAGE).status_code == 302
