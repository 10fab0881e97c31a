"""Forms of head office's repair steps (docs/rules.md §7.2): receive, inspect each line, the return
freight, repaired, notify, ship back. Dates default to today; the services refuse a date after
today or before the previous step, and name the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..clock import today
from ..domain.repairs import FaultCause, RepairOutcome
from ..forms import MoneyField, PortalForm, RequiredDayField, RequiredMoneyField, RowForm, enum_choices
from ..receivables.forms import DATE_FORMAT_MESSAGE

NOT_YET = _l("— not inspected —")


def _blank_first(choices: list[SelectChoice]) -> list[SelectChoice]:
    return [SelectChoice("", NOT_YET), *choices]


def _day(label: str) -> RequiredDayField:
    return RequiredDayField(label, default=today, validators=[InputRequired(message=DATE_FORMAT_MESSAGE)])


class ReceiveForm(PortalForm):
    received_on = _day(_l("Date received"))


class RepairedForm(PortalForm):
    repaired_on = _day(_l("Date repaired"))


class NotifyForm(PortalForm):
    notified_on = _day(_l("Date of the notice"))


class FreightForm(PortalForm):
    return_freight = RequiredMoneyField(_l("Return freight (¥)"))


class ReturnForm(PortalForm):
    returned_on = _day(_l("Date shipped back"))
    carrier = StringField(_l("Carrier"), validators=[Length(max=100)])
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=100)])


class InspectLineForm(RowForm):
    """One line's finding. Left without a cause and an outcome, the line keeps what it has."""

    line_id = HiddenField()
    cause = SelectField(_l("Fault cause"), choices=_blank_first(enum_choices(FaultCause)))
    outcome = SelectField(_l("Outcome"), choices=_blank_first(enum_choices(RepairOutcome)))
    fee = MoneyField(_l("Fee (¥)"))
    correction = StringField(_l("Reason for the correction"), validators=[Length(max=500)])


class InspectForm(PortalForm):
    inspected_on = _day(_l("Date inspected"))
    return_freight = MoneyField(_l("Return freight (¥)"))
    lines = FieldList(FormField(InspectLineForm), min_entries=0, max_entries=1000)
