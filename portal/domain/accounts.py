"""Account rules: sign-in throttling and passwords (docs/rules.md §12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import N_, InvalidValue

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class LoginState:
    failed_logins: int
    locked_until: datetime | None


def is_locked(state: LoginState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failed_login(state: LoginState, now: datetime) -> LoginState:
    """Count a failure; the fifth in a row locks the account for 15 minutes."""
    failures = 1 if state.locked_until is not None and now >= state.locked_until else state.failed_logins + 1
    if failures >= MAX_FAILED_LOGINS:
        return LoginState(failed_logins=0, locked_until=now + LOCKOUT)
    return LoginState(failed_logins=failures, locked_until=None)


def after_successful_login() -> LoginState:
    return LoginState(failed_logins=0, locked_until=None)


def check_password_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(N_("Use at least %(length)s characters for the password."), length=MIN_PASSWORD_LENGTH)
    if username and password.lower() == username.lower():
        raise InvalidValue(N_("The password cannot be the user name."))
