"""Products that agreements authorise and price lists price (docs/rules.md §3, §5)."""

from __future__ import annotations

import re

from .errors import N_, InvalidValue

# As stored (capitals); the API's document names the same form, in either case.
SKU_PATTERN = "[A-Z0-9][A-Z0-9._-]{0,39}"
SKU_RE = re.compile(f"^{SKU_PATTERN}$", re.ASCII)


def normalize_sku(text: str) -> str:
    """SKUs are kept in capitals: letters, digits, dot, hyphen and underscore, at most 40."""
    sku = (text or "").strip().upper()
    if not sku:
        raise InvalidValue(N_("Enter the SKU."), field="sku")
    if not SKU_RE.match(sku):
        raise InvalidValue(N_("A SKU has at most 40 letters, digits, dots, hyphens or underscores."), field="sku")
    return sku
