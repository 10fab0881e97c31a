"""docs/rules.md §2: money is Decimal, half-up to the fen, splits add up, input is strict."""

from decimal import Decimal

import pytest

from portal.domain.errors import InvalidValue
from portal.domain.money import from_fen, parse_money, parse_percent, percent_of, round_fen, split, to_fen

D = Decimal


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        (D("0.005"), D("0.01")),  # half-up, not banker's rounding
        (D("0.015"), D("0.02")),
        (D("0.025"), D("0.03")),
        (D("2.674"), D("2.67")),
        (D("2.675"), D("2.68")),
        (D("10"), D("10.00")),
    ],
)
def test_rounding_is_half_up_to_the_fen(amount, rounded):
    assert round_fen(amount) == rounded


def test_floats_never_pass_for_money():
    with pytest.raises(TypeError):
        round_fen(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "percent", "part", "rest"),
    [
        # §6.3.1: deposit 30%, balance the rest; the parts always add up to the total
        (D("60000.00"), D("30.00"), D("18000.00"), D("42000.00")),
        (D("100.01"), D("30.00"), D("30.00"), D("70.01")),  # 30.003 → 30.00
        (D("100.05"), D("30.00"), D("30.02"), D("70.03")),  # 30.015 → 30.02 (half-up)
        (D("0.01"), D("30.00"), D("0.00"), D("0.01")),
        (D("50000.00"), D("100.00"), D("50000.00"), D("0.00")),  # §2.1: first order paid in full
        (D("33333.33"), D("33.33"), D("11110.00"), D("22223.33")),
    ],
)
def test_split_rounds_one_part_and_gives_the_remainder_to_the_other(total, percent, part, rest):
    assert split(total, percent) == (part, rest)
    assert part + rest == total


def test_percent_of_is_rounded_half_up():
    # §6.5.3: fee cap 20% of the agent price
    assert percent_of(D("1234.56"), D("20.00")) == D("246.91")


@pytest.mark.parametrize("fen", [0, 1, 10, 99, 100, 123456789, 10**15])
def test_fen_round_trip_is_exact(fen):
    assert to_fen(from_fen(fen)) == fen


@pytest.mark.parametrize(
    ("fen", "shown"),
    [(0, "0.00"), (1, "0.01"), (100, "1.00"), (252000, "2520.00"), (251990, "2519.90"), (-250, "-2.50")],
)
def test_an_amount_from_fen_always_has_two_decimals(fen, shown):
    """Exports write the Decimal as it is (portal/exports.py), so it must carry exactly two places."""
    assert f"{from_fen(fen):f}" == shown


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1200", D("1200.00")),
        ("1200.5", D("1200.50")),
        ("1,200.00", D("1200.00")),  # thousands separators as Excel writes them
        ("1,234,567.89", D("1234567.89")),
        (" ¥15000.00 ", D("15000.00")),
        ("0", D("0.00")),
    ],
)
def test_money_input_accepts_plain_digits(text, amount):
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NaN", "digits"),
        ("Infinity", "digits"),
        ("-inf", "negative"),
        ("1e3", "digits"),
        ("1E-2", "digits"),
        ("-5.00", "negative"),
        ("1.005", "two decimals"),
        ("12,34.00", "digits"),
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("0x10", "digits"),
        ("１２３", "digits"),  # full-width digits are not plain digits
    ],
)
def test_money_input_refuses_anything_else_with_a_clear_message(text, message):
    with pytest.raises(InvalidValue) as error:
        parse_money(text)
    assert message in str(error.value)


def test_zero_can_be_refused():
    with pytest.raises(InvalidValue, match="more than zero"):
        parse_money("0.00", allow_zero=False)


@pytest.mark.parametrize(("text", "value"), [("30", D("30.00")), ("30.00", D("30.00")), ("100", D("100.00"))])
def test_percentages_are_exact_hundredths(text, value):
    assert parse_percent(text) == value


def test_a_percentage_above_100_is_refused():
    with pytest.raises(InvalidValue, match="100"):
        parse_percent("100.01")


def test_an_absurdly_long_amount_is_refused_not_a_crash():
    with pytest.raises(InvalidValue, match="too large"):
        parse_money("9" * 30)
    assert parse_money("9999999999999.99") == D("9999999999999.99")
