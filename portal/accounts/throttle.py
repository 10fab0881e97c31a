"""Failed sign-ins counted in the database (docs/rules.md §12; the rules: portal.domain.accounts).

In the database rather than in each process, so every gunicorn worker sees the same counts
without Redis. An attempt first makes and locks its three rows (the name at this address, this
address, this name), so simultaneous attempts under one key take turns: a burst of parallel
guesses cannot all slip through before the first failure is written. On SQLite every writing
transaction holds the database lock from BEGIN IMMEDIATE (portal/db.py), which serialises them too.

Rows are found by keyed hashes (HMAC with the secret key) of the name typed and the address, so
the table never holds either readably; a new secret key simply starts the counts afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from ..db import upsert_insert
from ..domain.accounts import (
    FORGET_AFTER,
    POLICIES,
    FailureCount,
    ThrottleScope,
    after_failure,
    throttle_address,
    throttle_name,
    wait_before_next_attempt,
)
from ..extensions import db
from .models import LoginThrottle


@dataclass(frozen=True)
class Counter:
    scope: ThrottleScope
    key: str
    name_key: str | None
    count: FailureCount


def _digest(*parts: str) -> str:
    secret = current_app.secret_key or ""
    secret_bytes = secret if isinstance(secret, bytes) else secret.encode()
    message = "\x1f".join(("sign-in throttle", *parts)).encode()
    return hmac.new(secret_bytes, message, hashlib.sha256).hexdigest()


def name_key(typed_name: str) -> str:
    """The key of the name typed (as domain.throttle_name counts it): a hash, never the name."""
    return _digest(ThrottleScope.NAME, throttle_name(typed_name))


def _keys(typed_name: str, address: str) -> dict[ThrottleScope, tuple[str, str | None]]:
    """Each scope's row key, and the name's key for rows counted against the name."""
    of_name = name_key(typed_name)
    address = throttle_address(address)
    return {
        ThrottleScope.NAME_AT_ADDRESS: (
            _digest(ThrottleScope.NAME_AT_ADDRESS, throttle_name(typed_name), address),
            of_name,
        ),
        ThrottleScope.ADDRESS: (_digest(ThrottleScope.ADDRESS, address), None),
        ThrottleScope.NAME: (of_name, of_name),
    }


def lock_counters(typed_name: str, address: str) -> list[Counter]:
    """The counters an attempt with this name from this address is held by, locked until the
    transaction ends. Rows are made first (INSERT … ON CONFLICT DO NOTHING) so there is a row to
    lock, and both steps go in key order, so two attempts never wait for each other in a circle."""
    keys = _keys(typed_name, address)
    in_order = sorted(keys.items(), key=lambda item: item[1][0])
    db.session.execute(
        upsert_insert(db.session)(LoginThrottle)
        .values(
            [{"scope": scope, "key": key, "name_key": of_name, "failures": 0} for scope, (key, of_name) in in_order]
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = db.session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.key.in_([key for key, _ in keys.values()]))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = {row.key: FailureCount(row.failures, row.last_failure_at) for row in rows}
    # A row pruned between the two statements counted no failure (see prune): it counts as empty.
    return [Counter(scope, key, of_name, found.get(key, FailureCount())) for scope, (key, of_name) in keys.items()]


def seconds_to_wait(counters: list[Counter], now: datetime, *, waive_name: bool = False) -> int:
    """Whole seconds before an attempt may go ahead: the longest wait of any counter (none for the
    name-wide one when ``waive_name``: a browser that signed in under the name before)."""
    waits = [
        wait_before_next_attempt(POLICIES[counter.scope], counter.count, now)
        for counter in counters
        if not (waive_name and counter.scope is ThrottleScope.NAME)
    ]
    return math.ceil(max(waits, default=timedelta(0)).total_seconds())


def record_failure(counters: list[Counter], now: datetime) -> None:
    """Count a failure under every key, and let go of counts a day old."""
    for counter in sorted(counters, key=lambda counter: counter.key):
        count = after_failure(POLICIES[counter.scope], counter.count, now)
        values = {"failures": count.failures, "last_failure_at": count.last_failure_at}
        db.session.execute(
            upsert_insert(db.session)(LoginThrottle)
            .values(scope=counter.scope, key=counter.key, name_key=counter.name_key, **values)
            .on_conflict_do_update(index_elements=["key"], set_=values)
        )
    prune(now)


def record_success(counters: list[Counter]) -> None:
    """The right password clears the name's counts (here and everywhere); the address keeps its
    count, or a guesser with one account of their own could clear it between guesses."""
    cleared = [counter.key for counter in counters if counter.scope is not ThrottleScope.ADDRESS]
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(cleared)))


def forget_name(username: str) -> None:
    """Clear every count against this name, from every address (an administrator's password reset)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.name_key == name_key(username)))


def prune(now: datetime) -> None:
    """Delete rows that count nothing: no failure yet, or none for a day (domain FORGET_AFTER).
    Rows another attempt holds are skipped (SKIP LOCKED), so pruning never waits for, nor
    deadlocks with, a sign-in in progress."""
    idle = (
        select(LoginThrottle.id)
        .where(or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at <= now - FORGET_AFTER))
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.id.in_(idle)))
