"""Territory rules as tables of cases (docs/rules.md §4; contract §1.2, §4.5)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.errors import DomainError, InvalidValue
from portal.domain.territories import (
    Grant,
    check_grant,
    check_revocation,
    descendant_prefix,
    in_territory,
    not_granted,
    relation,
    revocation_effective_on,
)

D = date
ZHEJIANG, HANGZHOU, XIHU = "330000", "330100", "330106"
NINGBO, JIANGSU = "330200", "320000"
XIHU_CHAIN = [XIHU, HANGZHOU, ZHEJIANG]


@pytest.mark.parametrize(
    ("notice_on", "months", "effective_on"),
    [
        # §4.5 with Arts. 201-203: the month's notice ends on the same-numbered day (or the month's last
        # day), which counts in full; the revocation applies from the next day.
        (D(2026, 1, 31), 1, D(2026, 3, 1)),  # Art. 202: February has no 31st; 28 Feb is the last day
        (D(2028, 1, 31), 1, D(2028, 3, 1)),  # a leap year: 29 Feb is the last day
        (D(2026, 3, 5), 1, D(2026, 4, 6)),  # the period ends 5 April
        (D(2026, 11, 30), 3, D(2027, 3, 1)),
        (D(2026, 3, 5), 0, D(2026, 3, 5)),  # no notice period: at once
    ],
)
def test_a_revocation_takes_effect_the_notice_months_after_the_notice(notice_on, months, effective_on):
    assert revocation_effective_on(notice_on, months) == effective_on


@pytest.mark.parametrize(
    ("on", "granted"),
    [
        (D(2025, 12, 31), False),  # before the grant
        (D(2026, 1, 1), True),  # from the grant date
        (D(2026, 1, 31), True),  # the notice date
        (D(2026, 2, 28), True),  # the notice period's last day counts in full: still granted
        (D(2026, 3, 1), False),  # revoked from the day after
        (D(2026, 6, 1), False),
    ],
)
def test_a_region_stays_granted_until_its_revocation_takes_effect(on, granted):
    grant = Grant(ZHEJIANG, D(2026, 1, 1), revocation_effective_on(D(2026, 1, 31), 1))
    assert grant.is_granted(on) is granted


@pytest.mark.parametrize(
    ("chain", "grants", "on", "inside"),
    [
        (XIHU_CHAIN, [Grant(ZHEJIANG, D(2026, 1, 1))], D(2026, 3, 1), True),  # a district inside a granted province
        ([HANGZHOU, ZHEJIANG], [Grant(ZHEJIANG, D(2026, 1, 1))], D(2026, 3, 1), True),  # a city inside it
        (XIHU_CHAIN, [Grant(HANGZHOU, D(2026, 1, 1))], D(2026, 3, 1), True),
        (XIHU_CHAIN, [Grant(XIHU, D(2026, 1, 1))], D(2026, 3, 1), True),  # the location itself
        ([ZHEJIANG], [Grant(HANGZHOU, D(2026, 1, 1))], D(2026, 3, 1), False),  # a city does not cover its province
        ([NINGBO, ZHEJIANG], [Grant(HANGZHOU, D(2026, 1, 1))], D(2026, 3, 1), False),  # nor its sister city
        (XIHU_CHAIN, [Grant(JIANGSU, D(2026, 1, 1))], D(2026, 3, 1), False),
        (XIHU_CHAIN, [Grant(ZHEJIANG, D(2026, 4, 1))], D(2026, 3, 1), False),  # not granted yet
        (XIHU_CHAIN, [Grant(ZHEJIANG, D(2026, 1, 1), D(2026, 2, 28))], D(2026, 2, 27), True),
        (XIHU_CHAIN, [Grant(ZHEJIANG, D(2026, 1, 1), D(2026, 2, 28))], D(2026, 2, 28), False),
        # The province revoked, the city still granted: the district is inside through the city.
        (
            XIHU_CHAIN,
            [Grant(ZHEJIANG, D(2026, 1, 1), D(2026, 2, 28)), Grant(HANGZHOU, D(2026, 1, 1))],
            D(2026, 3, 1),
            True,
        ),
        (XIHU_CHAIN, [], D(2026, 3, 1), False),
    ],
)
def test_a_location_is_inside_when_it_or_an_ancestor_is_granted_on_the_date(chain, grants, on, inside):
    assert in_territory(chain, grants, on) is inside


def test_a_region_is_granted_within_the_term_and_not_twice_at_once():
    term = (D(2026, 1, 1), D(2026, 12, 31))
    check_grant(HANGZHOU, D(2026, 1, 1), term, [])
    check_grant(HANGZHOU, D(2026, 12, 31), term, [])
    check_grant(HANGZHOU, D(2026, 3, 1), term, [Grant(ZHEJIANG, D(2026, 1, 1))])  # a province and its city
    check_grant(HANGZHOU, D(2026, 3, 1), term, [Grant(HANGZHOU, D(2026, 1, 1), D(2026, 3, 1))])  # granted again
    with pytest.raises(InvalidValue, match="term") as outside:
        check_grant(HANGZHOU, D(2027, 1, 1), term, [])
    assert outside.value.field == "granted_on"
    with pytest.raises(InvalidValue):
        check_grant(HANGZHOU, D(2025, 12, 31), term, [])
    with pytest.raises(DomainError, match="already granted"):
        check_grant(HANGZHOU, D(2026, 3, 1), term, [Grant(HANGZHOU, D(2026, 1, 1))])
    with pytest.raises(DomainError, match="already granted"):  # its revocation has not taken effect yet
        check_grant(HANGZHOU, D(2026, 3, 1), term, [Grant(HANGZHOU, D(2026, 1, 1), D(2026, 3, 2))])
    with pytest.raises(DomainError, match="already granted"):  # a later grant of the same region
        check_grant(HANGZHOU, D(2026, 3, 1), term, [Grant(HANGZHOU, D(2026, 6, 1))])


def test_a_region_is_revoked_once_and_not_before_it_was_granted():
    check_revocation(Grant(HANGZHOU, D(2026, 1, 1)), D(2026, 1, 1))
    with pytest.raises(DomainError, match="already notified"):
        check_revocation(Grant(HANGZHOU, D(2026, 1, 1), D(2026, 3, 1)), D(2026, 2, 1))
    with pytest.raises(DomainError, match="before it was granted"):
        check_revocation(Grant(HANGZHOU, D(2026, 2, 1)), D(2026, 1, 1))


@pytest.mark.parametrize(
    ("codes", "missing"),
    [
        ([HANGZHOU], []),
        ([HANGZHOU, NINGBO], [NINGBO]),  # never granted
        ([XIHU], [XIHU]),  # inside a granted city, but not itself granted: cannot be revoked alone
        ([ZHEJIANG], [ZHEJIANG]),  # its revocation is already notified
        ([JIANGSU], [JIANGSU]),  # granted only later
    ],
)
def test_only_regions_granted_on_the_notice_date_can_be_revoked(codes, missing):
    grants = [
        Grant(HANGZHOU, D(2026, 1, 1)),
        Grant(ZHEJIANG, D(2026, 1, 1), D(2026, 4, 1)),
        Grant(JIANGSU, D(2026, 6, 1)),
    ]
    assert not_granted(codes, grants, D(2026, 3, 1)) == missing


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        (ZHEJIANG, "33"),
        (HANGZHOU, "3301"),
        (XIHU, XIHU),
        ("110000", "11"),
        ("429004", "429004"),
    ],
)
def test_codes_inside_a_region_share_its_prefix(code, prefix):
    assert descendant_prefix(code) == prefix


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        (HANGZHOU, HANGZHOU, "same"),
        (ZHEJIANG, HANGZHOU, "inside"),
        (ZHEJIANG, XIHU, "inside"),
        (HANGZHOU, ZHEJIANG, "contains"),
        (XIHU, ZHEJIANG, "contains"),
        (HANGZHOU, NINGBO, None),
        (ZHEJIANG, JIANGSU, None),
        ("420000", "429004", "inside"),  # a county-level city directly under Hubei
        ("110000", "110105", "inside"),  # a district of Beijing
    ],
)
def test_how_two_granted_regions_relate(ours, theirs, expected):
    assert relation(ours, theirs) == expected
