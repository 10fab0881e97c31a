"""Configuration, read from the environment in this one place.

``DATABASE_URL``  default: SQLite under instance/; production: postgresql+psycopg://…
``SECRET_KEY``    required in production (random: 32+ characters, 10+ different, ~128 bits);
                  in development one is generated once and kept in instance/secret_key
``PORTAL_ENV``    "production" turns on the production checks and secure cookies
``REDIS_URL``     optional: where the request rate limits (30 sign-in posts a minute per address) are
                  counted, shared by every gunicorn worker; without it each worker counts alone, and
                  a production start says so in the log (the waits after failed sign-ins are in the
                  database and shared either way)
``PROXY_COUNT``   how many reverse proxies stand in front (default 0): their X-Forwarded-For/-Proto
                  headers are trusted, so HTTPS and the client address are seen
``SESSION_IDLE_MINUTES``  a signed-in browser session ends after this many minutes without a
                  request (default 60)
``SESSION_MAX_HOURS``     and this many hours after signing in, however busy (default 12)
``WARM_UP_SECONDS``  how long a booting gunicorn worker may rehearse the pages, whole seconds from 0
                  (not at all) to 300 (default 10; portal/warmup.py)
``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``, ``SMTP_PASSWORD``, ``MAIL_FROM``   optional e-mail
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

INSECURE_KEYS = {"", "dev", "changeme", "change-me", "secret", "development"}
MIN_SECRET_KEY_LENGTH = 32
# Distinct characters: "a" * 32 is long and worthless. Not 16: a good secrets.token_hex(32) lacks one
# of its 16 hex digits one time in four.
MIN_SECRET_KEY_DISTINCT = 10
MIN_SECRET_KEY_BITS = 128  # estimated from the key's own character frequencies
# Session limits (portal.web): name -> unit, default, most (a year: no session lives longer).
SESSION_LIMITS = {
    "SESSION_IDLE_MINUTES": ("minutes", 60, 366 * 24 * 60),
    "SESSION_MAX_HOURS": ("hours", 12, 366 * 24),
}


def key_entropy_bits(key: str) -> float:
    """An estimate of the key's entropy: its length times the Shannon entropy of its characters."""
    if not key:
        return 0.0
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())


def is_strong_key(key: str) -> bool:
    return (
        key.lower() not in INSECURE_KEYS
        and len(key) >= MIN_SECRET_KEY_LENGTH
        and len(set(key)) >= MIN_SECRET_KEY_DISTINCT
        and key_entropy_bits(key) >= MIN_SECRET_KEY_BITS
    )


class ConfigError(RuntimeError):
    pass


class Config:
    PORTAL_ENV = os.environ.get("PORTAL_ENV", "development")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0") or 0)
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25") or 25)
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "portal@localhost")
    # Text or unset here; finalize() checks them and fills the defaults (SESSION_LIMITS).
    SESSION_IDLE_MINUTES: Any = os.environ.get("SESSION_IDLE_MINUTES")
    SESSION_MAX_HOURS: Any = os.environ.get("SESSION_MAX_HOURS")

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 0
    # The session cookie is rewritten when the session changes (last seen, at most once a minute),
    # not on every response; its expiry is the session's absolute end (portal.web).
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    PER_PAGE = 25
    LIST_COUNT_CAP = 10_000  # a list counts its rows this far, then reads "more than 10,000"
    API_MAX_PER_PAGE = 200
    # How long a booting worker may spend rehearsing pages (portal/warmup.py); gunicorn kills a
    # worker still booting after its --timeout (30 s by default). Text or unset; finalize() checks it.
    WARM_UP_SECONDS: Any = os.environ.get("WARM_UP_SECONDS")


class TestConfig(Config):
    TESTING = True
    PORTAL_ENV = "test"
    SECRET_KEY = "test-secret-key-" + "x" * 32
    RATELIMIT_ENABLED = False
    # In memory unless a test names its own database: a test never touches instance/.
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def finalize(config: dict, instance_path: str) -> None:
    """Fill the defaults that depend on the instance folder and refuse an unsafe production setup."""
    instance = Path(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'portal.sqlite3'}"
    _session_limits(config)
    warm_up = config.get("WARM_UP_SECONDS")
    config["WARM_UP_SECONDS"] = 10 if warm_up is None else _whole_number(warm_up, "WARM_UP_SECONDS", "seconds", 300, 0)
    production = config.get("PORTAL_ENV") == "production"
    key = config.get("SECRET_KEY") or ""
    if production:
        if not is_strong_key(key):
            raise ConfigError(
                f"SECRET_KEY must be set to a random value in production: at least {MIN_SECRET_KEY_LENGTH} "
                f"characters, {MIN_SECRET_KEY_DISTINCT} of them different, about {MIN_SECRET_KEY_BITS} bits "
                "of entropy or more. Make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        config["SESSION_COOKIE_SECURE"] = True
    elif not key:
        config["SECRET_KEY"] = _development_key(instance)


def _session_limits(config: dict) -> None:
    """The idle and absolute session limits as whole numbers. Flask also refuses a signed cookie
    older than the absolute limit (PERMANENT_SESSION_LIFETIME)."""
    for name, (unit, default, most) in SESSION_LIMITS.items():
        value = config.get(name)
        config[name] = default if value is None else _whole_number(value, name, unit, most)
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_MAX_HOURS"])


def _whole_number(value: Any, name: str, unit: str, most: int, least: int = 1) -> int:
    text = "" if isinstance(value, bool) else str(value).strip()
    if not (text.isascii() and text.isdigit() and least <= int(text) <= most):
        raise ConfigError(f"{name} must be a whole number of {unit} from {least} to {most} (got {value!r}).")
    return int(text)


def startup_warnings(config: dict) -> list[str]:
    """What a production start says loudly in the log (portal.register_config): set-ups that work,
    but not as well as they should."""
    if config.get("PORTAL_ENV") != "production":
        return []
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        # A warning, not a refusal: the waits after failed sign-ins, the protection that matters,
        # are in the database and shared; this limit is only a coarse cap on floods of requests.
        return [
            "REDIS_URL is not set: each gunicorn worker counts the request rate limits (30 sign-in "
            "attempts a minute per address) on its own, so an address gets that many from each worker "
            "(four times as many with gunicorn -w 4). The waits after failed sign-ins are in the database "
            "and shared by every worker. "
            "Set REDIS_URL=redis://127.0.0.1:6379/0 (README, Deployment) to share the rate limits too."
        ]
    return []


def _development_key(instance: Path) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
