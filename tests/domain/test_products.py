"""Products: SKUs are kept in one form, so "pbx-main-200" and "PBX-MAIN-200" are the same SKU."""

import pytest

from portal.domain.errors import InvalidValue
from portal.domain.products import normalize_sku


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("PBX-MAIN-200", "PBX-MAIN-200"),
        ("  pbx-main-200 ", "PBX-MAIN-200"),
        ("acc.cbl_rj", "ACC.CBL_RJ"),
        ("A" * 40, "A" * 40),
        ("9", "9"),
    ],
)
def test_a_sku_is_trimmed_and_kept_in_capitals(typed, stored):
    assert normalize_sku(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the SKU."),
        ("   ", "Enter the SKU."),
        ("A" * 41, "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),
        ("PBX MAIN", "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),
        ("-PBX", "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),  # never starts a formula
        ("PBX/200", "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),  # never breaks a URL
        ("主控板", "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),
    ],
)
def test_a_bad_sku_is_refused_on_its_field(typed, message):
    with pytest.raises(InvalidValue) as refused:
        normalize_sku(typed)
    assert refused.value.message == message
    assert refused.value.field == "sku"
