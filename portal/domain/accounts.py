"""Account rules: sign-in throttling and passwords (docs/rules.md §12).

Failed sign-ins are counted under three keys, each with its own policy, and each count makes the
next attempt under that key wait a little longer. The keys are built from the name *typed*, never
from whether such a user exists, so an unknown name and a real one are answered alike.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import N_, InvalidValue

MIN_PASSWORD_LENGTH = 10

# A day without a failure forgives every failure under a key; older counts can be deleted.
FORGET_AFTER = timedelta(days=1)


class ThrottleScope(StrEnum):
    """What a failure is counted against."""

    NAME_AT_ADDRESS = "name_at_address"  # one name typed from one client address: a guesser at work
    ADDRESS = "address"  # every name from one address: one machine trying many accounts
    NAME = "name"  # one name from every address: many machines guessing one account


@dataclass(frozen=True)
class ThrottlePolicy:
    """The first ``free_failures`` cost nothing; each further failure makes the next attempt wait
    ``first_delay``, then twice as long, and so on up to ``max_delay``. Each ``forgive_every`` that
    passes without a failure forgives one."""

    free_failures: int
    first_delay: timedelta
    max_delay: timedelta
    forgive_every: timedelta


POLICIES: dict[ThrottleScope, ThrottlePolicy] = {
    # Typing errors get three tries free; a guesser reaches one try per 15 minutes at the 14th.
    ThrottleScope.NAME_AT_ADDRESS: ThrottlePolicy(
        free_failures=3,
        first_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=15),
        forgive_every=timedelta(minutes=15),
    ),
    # An office behind one address shares this count, so it is generous and forgets quickly.
    ThrottleScope.ADDRESS: ThrottlePolicy(
        free_failures=20,
        first_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=15),
        forgive_every=timedelta(minutes=5),
    ),
    # Anyone anywhere can fail under a name, so this wait stays short: a stranger makes the user wait
    # a minute at most per attempt (and a browser that signed in before not at all: docs/rules.md §12).
    ThrottleScope.NAME: ThrottlePolicy(
        free_failures=5,
        first_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=1),
        forgive_every=timedelta(minutes=1),
    ),
}


@dataclass(frozen=True)
class FailureCount:
    """Failures in a row under one key, and when the last of them happened."""

    failures: int = 0
    last_failure_at: datetime | None = None


def delay_after(policy: ThrottlePolicy, failures: int) -> timedelta:
    """How long after the last of ``failures`` failures the next attempt must wait."""
    beyond = failures - policy.free_failures
    if beyond <= 0:
        return timedelta(0)
    if beyond > 32:  # far past any cap; keeps the doubling small
        return policy.max_delay
    return min(policy.first_delay * (1 << (beyond - 1)), policy.max_delay)


def failures_now(policy: ThrottlePolicy, count: FailureCount, now: datetime) -> int:
    """The failures still counted at ``now``: one forgiven per quiet ``forgive_every``, all after
    a quiet day."""
    if count.last_failure_at is None:
        return 0
    quiet = now - count.last_failure_at
    if quiet >= FORGET_AFTER:
        return 0
    return max(0, count.failures - quiet // policy.forgive_every)


def wait_before_next_attempt(policy: ThrottlePolicy, count: FailureCount, now: datetime) -> timedelta:
    """How long an attempt at ``now`` must still wait (zero: it may go ahead)."""
    if count.last_failure_at is None:
        return timedelta(0)
    return max(timedelta(0), count.last_failure_at + delay_after(policy, count.failures) - now)


def after_failure(policy: ThrottlePolicy, count: FailureCount, now: datetime) -> FailureCount:
    return FailureCount(failures_now(policy, count, now) + 1, now)


def throttle_name(typed: str) -> str:
    """The name a sign-in is counted under: as typed, without surrounding spaces, in lower case
    (so "Alice " and "alice" share their count), whether or not such a user exists."""
    return typed.strip().lower()


def throttle_address(address: str) -> str:
    """The client address a sign-in is counted under. An IPv6 address counts as its /64 network:
    one line or host is given a whole /64, and could otherwise try from a new address each time."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def check_password_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(N_("Use at least %(length)s characters for the password."), length=MIN_PASSWORD_LENGTH)
    if username and password.lower() == username.lower():
        raise InvalidValue(N_("The password cannot be the user name."))
