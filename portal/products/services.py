"""Product use cases: head office adds and edits products (docs/rules.md §3, §5)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain.errors import N_, Duplicate, InvalidValue
from ..domain.products import normalize_sku
from ..extensions import db
from ..transactions import transactional
from .models import Product


@dataclass(frozen=True)
class ProductData:
    sku: str
    name_zh: str
    name_en: str = ""
    category: str = ""
    serialized: bool = True
    active: bool = True


def _check(data: ProductData, current: Product | None) -> ProductData:
    sku = normalize_sku(data.sku)
    name_zh = data.name_zh.strip()
    if not name_zh:
        raise InvalidValue(N_("Enter the Chinese name."), field="name_zh")
    other = -1 if current is None else current.id
    if db.session.scalar(select(func.count()).select_from(Product).where(Product.sku == sku, Product.id != other)):
        raise Duplicate(N_("Another product has this SKU."), field="sku")
    return ProductData(
        sku=sku,
        name_zh=name_zh,
        name_en=data.name_en.strip(),
        category=data.category.strip(),
        serialized=data.serialized,
        active=data.active,
    )


@transactional
def create_product(data: ProductData) -> Product:
    clean = _check(data, None)
    product = Product(
        sku=clean.sku,
        name_zh=clean.name_zh,
        name_en=clean.name_en,
        category=clean.category,
        serialized=clean.serialized,
        active=clean.active,
    )
    db.session.add(product)
    return product


@transactional
def update_product(product: Product, data: ProductData) -> Product:
    """Change a product. Its SKU may change too (it stays unique); price lists and agreements
    refer to the product, not to the SKU, so they follow."""
    clean = _check(data, product)
    for name in ("sku", "name_zh", "name_en", "category", "serialized", "active"):
        setattr(product, name, getattr(clean, name))
    return product


def categories() -> list[str]:
    """The categories in use, for filters and suggestions."""
    return list(
        db.session.scalars(select(Product.category).where(Product.category != "").distinct().order_by(Product.category))
    )
