"""Products: head office (sales, admin) manages them, finance reads them, and a distributor sees
the products its agreements authorise (docs/rules.md §3, §12)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..domain.permissions import may_manage_products, may_read
from ..forms import attempt, form_status
from ..pagination import paginate
from ..security import allowed, loads, scoped
from .forms import ProductForm
from .models import Product
from .services import ProductData, categories, create_product, update_product

bp = Blueprint("products", __name__, url_prefix="/products")


def _data(form: ProductForm) -> ProductData:
    return ProductData(
        sku=form.sku.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        category=form.category.data or "",
        serialized=bool(form.serialized.data),
        active=bool(form.active.data),
    )


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    statement = scoped(select(Product), Product).order_by(Product.sku)
    category = request.args.get("category", "").strip()
    active = request.args.get("active", "")
    query = request.args.get("q", "").strip()
    if category:
        statement = statement.where(Product.category == category)
    if active in ("1", "0"):
        statement = statement.where(Product.active.is_(active == "1"))
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            or_(Product.sku.ilike(pattern), Product.name_zh.ilike(pattern), Product.name_en.ilike(pattern))
        )
    return render_template(
        "products/index.html",
        page=paginate(statement),
        categories=categories(),
        category=category,
        active=active,
        q=query,
    )


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_manage_products)
def new() -> Any:
    form = ProductForm()
    if form.validate_on_submit():
        product = attempt(form, create_product, _data(form))
        if product is not None:
            flash(_("Product %(sku)s created.", sku=product.sku), "success")
            return redirect(url_for("products.show", sku=product.sku))
    return render_template("products/form.html", form=form, product=None, categories=categories()), form_status(form)


@bp.get("/<sku>")
@allowed(may_read)
@loads(Product, "sku", by="sku")
def show(product: Product) -> Any:
    return render_template("products/show.html", product=product)


@bp.route("/<sku>/edit", methods=["GET", "POST"])
@allowed(may_manage_products)
@loads(Product, "sku", by="sku")
def edit(product: Product) -> Any:
    form = ProductForm(obj=product if request.method == "GET" else None)
    if form.validate_on_submit():
        saved = attempt(form, update_product, product, _data(form))
        if saved is not None:
            flash(_("Product %(sku)s saved.", sku=saved.sku), "success")
            return redirect(url_for("products.show", sku=saved.sku))
    return render_template("products/form.html", form=form, product=product, categories=categories()), form_status(form)
