"""Account use cases. Each is its own transaction (portal.transactions; models never commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..clock import utcnow
from ..distributors.models import Distributor
from ..domain.accounts import (
    after_failed_login,
    after_successful_login,
    check_password_policy,
    is_locked,
)
from ..domain.errors import N_, DomainError, Duplicate, InvalidValue
from ..domain.roles import Role
from ..extensions import db
from ..transactions import transaction, transactional
from .models import ApiToken, User, hash_token, verify_dummy_password


class LoginRefused(DomainError):
    code = "login_refused"


@dataclass(frozen=True)
class UserData:
    username: str
    role: Role
    full_name: str = ""
    email: str = ""
    distributor_id: int | None = None
    active: bool = True


def authenticate(username: str, password: str, now: datetime | None = None) -> User:
    """Check a sign-in. Failures are counted and committed even though the sign-in is refused, so
    the fifth failure in a row locks the account for 15 minutes (domain.accounts)."""
    now = now or utcnow()
    user = User.by_username(username)
    if user is None:
        verify_dummy_password()
        raise LoginRefused(N_("Wrong user name or password."))
    if is_locked(user.login_state, now):
        raise LoginRefused(
            N_(
                "Too many failed sign-ins: this account is locked for 15 minutes. "
                "Try again later or ask an administrator."
            )
        )
    if not user.check_password(password):
        with transaction():
            user.login_state = after_failed_login(user.login_state, now)
        if is_locked(user.login_state, now):
            raise LoginRefused(
                N_(
                    "Too many failed sign-ins: this account is locked for 15 minutes. "
                    "Try again later or ask an administrator."
                )
            )
        raise LoginRefused(N_("Wrong user name or password."))
    if not user.active:
        raise LoginRefused(N_("This account has been deactivated. Ask an administrator."))
    with transaction():
        user.login_state = after_successful_login()
        user.last_login_at = now
    return user


@transactional
def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every cookie issued before stops working."""
    user.end_sessions()


@transactional
def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise InvalidValue(N_("The current password is wrong."), field="current_password")
    check_password_policy(new, user.username)
    user.set_password(new)
    user.end_sessions()


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
def reset_password(user: User, new: str) -> None:
    check_password_policy(new, user.username)
    user.set_password(new)
    user.login_state = after_successful_login()
    user.end_sessions()


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
        token.revoked_at = utcnow()
