"""The region tree: browse it (head office) and import updates from a CSV (admin)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select

from ..domain.permissions import may_manage_regions, may_read_every_distributor
from ..extensions import db
from ..forms import PortalForm, form_status
from ..pagination import paginate
from ..security import allowed
from . import services
from .models import Region

bp = Blueprint("regions", __name__, url_prefix="/regions")


class ImportForm(PortalForm):
    file = FileField(
        _l("CSV file (code, name, parent_code)"), validators=[FileRequired(_l("Choose a CSV file to import."))]
    )


@bp.get("/")
@allowed(may_read_every_distributor)
def index() -> Any:
    return _index()


def _index(form: ImportForm | None = None) -> Any:
    """The tree's page; ``form``, when an import was refused, is shown again with its message."""
    parent = request.args.get("parent", "").strip() or None
    query = request.args.get("q", "").strip()
    statement = select(Region).order_by(Region.code)
    if query:
        statement = statement.where(Region.name.contains(query) | Region.code.startswith(query))
    else:
        statement = statement.where(Region.parent_code == parent if parent else Region.parent_code.is_(None))
    parent_region = db.session.get(Region, parent) if parent else None
    trail: list[Region] = []
    node = parent_region
    while node is not None:
        trail.insert(0, node)
        node = node.parent
    total = db.session.scalar(select(func.count()).select_from(Region))
    return render_template(
        "regions/index.html",
        page=paginate(statement),
        parent=parent_region,
        trail=trail,
        q=query,
        total=total,
        form=form or ImportForm(formdata=None),
    ), form_status(form)


@bp.post("/import")
@allowed(may_manage_regions)
def import_csv() -> Any:
    form = ImportForm()
    if not form.validate_on_submit():
        return _index(form)
    rows, errors = services.read_csv(form.file.data.read())
    result = services.import_regions(rows) if not errors else services.ImportResult(errors=errors)
    if result.errors:
        return render_template("regions/import_errors.html", errors=result.errors), 422
    flash(
        _(
            "Import done: %(created)s regions added, %(updated)s updated.",
            created=result.created,
            updated=result.updated,
        ),
        "success",
    )
    return redirect(url_for("regions.index"))
