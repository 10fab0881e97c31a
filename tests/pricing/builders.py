"""The access guard's foreign price list (a draft: no distributor may see one). Price lists are
made by tests/builders.py's ``make_price_list``."""

from __future__ import annotations

from portal.distributors.models import Distributor
from portal.pricing.models import PriceList

from ..builders import FLOOR, LEVEL1, LEVEL2, foreign_record, make_price_list, prices  # noqa: F401  (re-exported)


@foreign_record(PriceList)
def foreign_price_list(other: Distributor) -> PriceList:
    """A draft list: outside every distributor's scope."""
    return make_price_list()
