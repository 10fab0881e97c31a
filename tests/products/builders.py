"""Products for tests, made through the portal's service, and the access guard's foreign product."""

from __future__ import annotations

import itertools
from typing import Any

from portal.distributors.models import Distributor
from portal.products.models import Product
from portal.products.services import ProductData, create_product

from ..builders import foreign_record

_n = itertools.count(1)


def make_product(
    sku: str | None = None,
    *,
    name_zh: str | None = None,
    name_en: str = "Test board",
    category: str = "主控板",
    **fields: Any,
) -> Product:
    n = next(_n)
    return create_product(
        ProductData(
            sku=sku or f"PRD-{n:05d}", name_zh=name_zh or f"测试板卡{n}", name_en=name_en, category=category, **fields
        )
    )


@foreign_record(Product)
def foreign_product(other: Distributor) -> Product:
    """A product that only another distributor's agreement authorises."""
    from ..agreements.builders import make_agreement

    product = make_product()
    make_agreement(other, skus=(product.sku,))
    return product
