"""/api/v1/products: head office (sales, admin) manages products; finance reads them; a
distributor user sees the products its agreements authorise, and 404 for any other.

``name`` is the product's Chinese name (its official name, as on the agreement); ``name_en`` is the
English one. Writes go through :mod:`portal.products.services`, with the pages' rules and messages.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Annotated, Any

from flask import url_for
from pydantic import Field
from sqlalchemy import or_, select

from ..domain.permissions import may_manage_products, may_read
from ..domain.products import normalize_sku
from ..products import services
from ..products.models import Product
from ..security import allowed, loads, scoped
from .blueprint import bp
from .core import (
    UNSENT,
    BodyModel,
    OutModel,
    PatchModel,
    QueryModel,
    api_doc,
    domain_checked,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)
from .core import Sku as SkuText

Sku = Annotated[SkuText, domain_checked(normalize_sku)]
Name = text(200, min_length=1)
NameEn = text(200)
Category = text(100)
QueryText = text(100)


class ProductIn(BodyModel):
    sku: Sku = Field(description="Letters, digits, dot, hyphen, underscore; stored in capitals; unique.")
    name: Name = Field(description="The Chinese name (产品名称).")
    name_en: NameEn = ""
    category: Category = ""
    serialized: bool = Field(default=True, description="Each unit carries a serial number (boards).")
    active: bool = True


class ProductPatch(PatchModel):
    """Only the fields sent change."""

    sku: Sku = UNSENT
    name: Name = UNSENT
    name_en: NameEn = UNSENT
    category: Category = UNSENT
    serialized: bool = UNSENT
    active: bool = UNSENT


class ProductOut(OutModel):
    id: int
    sku: str
    name: str = Field(validation_alias="name_zh", description="The Chinese name.")
    name_en: str
    category: str
    serialized: bool
    active: bool


class ProductQuery(QueryModel):
    category: QueryText | None = None
    active: bool | None = None
    q: QueryText | None = Field(default=None, description="SKU or a name contains this text.")


def _renamed(values: dict[str, Any]) -> dict[str, Any]:
    """The API's ``name`` is the model's ``name_zh``."""
    values = dict(values)
    if "name" in values:
        values["name_zh"] = values.pop("name")
    return values


@bp.get("/products")
@allowed(may_read)
@api_doc(query=ProductQuery, response=ProductOut, list_of=True)
def list_products() -> Any:
    """List products.

    Ordered by SKU. A distributor user sees the products its agreements authorise.
    """
    query = parse_query(ProductQuery)
    statement = scoped(select(Product), Product).order_by(Product.sku)
    if query.category:
        statement = statement.where(Product.category == query.category)
    if query.active is not None:
        statement = statement.where(Product.active.is_(query.active))
    if query.q:
        pattern = f"%{query.q}%"
        statement = statement.where(
            or_(Product.sku.ilike(pattern), Product.name_zh.ilike(pattern), Product.name_en.ilike(pattern))
        )
    return page_of(ProductOut, statement)


@bp.post("/products")
@allowed(may_manage_products)
@api_doc(body=ProductIn, response=ProductOut, status=201)
def create_product() -> Any:
    """Add a product.

    The SKU must be new (409 on the field ``sku`` otherwise).
    """
    product = services.create_product(services.ProductData(**_renamed(parse_body(ProductIn).model_dump())))
    return one(ProductOut, product, 201, Location=url_for("api.get_product", sku=product.sku))


@bp.get("/products/<sku>")
@allowed(may_read)
@loads(Product, "sku", by="sku")
@api_doc(response=ProductOut)
def get_product(product: Product) -> Any:
    """Show one product by SKU.

    A distributor user gets 404 for a product none of its agreements authorises.
    """
    return one(ProductOut, product)


@bp.patch("/products/<sku>")
@allowed(may_manage_products)
@loads(Product, "sku", by="sku")
@api_doc(body=ProductPatch, response=ProductOut)
def update_product(product: Product) -> Any:
    """Change a product.

    Only the fields sent change. A new ``sku`` must be free; price lists and agreements follow
    the product, whatever its SKU.
    """
    sent = _renamed(parse_body(ProductPatch).model_dump(exclude_unset=True))
    current = services.ProductData(**{f.name: getattr(product, f.name) for f in fields(services.ProductData)})
    services.update_product(product, replace(current, **sent))
    return one(ProductOut, product)
