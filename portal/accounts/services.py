"""Account use cases. Each is its own transaction (portal.transactions; models never commit)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import clock
from ..distributors.models import Distributor
from ..domain.accounts import check_password_policy
from ..domain.errors import N_, DomainError, Duplicate, InvalidValue
from ..domain.roles import Role
from ..extensions import db
from ..transactions import transaction, transactional
from . import throttle
from .models import ApiToken, User, hash_token, verify_dummy_password


class LoginRefused(DomainError):
    code = "login_refused"


class LoginThrottled(LoginRefused):
    """Too many failures lately under the name typed or from this address: wait (params: seconds)."""

    code = "login_throttled"


@dataclass(frozen=True)
class UserData:
    username: str
    role: Role
    full_name: str = ""
    email: str = ""
    distributor_id: int | None = None
    active: bool = True


def authenticate(username: str, password: str, address: str = "", *, signed_in_here_before: bool = False) -> User:
    """Check a sign-in from the client ``address`` (docs/rules.md §12).

    Throttled: refused before the password is looked at, and nothing is counted. Otherwise a wrong
    password or an unknown name is counted as a failure under the name typed, whether or not such a
    user exists, and the answer is the same for both (so is the time taken: a dummy hash is checked).
    ``signed_in_here_before``: this browser once signed in under this name, so the short name-wide
    wait, which anyone anywhere can cause, does not hold it back."""
    now = clock.utcnow()
    with transaction():
        counters = throttle.lock_counters(username, address)
        seconds = throttle.seconds_to_wait(counters, now, waive_name=signed_in_here_before)
        if seconds:  # raised inside: rolled back, this attempt counts nothing
            raise LoginThrottled(N_("Too many attempts. Wait %(seconds)s s, then try again."), seconds=seconds)
        user = _user_with_password(username, password)
        if user is None:
            throttle.record_failure(counters, now)
        else:
            throttle.record_success(counters)
            if user.active:
                user.last_login_at = now
    if user is None:
        raise LoginRefused(N_("Wrong user name or password."))
    if not user.active:
        raise LoginRefused(N_("This account has been deactivated. Ask an administrator."))
    return user


def _user_with_password(username: str, password: str) -> User | None:
    """The user if the name and password match; None, after as long a check, if they do not."""
    user = User.by_username(username)
    if user is None:
        verify_dummy_password()
        return None
    return user if user.check_password(password) else None


@transactional
def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie issued before stops working."""
    user.end_sessions()


def _revoke_tokens(user: User) -> int:
    """Revoke every live API token of the user, one row at a time so the audit trail records each;
    returns how many. A new password cuts off whoever held the old one: a token made with a stolen
    password must not outlive it (docs/rules.md §12)."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = clock.utcnow()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


@transactional
def change_password(user: User, current: str, new: str) -> int:
    """Change one's own password: other sessions end and the API tokens are revoked (returns how many)."""
    if not user.check_password(current):
        raise InvalidValue(N_("The current password is wrong."), field="current_password")
    check_password_policy(new, user.username)
    user.set_password(new)
    user.end_sessions()
    return _revoke_tokens(user)


def _check_user_data(data: UserData, user: User | None = None) -> None:
    taken = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            # The database's lower() on both sides: SQLite's folds ASCII only, Python's every letter.
            func.lower(User.username) == func.lower(data.username.strip()),
            User.id != (user.id if user else -1),
        )
    )
    if taken:
        raise Duplicate(N_("This user name is taken."), field="username")
    if data.role is Role.DISTRIBUTOR:
        if data.distributor_id is None:
            raise InvalidValue(N_("A distributor user belongs to a distributor: choose one."), field="distributor_id")
        if db.session.get(Distributor, data.distributor_id) is None:
            raise InvalidValue(N_("There is no such distributor."), field="distributor_id")
    elif data.distributor_id is not None:
        raise InvalidValue(N_("Only distributor users belong to a distributor."), field="distributor_id")


@transactional
def create_user(data: UserData, password: str) -> User:
    _check_user_data(data)
    check_password_policy(password, data.username)
    user = User(
        username=data.username.strip(),
        full_name=data.full_name.strip(),
        email=data.email.strip(),
        role=data.role,
        distributor_id=data.distributor_id,
        active=data.active,
    )
    user.set_password(password)
    db.session.add(user)
    return user


@transactional
def update_user(user: User, data: UserData) -> User:
    _check_user_data(data, user)
    was_active = user.active
    role_changed = user.role is not data.role or user.distributor_id != data.distributor_id
    user.username = data.username.strip()
    user.full_name = data.full_name.strip()
    user.email = data.email.strip()
    user.role = data.role
    user.distributor_id = data.distributor_id
    user.active = data.active
    if (was_active and not data.active) or role_changed:
        user.end_sessions()
    return user


@transactional
def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.end_sessions()


@transactional
def reset_password(user: User, new: str) -> int:
    """An administrator's reset: the sessions end and the API tokens are revoked (returns how many)."""
    check_password_policy(new, user.username)
    throttle.forget_name(user.username)  # first, before the user's row is written: sign-ins lock in that order
    user.set_password(new)
    user.end_sessions()
    return _revoke_tokens(user)


@transactional
def create_token(user: User, name: str) -> str:
    """A new bearer token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidValue(N_("Give the token a name, such as the program that will use it."), field="name")
    secret = ApiToken.new_secret()
    db.session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=hash_token(secret)))
    return secret


@transactional
def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = clock.utcnow()
