"""Agreement rules as tables of cases (docs/rules.md §2, §3; contract §4.5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.agreements import (
    SEED_TERMS,
    AgreementStatus,
    Terms,
    binding_period,
    check_activation,
    check_amendment,
    check_dates,
    check_editable,
    check_termination,
    check_terms,
    overlaps,
    status_on,
    termination_effective_on,
    terms_in_force,
)
from portal.domain.errors import DomainError, InvalidValue

D = date
DRAFT, ACTIVE, EXPIRED, TERMINATED = (
    AgreementStatus.DRAFT,
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
)


def test_the_seed_terms_are_the_contracts_numbers():
    assert (
        Terms(
            first_order_min=Decimal("50000.00"),
            quarterly_quota=Decimal("50000.00"),
            deposit_percent=Decimal("30.00"),
            deposit_due_days=3,
            delivery_days=30,
            warranty_months=15,
            repair_fee_cap_percent=Decimal("20.00"),
            post_repair_warranty_months=6,
            repair_turnaround_days=30,
            repair_fee_due_days=7,
            revocation_notice_months=1,
            monthly_report_due_day=10,
            repair_batch_window_days=10,
        )
        == SEED_TERMS
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_order_min": Decimal("-0.01")}, "first_order_min"),
        ({"quarterly_quota": Decimal("-1")}, "quarterly_quota"),
        ({"deposit_percent": Decimal("100.01")}, "deposit_percent"),
        ({"deposit_percent": Decimal("-1")}, "deposit_percent"),
        ({"repair_fee_cap_percent": Decimal("250")}, "repair_fee_cap_percent"),
        ({"deposit_due_days": -1}, "deposit_due_days"),
        ({"warranty_months": 121}, "warranty_months"),
        ({"repair_turnaround_days": 0}, "repair_turnaround_days"),
        ({"monthly_report_due_day": 31}, "monthly_report_due_day"),
        ({"revocation_notice_months": 25}, "revocation_notice_months"),
    ],
)
def test_nonsense_terms_are_refused_on_their_field(changes, field):
    with pytest.raises(InvalidValue) as refused:
        check_terms(Terms(**{**SEED_TERMS.as_dict(), **changes}))
    assert refused.value.field == field


@pytest.mark.parametrize(
    "changes",
    [
        {"deposit_percent": Decimal("100.00"), "first_order_min": Decimal("0.00")},
        {"deposit_percent": Decimal("0"), "revocation_notice_months": 0},
        {"monthly_report_due_day": 28, "repair_batch_window_days": 1},
    ],
)
def test_terms_at_their_bounds_are_accepted(changes):
    check_terms(Terms(**{**SEED_TERMS.as_dict(), **changes}))


AMENDED = Terms(quarterly_quota=Decimal("80000.00"))
LATER = Terms(quarterly_quota=Decimal("90000.00"))
VERSIONS = [(D(2026, 1, 1), SEED_TERMS), (D(2026, 7, 1), AMENDED), (D(2027, 1, 1), LATER)]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2025, 12, 31), SEED_TERMS),  # before the start: the signed terms
        (D(2026, 1, 1), SEED_TERMS),
        (D(2026, 6, 30), SEED_TERMS),  # the day before the amendment
        (D(2026, 7, 1), AMENDED),  # the amendment's effective date
        (D(2026, 12, 31), AMENDED),
        (D(2027, 1, 1), LATER),
        (D(2030, 1, 1), LATER),
    ],
)
def test_the_terms_in_force_are_the_latest_version_effective_on_or_before_the_date(on, expected):
    assert terms_in_force(VERSIONS, on) == expected
    assert terms_in_force(list(reversed(VERSIONS)), on) == expected  # order of storage does not matter


def test_without_versions_the_seed_terms_apply():
    assert terms_in_force([], D(2026, 1, 1)) == SEED_TERMS


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((D(2026, 1, 1), D(2026, 12, 31)), (D(2026, 12, 31), D(2027, 12, 31)), True),  # one shared day: both ends count
        ((D(2026, 1, 1), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 12, 31)), False),  # back to back
        ((D(2026, 1, 1), D(2026, 12, 31)), (D(2025, 1, 1), D(2026, 1, 1)), True),
        ((D(2026, 1, 1), D(2026, 12, 31)), (D(2026, 3, 1), D(2026, 4, 1)), True),  # inside
        ((D(2026, 3, 1), D(2026, 4, 1)), (D(2026, 1, 1), D(2026, 12, 31)), True),  # around
        ((D(2026, 1, 1), D(2026, 1, 1)), (D(2026, 1, 1), D(2026, 1, 1)), True),  # one-day periods, same day
        ((D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 12, 31)), False),
    ],
)
def test_overlapping_periods_include_both_ends(a, b, expected):
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected


@pytest.mark.parametrize(
    ("stored", "terminated_on", "on", "expected"),
    [
        (ACTIVE, None, D(2026, 12, 31), ACTIVE),  # the end date counts in full (Art. 203)
        (ACTIVE, None, D(2027, 1, 1), EXPIRED),  # the day after: expired, before the daily command ran
        (EXPIRED, None, D(2027, 1, 1), EXPIRED),  # after the command ran
        (EXPIRED, None, D(2026, 6, 1), ACTIVE),  # read for a day of its term: it was active then
        (ACTIVE, None, D(2025, 12, 1), ACTIVE),  # activated ahead of its start
        (DRAFT, None, D(2027, 6, 1), DRAFT),  # a draft never expires
        (ACTIVE, D(2026, 8, 1), D(2026, 7, 31), ACTIVE),  # notice given, not yet effective
        (ACTIVE, D(2026, 8, 1), D(2026, 8, 1), TERMINATED),  # from the effective date
        (TERMINATED, D(2026, 8, 1), D(2027, 3, 1), TERMINATED),  # terminated, not expired
        (TERMINATED, D(2026, 8, 1), D(2026, 7, 1), ACTIVE),
    ],
)
def test_the_status_is_read_off_the_dates(stored, terminated_on, on, expected):
    assert status_on(stored, D(2026, 12, 31), on, terminated_on) is expected


@pytest.mark.parametrize(
    ("stored", "terminated_on", "expected"),
    [
        (DRAFT, None, None),
        (ACTIVE, None, (D(2026, 1, 1), D(2026, 12, 31))),
        (EXPIRED, None, (D(2026, 1, 1), D(2026, 12, 31))),
        (TERMINATED, D(2026, 8, 1), (D(2026, 1, 1), D(2026, 7, 31))),
        (TERMINATED, D(2026, 1, 1), None),  # terminated on its first day: it never bound anyone
    ],
)
def test_the_binding_period_ends_the_day_before_a_termination(stored, terminated_on, expected):
    assert binding_period(stored, D(2026, 1, 1), D(2026, 12, 31), terminated_on) == expected


@pytest.mark.parametrize(
    ("signed_on", "starts_on", "ends_on", "field"),
    [
        (D(2026, 1, 1), D(2026, 6, 1), D(2026, 5, 31), "ends_on"),  # end before start
        (D(2027, 1, 1), D(2026, 1, 1), D(2026, 12, 31), "signed_on"),  # signed after it ends
        (D(202, 1, 1), D(2026, 1, 1), D(2026, 12, 31), "signed_on"),  # a mistyped year
        (D(2026, 1, 1), D(2026, 1, 1), D(2126, 12, 31), "ends_on"),
    ],
)
def test_dates_that_make_no_sense_are_refused_on_their_field(signed_on, starts_on, ends_on, field):
    with pytest.raises(InvalidValue) as refused:
        check_dates(signed_on, starts_on, ends_on)
    assert refused.value.field == field


def test_a_one_day_agreement_signed_on_its_start_is_fine():
    check_dates(D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 1))


TERM = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("status", "signed_on", "on", "others", "products", "message"),
    [
        (ACTIVE, D(2025, 12, 1), D(2026, 1, 1), [], 1, "Only a draft"),
        (DRAFT, D(2026, 2, 1), D(2026, 1, 15), [], 1, "activate it from that day"),  # not signed yet
        (DRAFT, D(2025, 12, 1), D(2027, 1, 1), [], 1, "ended on 2026-12-31"),
        (DRAFT, D(2025, 12, 1), D(2026, 1, 1), [], 0, "at least one product"),
        (DRAFT, D(2025, 12, 1), D(2026, 1, 1), [(D(2025, 1, 1), D(2026, 1, 1))], 1, "already has an active agreement"),
        (DRAFT, D(2025, 12, 1), D(2026, 1, 1), [(D(2026, 12, 31), D(2027, 12, 31))], 1, "already has an active"),
    ],
)
def test_activation_is_refused(status, signed_on, on, others, products, message):
    with pytest.raises(DomainError) as refused:
        check_activation(status, signed_on, *TERM, on, others, product_count=products)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("on", "others"),
    [
        (D(2025, 12, 1), []),  # ahead of the start
        (D(2026, 12, 31), []),  # on its last day
        (D(2026, 1, 1), [(D(2025, 1, 1), D(2025, 12, 31))]),  # the previous one ended the day before
        (D(2026, 1, 1), [(D(2027, 1, 1), D(2027, 12, 31))]),
    ],
)
def test_activation_is_allowed(on, others):
    check_activation(DRAFT, D(2025, 12, 1), *TERM, on, others, product_count=3)


def test_only_a_draft_is_edited():
    check_editable(DRAFT)
    for status in (ACTIVE, EXPIRED, TERMINATED):
        with pytest.raises(DomainError):
            check_editable(status)


@pytest.mark.parametrize(
    ("status", "effective_from", "on", "terminated_on", "existing", "message"),
    [
        (DRAFT, D(2026, 7, 1), D(2026, 6, 1), None, [], "Only an active agreement"),
        (EXPIRED, D(2026, 7, 1), D(2026, 6, 1), None, [], "Only an active agreement"),
        (ACTIVE, D(2026, 1, 1), D(2025, 12, 1), None, [], "after the start"),  # on the start: that is the signed terms
        (ACTIVE, D(2027, 1, 1), D(2026, 6, 1), None, [], "after the start"),  # after the end
        (ACTIVE, D(2026, 8, 1), D(2026, 6, 1), D(2026, 8, 1), [], "after the start"),  # from the termination on
        (ACTIVE, D(2026, 5, 31), D(2026, 6, 1), None, [], "before the day it is recorded"),  # back-dated
        (ACTIVE, D(2026, 7, 1), D(2026, 6, 1), None, [D(2026, 7, 1)], "Another version"),
    ],
)
def test_amendments_outside_the_term_or_of_an_inactive_agreement_are_refused(
    status, effective_from, on, terminated_on, existing, message
):
    with pytest.raises(DomainError) as refused:
        check_amendment(status, *TERM, effective_from, [D(2026, 1, 1), *existing], on=on, terminated_on=terminated_on)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("effective_from", "on"),
    [
        (D(2026, 1, 2), D(2026, 1, 2)),  # the day after the start, recorded that day
        (D(2026, 12, 31), D(2026, 6, 1)),  # the last day
        (D(2026, 7, 1), D(2026, 6, 1)),
    ],
)
def test_amendments_inside_the_term_are_accepted(effective_from, on):
    check_amendment(ACTIVE, *TERM, effective_from, [D(2026, 1, 1)], on=on)


@pytest.mark.parametrize(
    ("notice_on", "months", "at_once", "expected"),
    [
        (D(2026, 1, 31), 1, False, D(2026, 3, 1)),  # §4.5, Arts. 202-203: notice ends 28 Feb, counted in full
        (D(2026, 3, 5), 1, False, D(2026, 4, 6)),  # the notice ends 5 April; terminated from 6 April
        (D(2026, 3, 5), 3, False, D(2026, 6, 6)),
        (D(2026, 3, 5), 1, True, D(2026, 3, 5)),  # §3.2: at once
        (D(2026, 3, 5), 0, False, D(2026, 3, 5)),
    ],
)
def test_a_termination_takes_effect_after_the_notice_months(notice_on, months, at_once, expected):
    assert termination_effective_on(notice_on, months, at_once=at_once) == expected


def test_a_termination_that_would_come_after_the_end_is_refused():
    check_termination(ACTIVE, D(2026, 12, 31), D(2026, 11, 30), D(2026, 12, 30))
    check_termination(ACTIVE, D(2026, 12, 31), D(2026, 11, 30), D(2026, 12, 31))
    with pytest.raises(DomainError, match="let it expire"):
        check_termination(ACTIVE, D(2026, 12, 31), D(2026, 12, 15), D(2027, 1, 15))
    with pytest.raises(DomainError, match="Only an active"):
        check_termination(DRAFT, D(2026, 12, 31), D(2026, 6, 1), D(2026, 7, 1))
