"""Users, their roles and personal API tokens (docs/rules.md §12)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime, enum_column
from ..domain.accounts import ThrottleScope
from ..domain.permissions import Permission, may
from ..domain.roles import Role
from ..extensions import Model, db

# Argon2id: memory-hard, so a stolen table is slow to crack on GPUs.
_hasher = PasswordHasher()

TOKEN_PREFIX = "ptl_"


class User(Model):
    __tablename__ = "users"
    __audited__ = True
    __audit_exclude__ = frozenset({"password_hash", "session_version", "last_login_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    distributor_id: Mapped[int | None] = mapped_column(ForeignKey("distributors.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped on logout, deactivation and password change: every session cookie that carries an
    # older number stops working (see get_id and the user loader).
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    distributor = relationship("Distributor", back_populates="users")

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    # Roles and what they allow (portal.domain.permissions).
    @property
    def is_head_office(self) -> bool:
        """Head office reads every distributor's records; a distributor user only its own."""
        return self.role.is_head_office

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)

    # Passwords.
    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def end_sessions(self) -> None:
        self.session_version += 1

    @classmethod
    def by_username(cls, username: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.username == username.strip()))

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def verify_dummy_password() -> None:
    """Spend the time of a real check, so an unknown user name is not revealed by speed."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, "not the password")


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginThrottle(Model):
    """Failed sign-ins in a row under one key (docs/rules.md §12; portal.accounts.throttle). In the
    database, so every gunicorn worker sees the same counts. Keys are keyed hashes of the name typed
    and the client address: neither a name typed (sometimes a password typed in the wrong box) nor an
    address is stored readable. Not audited: it is bookkeeping, and a day old it is deleted."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[ThrottleScope] = mapped_column(enum_column(ThrottleScope))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # The hash of the name alone (rows counted against a name), so a password reset finds them all.
    name_key: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(default=0)
    # Empty until the first failure (the row is made, then locked, before a password is checked).
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


def hash_token(token: str) -> str:
    # Tokens are 32 random bytes, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Model):
    """A personal bearer token for /api/v1 (docs/api.md): shown once, stored hashed, revocable."""

    __tablename__ = "api_tokens"
    __audited__ = True
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship(User)

    @classmethod
    def access_scope(cls, user: User) -> Any:
        """A token is its owner's alone, whatever the role."""
        return cls.user_id == user.id

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def find(cls, secret: str) -> ApiToken | None:
        """The live token with this secret whose owner may still sign in, or None."""
        token = db.session.scalar(select(cls).where(cls.token_hash == hash_token(secret), cls.revoked_at.is_(None)))
        if token is None or not token.user.active:
            return None
        return token

    @classmethod
    def user_for(cls, secret: str) -> User | None:
        token = cls.find(secret)
        return token.user if token else None
