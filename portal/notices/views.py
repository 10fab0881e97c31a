"""Written notices (§11): a distributor's inbox, a notice, its A4 print view and its acknowledgement;
head office's list of every notice with who read what, and its form for a written warning."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..clock import today
from ..distributors.models import Distributor
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.agreements import AgreementStatus
from ..domain.notices import LANGUAGES, NoticeType, ReadState
from ..domain.permissions import may_acknowledge_notices, may_issue_notices, may_read
from ..extensions import db
from ..forms import attempt, form_status
from ..pagination import int_arg, paginate
from ..security import allowed, loads
from .forms import WarningForm
from .models import Notice
from .queries import notice_years, notices_matching, unread_count
from .services import WarningData, acknowledge_notice, issue_warning

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.app_context_processor
def unread_notices() -> dict[str, Any]:
    """``unread_notice_count()`` for the navigation: one COUNT per request, only when a
    distributor user's page draws it (head office and signed-out pages send no query)."""

    def count() -> int:
        if "unread_notice_count" not in g:
            g.unread_notice_count = unread_count(current_user)
        return int(g.unread_notice_count)

    return {"unread_notice_count": count}


def _language() -> str:
    """The language to show a notice's text in: ``?lang=`` when given, else the user's."""
    chosen = request.args.get("lang", "")
    return chosen if chosen in LANGUAGES else ("en" if str(get_locale()).startswith("en") else "zh")


def _enum_arg(name: str, enum: type[Any]) -> Any:
    value = request.args.get(name, "")
    return enum(value) if value in {member.value for member in enum} else None


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """A distributor's inbox (its own notices, newest first); head office's list of every notice."""
    if not current_user.is_head_office:
        return render_template("notices/inbox.html", page=paginate(notices_matching()))
    filters = {
        "distributor_id": distributor_arg(),
        "notice_type": _enum_arg("type", NoticeType),
        "read": _enum_arg("read", ReadState),
        "year": int_arg("year"),
    }
    picker = picked_distributor()
    return render_template(
        "notices/index.html",
        page=paginate(notices_matching(**filters)),
        filters=filters,
        picker=picker,
        types=list(NoticeType),
        read_states=list(ReadState),
        years=notice_years(),
    )


def _warning_choices(form: WarningForm) -> None:
    """The agreements a warning may name: the chosen distributor's, drafts aside (the service
    refuses another's); none until a distributor is chosen, so the page never lists every one."""
    chosen = form.distributor_id.picked.id
    distributor = db.session.get(Distributor, chosen) if chosen is not None else None
    agreements = distributor.agreements if distributor is not None else []
    form.agreement_id.choices = [("", _("None"))] + [
        (a.id, f"{a.number} ({a.distributor.code})") for a in agreements if a.status != AgreementStatus.DRAFT
    ]


@bp.route("/new", methods=["GET", "POST"])
@allowed(may_issue_notices)
def new() -> Any:
    """Head office issues a written warning (警告通知) to a distributor."""
    form = WarningForm()
    if request.method == "GET":
        form.distributor_id.data = int_arg("distributor_id")
    _warning_choices(form)
    if form.validate_on_submit():
        data = WarningData(
            distributor_id=form.distributor_id.data or 0,  # required: the form checked it
            message_zh=form.message_zh.data or "",
            message_en=form.message_en.data or "",
            agreement_id=form.agreement_id.data,
            effective_on=form.effective_on.data,
        )
        notice = attempt(form, issue_warning, data, on=today(), issued_by=current_user)
        if notice is not None:
            flash(_("Notice %(number)s issued.", number=notice.number), "success")
            return redirect(url_for("notices.show", notice_id=notice.id))
    return render_template("notices/new.html", form=form), form_status(form)


@bp.get("/<int:notice_id>")
@allowed(may_read)
@loads(Notice, "notice_id")
def show(notice: Notice) -> Any:
    """One notice in the reader's language, with a link to the other one; who acknowledged when."""
    return render_template("notices/show.html", notice=notice, language=_language())


@bp.get("/<int:notice_id>/print")
@allowed(may_read)
@loads(Notice, "notice_id")
def printable(notice: Notice) -> Any:
    """The notice on one A4 sheet, wholly in the notice's language (labels included)."""
    language = _language()
    with force_locale(language):
        sheet = Markup(render_template("notices/_sheet.html", notice=notice, language=language))
    return render_template("notices/print.html", notice=notice, language=language, sheet=sheet)


@bp.post("/<int:notice_id>/acknowledge")
@allowed(may_acknowledge_notices)
@loads(Notice, "notice_id")
def acknowledge(notice: Notice) -> Any:
    """The distributor confirms reading the notice; a second confirmation changes nothing."""
    if acknowledge_notice(notice, current_user):
        flash(_("Thank you: notice %(number)s is acknowledged.", number=notice.number), "success")
    else:
        flash(_("This notice was already acknowledged."), "info")
    return redirect(url_for("notices.show", notice_id=notice.id))
