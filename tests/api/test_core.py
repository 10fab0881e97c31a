"""The API's shared conventions: money and timestamps on the wire, and error messages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel

from portal.api.core import BodyModel, Money, MoneyIn, Percent, PercentIn, Timestamp, field_errors

ENGLISH = {"Accept-Language": "en"}


class Amounts(BodyModel):
    amount: MoneyIn
    share: PercentIn = Decimal("0")


class Shown(BaseModel):
    amount: Money
    share: Percent
    at: Timestamp


def test_money_and_percentages_go_out_as_strings_with_two_decimals_and_time_with_its_offset():
    shown = Shown(amount=Decimal("15000"), share=Decimal("30"), at=datetime(2025, 3, 5, 6, 30, tzinfo=UTC))

    assert shown.model_dump(mode="json") == {"amount": "15000.00", "share": "30.00", "at": "2025-03-05T14:30:00+08:00"}


@pytest.mark.parametrize(("raw", "expected"), [('"1200"', "1200.00"), ('"1,200.5"', "1200.50"), ('"0.10"', "0.10")])
def test_money_comes_in_as_a_string(app, raw, expected):
    with app.test_request_context(headers=ENGLISH):
        assert Amounts.model_validate_json(f'{{"amount": {raw}}}', strict=True).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1200.5", 'Send an amount as a string with at most two decimals, such as "1200.00".'),
        ('"NaN"', "Enter an amount in digits, such as 1200.00."),
        ('"1e3"', "Enter an amount in digits, such as 1200.00."),
        ('"-5"', "The amount cannot be negative."),
        ('"1.234"', "Enter at most two decimals (fen)."),
    ],
)
def test_money_that_is_not_plain_digits_is_refused_with_a_clear_message(app, raw, message):
    from pydantic import ValidationError

    with app.test_request_context(headers=ENGLISH), pytest.raises(ValidationError) as caught:
        Amounts.model_validate_json(f'{{"amount": {raw}}}', strict=True)
    with app.test_request_context(headers=ENGLISH):
        assert field_errors(caught.value) == {"amount": [message]}


def test_a_percentage_above_100_is_refused(app):
    from pydantic import ValidationError

    with app.test_request_context(headers=ENGLISH), pytest.raises(ValidationError) as caught:
        Amounts.model_validate_json('{"amount": "1", "share": "100.01"}', strict=True)
    with app.test_request_context(headers=ENGLISH):
        assert field_errors(caught.value) == {"share": ["A percentage cannot be more than 100."]}
