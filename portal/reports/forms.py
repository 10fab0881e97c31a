"""Forms of the reports area: a month's report typed on the page (inventory per authorised product,
sales lines, outlets and sub-agents, with a "more rows" button that needs no JavaScript), the upload
of the portal's template, the dismissal of a violation and the lock of a quarter.

Every cell is kept as typed text: the service reads and checks it (domain.reports.read_lines), and a
refusal comes back onto the cell it names (:func:`show_problems`)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..domain.reports import INVENTORY_COLUMNS, OUTLET_COLUMNS, SALE_COLUMNS, LineProblem, OutletKind
from ..forms import PortalForm, RowForm, enum_choices

SPARE_SALES = 5  # blank sales lines a new form shows; "more rows" adds as many again
SPARE_OUTLETS = 2
MAX_FORM_LINES = 300  # a month with more lines is uploaded


class InventoryRowForm(RowForm):
    sku = HiddenField()
    quantity = StringField(_l("On hand"), validators=[Length(max=12)], render_kw={"inputmode": "numeric"})


class SaleRowForm(RowForm):
    sold_on = StringField(_l("Date"), validators=[Length(max=20)], render_kw={"placeholder": "2026-03-05"})
    customer = StringField(_l("Customer"), validators=[Length(max=200)])
    region_code = StringField(
        _l("Region code"), validators=[Length(max=20)], render_kw={"inputmode": "numeric", "list": "region-codes"}
    )
    sku = StringField(_l("SKU"), validators=[Length(max=40)], render_kw={"list": "report-skus"})
    quantity = StringField(_l("Quantity"), validators=[Length(max=12)], render_kw={"inputmode": "numeric"})
    unit_price = StringField(_l("Unit price"), validators=[Length(max=20)], render_kw={"inputmode": "decimal"})
    serials = StringField(_l("Serial numbers"), validators=[Length(max=4000)])


class OutletRowForm(RowForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", "—"), *enum_choices(OutletKind)], validate_choice=False)
    name = StringField(_l("Name"), validators=[Length(max=200)])
    region_code = StringField(
        _l("Region code"), validators=[Length(max=20)], render_kw={"inputmode": "numeric", "list": "region-codes"}
    )


class ReportForm(PortalForm):
    """A month's report, new or corrected. ``more`` is the "more rows" button: the page comes back
    with what was typed and more blank lines, nothing saved."""

    month = StringField(
        _l("Month"), validators=[InputRequired(message=_l("Enter the month as YYYY-MM (2026-03).")), Length(max=7)]
    )
    inventory = FieldList(FormField(InventoryRowForm), min_entries=0, max_entries=MAX_FORM_LINES)
    sales = FieldList(FormField(SaleRowForm), min_entries=0, max_entries=MAX_FORM_LINES)
    outlets = FieldList(FormField(OutletRowForm), min_entries=0, max_entries=MAX_FORM_LINES)
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)], render_kw={"rows": 2})
    reason = StringField(_l("Reason for the correction"), validators=[Length(max=500)])
    more = SubmitField(_l("More rows"))
    save = SubmitField(_l("Submit the report"))

    def rows(self, section: str) -> list[dict[str, str]]:
        columns = {"inventory": INVENTORY_COLUMNS, "sales": SALE_COLUMNS, "outlets": OUTLET_COLUMNS}[section]
        return [{name: (entry.form[name].data or "") for name in columns} for entry in getattr(self, section)]

    def add_blank_rows(self, sales: int = SPARE_SALES, outlets: int = SPARE_OUTLETS) -> None:
        for _i in range(sales):
            if len(self.sales) < MAX_FORM_LINES:
                self.sales.append_entry()
        for _i in range(outlets):
            if len(self.outlets) < MAX_FORM_LINES:
                self.outlets.append_entry()


def show_problems(form: ReportForm, problems: list[LineProblem]) -> None:
    """Each refused cell's message under its cell; one about a whole section above the form."""
    for problem in problems:
        entries = getattr(form, problem.section, None)
        message = _(problem.message, **problem.params)
        if entries is not None and problem.column and problem.index < len(entries):
            cell = entries[problem.index].form[problem.column]
            cell.errors = [*cell.errors, message]
        else:
            form.form_errors.append(message)


class UploadForm(PortalForm):
    month = StringField(
        _l("Month"), validators=[InputRequired(message=_l("Enter the month as YYYY-MM (2026-03).")), Length(max=7)]
    )
    report_file = FileField(_l("The filled template (.xlsx), or a CSV of the sales lines"))
    reason = StringField(_l("Reason for the correction"), validators=[Length(max=500)])


class DismissForm(PortalForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(message=_l("Give the reason.")), Length(max=500)])


class LockForm(PortalForm):
    quarter = StringField(
        _l("Quarter"),
        validators=[InputRequired(message=_l("Enter the quarter as YYYY-Qn (2026-Q1).")), Length(max=7)],
        render_kw={"placeholder": "2026-Q1"},
    )


def form_value(form: Any, name: str) -> str:
    return str(getattr(form, name).data or "")
