"""The quarter figures of §10, kept current (docs/rules.md §10). Interface used by the assessments;
the compliance work of this issue fills it in."""

from __future__ import annotations

from datetime import date
from typing import Any


def frozen_figures(agreement_id: int, quarter: str, on: date) -> dict[str, Any]:
    """The §10 figures of one agreement's quarter as of ``on``, as plain JSON values (counts as
    ints, amounts as strings with two decimals), for an assessment to keep."""
    return {}
