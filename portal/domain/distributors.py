"""Distributors and their identity (docs/rules.md §1, §12)."""

from __future__ import annotations

from enum import StrEnum

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from .errors import N_, InvalidValue


class Level(StrEnum):
    """一级 / 二级代理商: prices can differ by level (§2.2, §6.1)."""

    FIRST = "level1"
    SECOND = "level2"

    @property
    def label(self) -> str:
        return N_("First-level agent") if self is Level.FIRST else N_("Second-level agent")


class DistributorStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            DistributorStatus.ACTIVE: N_("Active"),
            DistributorStatus.SUSPENDED: N_("Suspended"),
            DistributorStatus.CLOSED: N_("Closed"),
        }[self]


def normalize_credit_code(text: str) -> str:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015) and return it compact.

    18 characters; the last is a check character computed from the first 17.
    """
    raw = (text or "").strip().upper()
    if not raw:
        raise InvalidValue(N_("Enter the unified social credit code."))
    try:
        return str(uscc.validate(raw))
    except ValidationError as exc:
        if len(uscc.compact(raw)) != 18:
            raise InvalidValue(N_("A unified social credit code has 18 characters.")) from exc
        raise InvalidValue(N_("This unified social credit code is not valid (check the last character).")) from exc
