"""Products: head office (sales, admin) manages them, finance reads them, and a distributor sees
the products its agreements authorise (docs/rules.md §3, §12)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..clock import today
from ..domain.roles import Role
from ..forms import attempt, form_status
from ..pagination import paginate
from ..pricing import services as pricing
from ..security import EVERYONE, loads, roles_required, scoped
from .forms import ProductForm
from .models import Product
from .services import ProductData, categories, create_product, update_product

bp = Blueprint("products", __name__, url_prefix="/products")

MANAGERS = (Role.SALES, Role.ADMIN)


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
@roles_required(*EVERYONE)
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
@roles_required(*MANAGERS)
def new() -> Any:
    form = ProductForm()
    if form.validate_on_submit():
        product = attempt(form, create_product, _data(form))
        if product is not None:
            flash(_("Product %(sku)s created.", sku=product.sku), "success")
            return redirect(url_for("products.show", sku=product.sku))
    return render_template("products/form.html", form=form, product=None, categories=categories()), form_status(form)


@bp.get("/<sku>")
@roles_required(*EVERYONE)
@loads(Product, "sku", by="sku")
def show(product: Product) -> Any:
    on = today()
    level = pricing.viewer_level(current_user, on)
    current = pricing.list_in_force(on)
    item = pricing.item_of(current.id, product.id) if current else None
    return render_template("products/show.html", product=product, price_list=current, item=item, level=level)


@bp.route("/<sku>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(Product, "sku", by="sku")
def edit(product: Product) -> Any:
    form = ProductForm(obj=product if request.method == "GET" else None)
    if form.validate_on_submit():
        saved = attempt(form, update_product, product, _data(form))
        if saved is not None:
            flash(_("Product %(sku)s saved.", sku=saved.sku), "success")
            return redirect(url_for("products.show", sku=saved.sku))
    return render_template("products/form.html", form=form, product=product, categories=categories()), form_status(form)
