"""Written notices (docs/rules.md §11): numbers per year, the warning's rules, dates as letters write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.errors import InvalidValue
from portal.domain.notices import (
    MESSAGE_MAX_LENGTH,
    NoticeType,
    check_warning,
    long_date,
    notice_number,
    parse_notice_number,
    yuan,
)


@pytest.mark.parametrize(
    ("year", "sequence", "expected"),
    [
        (2027, 1, "TZ-2027-0001"),
        (2027, 42, "TZ-2027-0042"),  # docs/rules.md §11's example
        (2027, 999, "TZ-2027-0999"),
        (2027, 9999, "TZ-2027-9999"),
        (2027, 10000, "TZ-2027-10000"),  # a busy year outgrows four digits, never wraps
        (2028, 1, "TZ-2028-0001"),  # every year starts again at 1
    ],
)
def test_notice_numbers(year, sequence, expected):
    assert notice_number(year, sequence) == expected
    assert parse_notice_number(expected) == (year, sequence)


@pytest.mark.parametrize(("year", "sequence"), [(2027, 0), (2027, -1), (999, 1), (10000, 1)])
def test_impossible_numbers_are_refused(year, sequence):
    with pytest.raises(ValueError, match="notice"):
        notice_number(year, sequence)


@pytest.mark.parametrize(
    "text", ["TZ-27-0042", "TZ-2027-042", "TZ-2027-0000", "tz-2027-0042", "2027-0042", "TZ-2027-00a2", ""]
)
def test_text_that_is_not_a_notice_number(text):
    with pytest.raises(InvalidValue):
        parse_notice_number(text)


@pytest.mark.parametrize(
    ("notice_type", "needs_date"),
    [
        (NoticeType.PRICE_LIST, True),  # the list's effective-from date
        (NoticeType.REVOCATION, True),  # §4.5: one month after the notice
        (NoticeType.TERMINATION, True),
        (NoticeType.WARNING, False),
        (NoticeType.REPAIR_FEES, False),
        (NoticeType.PAYMENT_REMINDER, False),
    ],
)
def test_which_notices_take_effect_on_a_stated_date(notice_type, needs_date):
    assert notice_type.needs_effective_date is needs_date


ISSUED = date(2027, 3, 5)


@pytest.mark.parametrize(
    ("zh", "en", "effective_on", "expected"),
    [
        ("请补交月报。", "Please send the report.", None, ("请补交月报。", "Please send the report.")),
        ("  请补交月报。\n", " Please send it. ", ISSUED, ("请补交月报。", "Please send it.")),  # same day: fine
        ("请补交。", "Please send it.", date(2027, 3, 12), ("请补交。", "Please send it.")),
        ("字" * MESSAGE_MAX_LENGTH, "x", None, ("字" * MESSAGE_MAX_LENGTH, "x")),
    ],
)
def test_a_warning_that_can_be_issued(zh, en, effective_on, expected):
    assert check_warning(zh, en, ISSUED, effective_on) == expected


@pytest.mark.parametrize(
    ("zh", "en", "effective_on", "field"),
    [
        ("", "Please send the report.", None, "message_zh"),
        ("请补交月报。", "   ", None, "message_en"),
        ("字" * (MESSAGE_MAX_LENGTH + 1), "x", None, "message_zh"),
        ("请补交。", "Please send it.", date(2027, 3, 4), "effective_on"),  # before the issue date
    ],
)
def test_a_warning_that_is_refused_names_its_field(zh, en, effective_on, field):
    with pytest.raises(InvalidValue) as refused:
        check_warning(zh, en, ISSUED, effective_on)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2027, 3, 5), "zh", "2027年3月5日"),
        (date(2027, 3, 5), "en", "5 March 2027"),
        (date(2027, 12, 31), "zh", "2027年12月31日"),
        (date(2028, 1, 1), "en", "1 January 2028"),
    ],
)
def test_dates_as_a_letter_writes_them(day, language, expected):
    assert long_date(day, language) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("0.00"), "¥0.00"),
        (Decimal("50000.00"), "¥50,000.00"),
    ],
)
def test_amounts_in_a_notice(amount, expected):
    assert yuan(amount) == expected


def test_a_warning_cannot_take_effect_in_year_9999():
    from datetime import date

    import pytest

    from portal.domain.errors import InvalidValue
    from portal.domain.notices import check_warning

    with pytest.raises(InvalidValue, match="between"):
        check_warning("警告", "Warning", date(2026, 3, 5), date(9999, 12, 31))
