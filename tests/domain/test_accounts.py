"""docs/rules.md §12: failed sign-ins make the next attempt wait longer and longer, under three
keys with their own policies; and the password policy."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.accounts import (
    POLICIES,
    FailureCount,
    ThrottlePolicy,
    ThrottleScope,
    after_failure,
    check_password_policy,
    delay_after,
    failures_now,
    throttle_address,
    throttle_name,
    wait_before_next_attempt,
)
from portal.domain.errors import InvalidValue

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)

NAME_AT_ADDRESS = POLICIES[ThrottleScope.NAME_AT_ADDRESS]
ADDRESS = POLICIES[ThrottleScope.ADDRESS]
NAME = POLICIES[ThrottleScope.NAME]


@pytest.mark.parametrize(
    ("failures", "name_at_address", "address", "name"),
    [
        (0, 0 * S, 0 * S, 0 * S),
        (3, 0 * S, 0 * S, 0 * S),  # typing errors are free
        (4, 1 * S, 0 * S, 0 * S),
        (5, 2 * S, 0 * S, 0 * S),
        (6, 4 * S, 0 * S, 1 * S),
        (7, 8 * S, 0 * S, 2 * S),
        (10, 64 * S, 0 * S, 16 * S),
        (11, 128 * S, 0 * S, 32 * S),
        (12, 256 * S, 0 * S, 60 * S),  # the name-wide wait stops at a minute
        (13, 512 * S, 0 * S, 60 * S),
        (14, 15 * MIN, 0 * S, 60 * S),  # the others at a quarter of an hour
        (20, 15 * MIN, 0 * S, 60 * S),
        (21, 15 * MIN, 1 * S, 60 * S),  # an office behind one address has twenty free
        (25, 15 * MIN, 16 * S, 60 * S),
        (31, 15 * MIN, 15 * MIN, 60 * S),
        (1000, 15 * MIN, 15 * MIN, 60 * S),
    ],
)
def test_each_failure_beyond_the_free_ones_doubles_the_wait_up_to_the_policys_cap(
    failures, name_at_address, address, name
):
    assert delay_after(NAME_AT_ADDRESS, failures) == name_at_address
    assert delay_after(ADDRESS, failures) == address
    assert delay_after(NAME, failures) == name


def test_no_stranger_can_hold_a_name_back_for_more_than_a_minute():
    assert max(delay_after(NAME, n) for n in range(200)) == MIN
    assert NAME.max_delay < NAME_AT_ADDRESS.max_delay
    assert NAME.max_delay < ADDRESS.max_delay


POLICY = ThrottlePolicy(free_failures=2, first_delay=S, max_delay=MIN, forgive_every=10 * MIN)


@pytest.mark.parametrize(
    ("failures", "later", "wait"),
    [
        (0, 0 * S, 0 * S),
        (2, 0 * S, 0 * S),
        (3, 0 * S, 1 * S),
        (5, 0 * S, 4 * S),
        (5, 1 * S, 3 * S),
        (5, 4 * S, 0 * S),
        (5, 1 * MIN, 0 * S),
        (9, 30 * S, 30 * S),  # capped at a minute
    ],
)
def test_the_wait_runs_from_the_last_failure(failures, later, wait):
    assert wait_before_next_attempt(POLICY, FailureCount(failures, NOW), NOW + later) == wait


def test_no_failure_yet_means_no_wait():
    assert wait_before_next_attempt(POLICY, FailureCount(), NOW) == timedelta(0)


@pytest.mark.parametrize(
    ("failures", "quiet", "counted"),
    [
        (5, 0 * S, 5),
        (5, 9 * MIN, 5),
        (5, 10 * MIN, 4),  # one forgiven per quiet ten minutes
        (5, 35 * MIN, 2),
        (5, 2 * timedelta(hours=1), 0),
        (500, timedelta(hours=23, minutes=59), 357),
        (500, timedelta(days=1), 0),  # a quiet day forgives everything
    ],
)
def test_quiet_time_forgives_failures(failures, quiet, counted):
    assert failures_now(POLICY, FailureCount(failures, NOW), NOW + quiet) == counted


def test_a_failure_counts_on_top_of_what_is_still_counted():
    assert after_failure(POLICY, FailureCount(), NOW) == FailureCount(1, NOW)
    assert after_failure(POLICY, FailureCount(5, NOW), NOW + S) == FailureCount(6, NOW + S)
    assert after_failure(POLICY, FailureCount(5, NOW), NOW + 25 * MIN) == FailureCount(4, NOW + 25 * MIN)


@pytest.mark.parametrize(("typed", "counted_as"), [("alice", "alice"), ("  Alice ", "alice"), ("ALICE", "alice")])
def test_a_name_is_counted_as_typed_without_spaces_or_case(typed, counted_as):
    assert throttle_name(typed) == counted_as


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 written as IPv6
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # a host is given a whole /64
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("", ""),  # no address known
    ],
)
def test_an_address_is_counted_as_its_ipv4_address_or_ipv6_network(address, counted_as):
    assert throttle_address(address) == counted_as


@pytest.mark.parametrize(("password", "ok"), [("short", False), ("abcdefghij", True), ("salesuser1", False)])
def test_password_policy(password, ok):
    if ok:
        check_password_policy(password, "someone")
    else:
        with pytest.raises(InvalidValue):
            check_password_policy(password, "salesuser1")
