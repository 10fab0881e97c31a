"""Price lists for tests, made through the portal's services, and the access guard's foreign
price list (a draft: no distributor may see one)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from portal.distributors.models import Distributor
from portal.domain.pricing import Prices
from portal.pricing import services
from portal.pricing.models import PriceList

from ..builders import foreign_record
from ..products.builders import make_product

_n = itertools.count(1)

# Amounts that appear nowhere else, so a page can be searched for them.
LEVEL1, LEVEL2, FLOOR = "1111.11", "2222.22", "3333.33"


def prices(level1: str = LEVEL1, level2: str = LEVEL2, floor: str = FLOOR) -> Prices:
    return Prices(Decimal(level1), Decimal(level2), Decimal(floor))


def make_price_list(
    *,
    version: str | None = None,
    effective_from: date = date(2026, 1, 1),
    items: dict[str, Prices] | None = None,
    note: str = "",
    published_on: date | None = None,
) -> PriceList:
    """A draft with ``items`` (SKU → prices; by default one new product at LEVEL1/LEVEL2/FLOOR),
    published on ``published_on`` when given."""
    if items is None:
        items = {make_product().sku: prices()}
    price_list = services.create_price_list(
        services.PriceListData(version or f"测试价格表 {next(_n)}", effective_from, note), items=items
    )
    if published_on is not None:
        services.publish_price_list(price_list, published_on, None)
    return price_list


@foreign_record(PriceList)
def foreign_price_list(other: Distributor) -> PriceList:
    """A draft list: outside every distributor's scope."""
    return make_price_list()
