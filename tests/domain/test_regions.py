"""docs/rules.md §4: the region tree keyed by GB/T 2260 codes."""

import pytest

from portal.domain.errors import InvalidValue
from portal.domain.regions import RegionLevel, level_of, normalize_code, parent_code


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("330000", RegionLevel.PROVINCE),
        ("330100", RegionLevel.CITY),
        ("330106", RegionLevel.DISTRICT),
        ("110000", RegionLevel.PROVINCE),
        ("110105", RegionLevel.DISTRICT),
    ],
)
def test_level_follows_the_code(code, level):
    assert level_of(code) is level


@pytest.mark.parametrize(
    ("code", "known", "parent"),
    [
        ("330106", {"330000", "330100"}, "330100"),  # 西湖区 → 杭州市
        ("330100", {"330000"}, "330000"),  # 杭州市 → 浙江省
        ("110105", {"110000"}, "110000"),  # 朝阳区 → 北京市: municipalities have no city level
        ("330000", {"330000"}, None),
        ("429004", {"420000"}, "420000"),  # 仙桃市: county-level city directly under the province
    ],
)
def test_parent_is_the_nearest_existing_ancestor(code, known, parent):
    assert parent_code(code, known) == parent


@pytest.mark.parametrize(("text", "code"), [("330100", "330100"), (" 330100 ", "330100"), ("330100000000", "330100")])
def test_codes_are_six_digits(text, code):
    assert normalize_code(text) == code


@pytest.mark.parametrize("text", ["", "33010", "3301000", "033010", "abcdef", "330100000"])
def test_bad_codes_are_refused(text):
    with pytest.raises(InvalidValue):
        normalize_code(text)
