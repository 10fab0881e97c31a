"""Unified social credit codes (GB 32100-2015): 18 characters with a check character."""

import pytest

from portal.domain.distributors import normalize_credit_code
from portal.domain.errors import InvalidValue


@pytest.mark.parametrize(
    ("text", "code"), [("91330100MA2B3C4D5N", "91330100MA2B3C4D5N"), (" 91330100ma2b3c4d5n ", "91330100MA2B3C4D5N")]
)
def test_a_valid_code_is_kept_in_capitals(text, code):
    assert normalize_credit_code(text) == code


@pytest.mark.parametrize(
    ("text", "message"),
    [("91330100MA2B3C4D5X", "check"), ("91330100MA2B3C4D5", "18 characters"), ("", "Enter")],
)
def test_a_wrong_code_is_refused(text, message):
    with pytest.raises(InvalidValue, match=message):
        normalize_credit_code(text)
