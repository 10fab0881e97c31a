"""The access guard's foreign product. Products are made by tests/builders.py's ``make_product``."""

from __future__ import annotations

from portal.distributors.models import Distributor
from portal.products.models import Product

from ..builders import foreign_record, make_agreement, make_product  # noqa: F401  (re-exported)


@foreign_record(Product)
def foreign_product(other: Distributor) -> Product:
    """A product that only another distributor's agreement authorises."""
    product = make_product()
    make_agreement(other, skus=(product.sku,))
    return product
