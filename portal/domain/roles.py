"""Who uses the portal (docs/rules.md §12)."""

from __future__ import annotations

from enum import StrEnum

from .errors import N_


class Role(StrEnum):
    DISTRIBUTOR = "distributor"
    SALES = "sales"
    FINANCE = "finance"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_head_office(self) -> bool:
        return self is not Role.DISTRIBUTOR


ROLE_LABELS = {
    Role.DISTRIBUTOR: N_("Distributor"),
    Role.SALES: N_("Head-office sales"),
    Role.FINANCE: N_("Finance"),
    Role.ADMIN: N_("Administrator"),
}

HEAD_OFFICE = frozenset({Role.SALES, Role.FINANCE, Role.ADMIN})
EVERYONE = frozenset(Role)
