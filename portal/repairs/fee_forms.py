"""Forms of the repair fees: booking a fee payment, voiding one, releasing a withheld batch
(docs/rules.md §7.2). The payment forms are the order payments' (portal.receivables.forms); the
service refuses what a form cannot know (over the amount due, before the notice, the same slip)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import PortalForm
from ..receivables.forms import PaymentForm, VoidForm

FeePaymentForm = PaymentForm
FeeVoidForm = VoidForm


class ReleaseForm(PortalForm):
    """Head office lets the boards go back although fees are unpaid: the reason is required and kept
    in the audit trail."""

    reason = TextAreaField(
        _l("Reason for releasing"),
        validators=[DataRequired(message=_l("Give the reason for releasing this batch.")), Length(max=500)],
    )


__all__ = ["FeePaymentForm", "FeeVoidForm", "ReleaseForm"]
