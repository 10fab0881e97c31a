"""Price lists (docs/rules.md §5): head office (sales, admin) drafts, imports and publishes them,
finance reads them, and a distributor sees published lists with its own level's agent price and
the minimum resale price only, on the pages and in the exports alike."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import undefer
from wtforms.fields.choices import SelectChoice

from ..clock import today
from ..domain.distributors import Level
from ..domain.errors import DomainError
from ..domain.pricing import (
    PRICE_COLUMNS,
    PriceListStatus,
    Prices,
    RowsRefused,
    check_editable,
    price_column,
    status_on,
)
from ..domain.roles import Role
from ..errors import domain_message
from ..extensions import db
from ..forms import apply_domain_error
from ..pagination import paginate
from ..products.models import Product
from ..security import EVERYONE, loads, roles_required, scoped
from . import importing, services
from .forms import ConfirmForm, ImportForm, ItemForm, ItemPricesForm, NewPriceListForm, PriceListForm
from .models import PriceList, PriceListItem

bp = Blueprint("pricing", __name__, url_prefix="/pricing")

MANAGERS = (Role.SALES, Role.ADMIN)
STATUSES = list(PriceListStatus)


def _status_filter(statement: Any, status: str, on: date) -> Any:
    if status == PriceListStatus.DRAFT:
        return statement.where(PriceList.status == PriceListStatus.DRAFT)
    if status == PriceListStatus.PUBLISHED:
        return statement.where(PriceList.status == PriceListStatus.PUBLISHED, ~services.superseded_clause(on))
    if status == PriceListStatus.SUPERSEDED:
        return statement.where(services.superseded_clause(on))
    return statement


@bp.get("/")
@roles_required(*EVERYONE)
def index() -> Any:
    on = today()
    status = request.args.get("status", "")
    query = request.args.get("q", "").strip()
    statement = (
        scoped(select(PriceList), PriceList)
        .options(undefer(PriceList.item_count))
        .order_by(PriceList.effective_from.desc(), PriceList.id.desc())
    )
    statement = _status_filter(statement, status, on)
    if query:
        statement = statement.where(PriceList.version.ilike(f"%{query}%"))
    page = paginate(statement)
    dates = services.published_dates()
    current = services.list_in_force(on)
    return render_template(
        "pricing/index.html",
        page=page,
        statuses=STATUSES,
        status=status,
        q=query,
        status_of={pl.id: status_on(pl.status, pl.effective_from, dates, on) for pl in page.items},
        current=current,
        today=on,
    )


def _copy_choices() -> list[SelectChoice]:
    lists = db.session.scalars(select(PriceList).order_by(PriceList.effective_from.desc(), PriceList.id.desc()))
    return [SelectChoice("", _l("Nothing: start empty")), *[SelectChoice(str(pl.id), pl.version) for pl in lists]]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new() -> Any:
    form = NewPriceListForm()
    form.copy_from.choices = _copy_choices()
    if request.method == "GET":
        current = services.list_in_force(today())
        form.copy_from.data = str(current.id) if current else ""
    if form.validate_on_submit():
        source = db.session.get(PriceList, int(form.copy_from.data)) if form.copy_from.data else None
        try:
            price_list = services.create_price_list(
                services.PriceListData(form.version.data or "", form.effective_from.data, form.note.data or ""),
                copy_from=source,
            )
        except DomainError as error:
            if not apply_domain_error(form, error):
                flash(domain_message(error), "danger")
        else:
            flash(_("Draft price list %(version)s created.", version=price_list.version), "success")
            return redirect(url_for("pricing.show", price_list_id=price_list.id))
    return render_template("pricing/form.html", form=form, price_list=None), 422 if form.errors else 200


@bp.get("/<int:price_list_id>")
@roles_required(*EVERYONE)
@loads(PriceList, "price_list_id", as_="price_list")
def show(price_list: PriceList) -> Any:
    on = today()
    level = services.viewer_level(current_user, on)
    query = request.args.get("q", "").strip()
    statement = services.items_statement(price_list.id)
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            or_(Product.sku.ilike(pattern), Product.name_zh.ilike(pattern), Product.name_en.ilike(pattern))
        )
    current = services.list_in_force(on)
    return render_template(
        "pricing/show.html",
        price_list=price_list,
        page=paginate(statement),
        q=query,
        level=level,
        status=services.status_of(price_list, on),
        in_force=current is not None and current.id == price_list.id,
        import_form=ImportForm(formdata=None),
        today=on,
    )


@bp.route("/<int:price_list_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def edit(price_list: PriceList) -> Any:
    check_editable(price_list.status)
    form = PriceListForm(obj=price_list if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_price_list(
                price_list,
                services.PriceListData(form.version.data or "", form.effective_from.data, form.note.data or ""),
            )
        except DomainError as error:
            db.session.rollback()
            if not apply_domain_error(form, error):
                flash(domain_message(error), "danger")
        else:
            flash(_("Price list %(version)s saved.", version=price_list.version), "success")
            return redirect(url_for("pricing.show", price_list_id=price_list.id))
    return render_template("pricing/form.html", form=form, price_list=price_list), 422 if form.errors else 200


@bp.route("/<int:price_list_id>/delete", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def delete(price_list: PriceList) -> Any:
    """GET: ask; POST: delete the draft and its items (a published list is never deleted)."""
    check_editable(price_list.status)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template(
            "pricing/delete.html", price_list=price_list, form=form, item_count=services.item_count(price_list.id)
        )
    version = price_list.version
    services.delete_price_list(price_list)
    flash(_("Draft price list %(version)s deleted.", version=version), "success")
    return redirect(url_for("pricing.index"))


def _prices(form: ItemPricesForm) -> Prices:
    return Prices(*(getattr(form, column).data for column in PRICE_COLUMNS))


def _show_problems(form: Any, refused: RowsRefused) -> None:
    for problem in refused.problems:
        field = getattr(form, problem.column, None)
        message = _(problem.message, **problem.params)
        if field is None:
            flash(message, "danger")
        else:
            field.errors = [*field.errors, message]


@bp.route("/<int:price_list_id>/items/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def new_item(price_list: PriceList) -> Any:
    check_editable(price_list.status)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = services.save_item(price_list, form.sku.data or "", _prices(form))
        except RowsRefused as refused:
            _show_problems(form, refused)
        else:
            flash(_("%(sku)s added.", sku=item.product.sku), "success")
            return redirect(url_for("pricing.show", price_list_id=price_list.id))
    return render_template("pricing/item_form.html", form=form, price_list=price_list, item=None), (
        422 if form.errors else 200
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(PriceListItem, "item_id", as_="item")
def edit_item(item: PriceListItem) -> Any:
    check_editable(item.price_list.status)
    form = ItemPricesForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_item(item.price_list, item.product.sku, _prices(form), item)
        except RowsRefused as refused:
            db.session.rollback()
            _show_problems(form, refused)
        else:
            flash(_("%(sku)s saved.", sku=item.product.sku), "success")
            return redirect(url_for("pricing.show", price_list_id=item.price_list_id))
    return render_template("pricing/item_form.html", form=form, price_list=item.price_list, item=item), (
        422 if form.errors else 200
    )


@bp.post("/items/<int:item_id>/delete")
@roles_required(*MANAGERS)
@loads(PriceListItem, "item_id", as_="item")
def delete_item(item: PriceListItem) -> Any:
    price_list_id, sku = item.price_list_id, item.product.sku
    services.delete_item(item)
    flash(_("%(sku)s removed from the list.", sku=sku), "success")
    return redirect(url_for("pricing.show", price_list_id=price_list_id))


@bp.route("/<int:price_list_id>/publish", methods=["GET", "POST"])
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def publish(price_list: PriceList) -> Any:
    """GET: what publishing will do (or why it cannot); POST: publish and issue the notices."""
    on = today()
    form = ConfirmForm()
    problem = None
    status = 200
    if form.validate_on_submit():
        try:
            notices = services.publish_price_list(price_list, on, current_user.id)
        except DomainError as error:
            db.session.rollback()
            problem, status = domain_message(error), 409
        else:
            flash(
                _(
                    "Price list %(version)s published; %(count)s written notices issued.",
                    version=price_list.version,
                    count=len(notices),
                ),
                "success",
            )
            return redirect(url_for("pricing.show", price_list_id=price_list.id))
    else:
        try:
            services.check_can_publish(price_list, on)
        except DomainError as error:
            problem = domain_message(error)
    return render_template(
        "pricing/publish.html",
        price_list=price_list,
        form=form,
        problem=problem,
        agreements=services.agreements_to_notify(on),
        comparison=services.compare_with_previous(price_list),
        today=on,
    ), status


@bp.post("/<int:price_list_id>/import")
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def import_file(price_list: PriceList) -> Any:
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a .xlsx or .csv file to import."), "danger")
        return redirect(url_for("pricing.show", price_list_id=price_list.id))
    upload = form.file.data
    try:
        changes = services.import_items(price_list, upload.filename or "", upload.read())
    except RowsRefused as refused:
        db.session.rollback()
        return render_template(
            "pricing/import_errors.html", price_list=price_list, problems=refused.problems, message=None
        ), 422
    except importing.UploadRefused as refused:
        db.session.rollback()
        return render_template(
            "pricing/import_errors.html", price_list=price_list, problems=[], message=domain_message(refused)
        ), 422
    flash(
        _(
            "Import done: %(added)s items added, %(updated)s changed, %(removed)s removed, %(unchanged)s unchanged.",
            added=changes.added,
            updated=changes.updated,
            removed=changes.removed,
            unchanged=changes.unchanged,
        ),
        "success",
    )
    return redirect(url_for("pricing.show", price_list_id=price_list.id))


# --- Files --------------------------------------------------------------------------------------


def _file_name(price_list: PriceList, kind: str, suffix: str) -> str:
    safe = re.sub(r"[^\w.-]+", "_", price_list.version).strip("_") or str(price_list.id)
    return f"{kind}-{safe}.{suffix}"


def _price_sheet(items: list[PriceListItem], level: Level | None) -> importing.Sheet:
    """The list as a table; a distributor's has its own level's price column only."""
    columns = [
        "sku",
        "name_zh",
        "name_en",
        *([price_column(level)] if level else PRICE_COLUMNS[:2]),
        "min_resale_price",
    ]
    money = [c for c in columns if c in PRICE_COLUMNS]
    rows = [
        [item.product.sku, item.product.name_zh, item.product.name_en, *(getattr(item, c) for c in money)]
        for item in items
    ]
    return importing.Sheet(_("Prices"), columns, rows, frozenset(money))


def _products_sheet() -> importing.Sheet:
    products = db.session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.sku))
    return importing.Sheet(
        _("Products"),
        ["sku", "name_zh", "name_en", "category"],
        [[p.sku, p.name_zh, p.name_en, p.category] for p in products],
    )


def _send(content: bytes, name: str, mimetype: str) -> Any:
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


def _export(price_list: PriceList, suffix: str) -> Any:
    level = services.viewer_level(current_user, today())
    sheet = _price_sheet(services.items_of(price_list.id), level)
    if suffix == "xlsx":
        return _send(importing.to_xlsx([sheet]), _file_name(price_list, "price-list", suffix), importing.XLSX_MIMETYPE)
    return _send(importing.to_csv(sheet), _file_name(price_list, "price-list", suffix), importing.CSV_MIMETYPE)


@bp.get("/<int:price_list_id>/export.xlsx")
@roles_required(*EVERYONE)
@loads(PriceList, "price_list_id", as_="price_list")
def export_xlsx(price_list: PriceList) -> Any:
    return _export(price_list, "xlsx")


@bp.get("/<int:price_list_id>/export.csv")
@roles_required(*EVERYONE)
@loads(PriceList, "price_list_id", as_="price_list")
def export_csv(price_list: PriceList) -> Any:
    return _export(price_list, "csv")


def _template_items(price_list: PriceList) -> list[PriceListItem]:
    """The draft's items; for an empty draft, those of the list it follows, to edit and upload."""
    items = services.items_of(price_list.id)
    if not items:
        previous = services.previous_list(price_list)
        items = services.items_of(previous.id) if previous else []
    return items


@bp.get("/<int:price_list_id>/template.xlsx")
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def template_xlsx(price_list: PriceList) -> Any:
    sheets = [_price_sheet(_template_items(price_list), None), _products_sheet()]
    return _send(importing.to_xlsx(sheets), _file_name(price_list, "template", "xlsx"), importing.XLSX_MIMETYPE)


@bp.get("/<int:price_list_id>/template.csv")
@roles_required(*MANAGERS)
@loads(PriceList, "price_list_id", as_="price_list")
def template_csv(price_list: PriceList) -> Any:
    sheet = _price_sheet(_template_items(price_list), None)
    return _send(importing.to_csv(sheet), _file_name(price_list, "template", "csv"), importing.CSV_MIMETYPE)


@bp.get("/<int:price_list_id>/compare")
@roles_required(*EVERYONE)
@loads(PriceList, "price_list_id", as_="price_list")
def compare(price_list: PriceList) -> Any:
    """What changed against the previous published list: added, removed, up, down, by how much."""
    level = services.viewer_level(current_user, today())
    show_all = request.args.get("all") == "1"
    return render_template(
        "pricing/compare.html",
        price_list=price_list,
        level=level,
        show_all=show_all,
        comparison=services.compare_with_previous(price_list, level),
    )
