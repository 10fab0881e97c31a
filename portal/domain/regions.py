"""The region tree of GB/T 2260 codes (docs/rules.md §4).

A code has six digits: ``PPCCDD``. A province ends in ``0000``, a prefecture-level city in ``00``,
anything else is a district or county. Municipalities (Beijing …) have districts directly under
the province, so a region's parent is the nearest existing ancestor.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

from .errors import N_, InvalidValue

# Six digits, the first not 0 (no province code starts with 0); the API's document says the same.
CODE_PATTERN = "[1-9][0-9]{5}"
_CODE_RE = re.compile(f"^{CODE_PATTERN}$", re.ASCII)


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"

    @property
    def label(self) -> str:
        return {
            RegionLevel.PROVINCE: N_("Province"),
            RegionLevel.CITY: N_("City"),
            RegionLevel.DISTRICT: N_("District"),
        }[self]


def normalize_code(text: str) -> str:
    """Six-digit GB/T 2260 code; a 12-digit statistical code is cut to its first six digits."""
    raw = (text or "").strip()
    if re.fullmatch(r"\d{12}", raw, re.ASCII):
        raw = raw[:6]
    if not _CODE_RE.match(raw):
        raise InvalidValue(N_("A region code has six digits (GB/T 2260), such as 330100."))
    return raw


def level_of(code: str) -> RegionLevel:
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.DISTRICT


def ancestor_codes(code: str) -> list[str]:
    """Codes that could be above ``code``, nearest first (city, then province)."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return []
    if level is RegionLevel.CITY:
        return [code[:2] + "0000"]
    return [code[:4] + "00", code[:2] + "0000"]


def parent_code(code: str, known: Collection[str]) -> str | None:
    """The nearest ancestor of ``code`` that exists in ``known``, or None for a province."""
    for candidate in ancestor_codes(code):
        if candidate in known:
            return candidate
    return None
