"""docs/rules.md §12 and the foundation issue: five failures in a row lock an account for 15 minutes."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.accounts import (
    LoginState,
    after_failed_login,
    after_successful_login,
    check_password_policy,
    is_locked,
)
from portal.domain.errors import InvalidValue

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def fail(times: int, state: LoginState = LoginState(0, None), now: datetime = NOW) -> LoginState:
    for _ in range(times):
        state = after_failed_login(state, now)
    return state


@pytest.mark.parametrize(("failures", "locked"), [(1, False), (4, False), (5, True)])
def test_the_fifth_failure_locks(failures, locked):
    assert is_locked(fail(failures), NOW) is locked


@pytest.mark.parametrize(
    ("later", "locked"),
    [(timedelta(minutes=14, seconds=59), True), (timedelta(minutes=15), False), (timedelta(hours=1), False)],
)
def test_the_lock_lasts_15_minutes(later, locked):
    assert is_locked(fail(5), NOW + later) is locked


def test_a_failure_after_the_lock_expired_starts_counting_again():
    state = after_failed_login(fail(5), NOW + timedelta(minutes=16))
    assert state == LoginState(1, None)


def test_a_success_clears_the_count():
    assert after_successful_login() == LoginState(0, None)


@pytest.mark.parametrize(("password", "ok"), [("short", False), ("abcdefghij", True), ("salesuser1", False)])
def test_password_policy(password, ok):
    if ok:
        check_password_policy(password, "someone")
    else:
        with pytest.raises(InvalidValue):
            check_password_policy(password, "salesuser1")
