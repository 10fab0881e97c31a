"""Assessment pages (docs/rules.md §9): the list (head office: every distributor's, filtered; a
distributor: its own), the button that computes an ended quarter, an assessment's page with its
figures, the quarter's violations and, for head office, the review form."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..clock import today
from ..distributors.queries import distributor_arg, picked_distributor
from ..domain.assessments import (
    FIGURE_LABELS,
    AssessmentOutcome,
    changed_figures,
    last_ended_quarter,
    parse_quarter,
    quarter_name,
)
from ..domain.errors import InvalidValue
from ..domain.permissions import may_read, may_review_assessments
from ..errors import domain_message
from ..forms import attempt, form_status
from ..pagination import paginate
from ..security import allowed, loads
from . import services
from .blueprint import bp
from .forms import ComputeForm, ReviewForm
from .models import Assessment
from .queries import TO_REVIEW, AssessmentFilters, assessments_matching, quarter_violations, quarters


def _outcome_choices() -> list[tuple[str, str]]:
    return [(TO_REVIEW, _("To review")), *((o.value, _(o.label)) for o in AssessmentOutcome)]


def _compute_form(form: ComputeForm | None = None) -> ComputeForm:
    if form is None:
        form = ComputeForm(formdata=None)
        form.quarter.data = quarter_name(*last_ended_quarter(today()))
    return form


def _index_page(compute_form: ComputeForm | None = None, status: int = 200) -> tuple[str, int]:
    head_office = current_user.is_head_office
    messages = []
    quarter_text = request.args.get("quarter", "").strip()[:20]
    quarter = None
    if quarter_text:
        try:
            quarter = quarter_name(*parse_quarter(quarter_text))
        except InvalidValue as error:
            messages.append(domain_message(error))
    chosen = request.args.get("outcome", "").strip()
    outcome = AssessmentOutcome(chosen) if chosen in {o.value for o in AssessmentOutcome} else None
    filters = AssessmentFilters(
        quarter=quarter,
        distributor_id=distributor_arg() if head_office else None,
        outcome=outcome,
        to_review=chosen == TO_REVIEW,
    )
    page = paginate(assessments_matching(filters))
    reviews = current_user.may(may_review_assessments)
    return render_template(
        "assessments/index.html",
        page=page,
        filters=filters,
        chosen_outcome=chosen if outcome is not None or chosen == TO_REVIEW else "",
        quarter_text=quarter_text,
        quarters=quarters(),
        outcomes=_outcome_choices(),
        head_office=head_office,
        picker=picked_distributor() if head_office else None,
        compute_form=_compute_form(compute_form) if reviews else None,
        messages=messages,
    ), (422 if messages and status == 200 else status)


@bp.get("/")
@allowed(may_read)
def index() -> Any:
    """The assessments in the caller's scope, the latest quarter first; head office filters them by
    quarter, distributor and outcome (or those still to review)."""
    return _index_page()


@bp.post("/compute")
@allowed(may_review_assessments)
def compute() -> Any:
    """Compute every assessment of an ended quarter (again: reviewed ones are left as they were)."""
    form = ComputeForm()
    if form.validate_on_submit():
        try:
            year, quarter = parse_quarter(form.quarter.data)
        except InvalidValue as error:
            form.quarter.errors = [*form.quarter.errors, domain_message(error)]
        else:
            result = attempt(form, services.compute_assessments, year, quarter, today())
            if result is not None:
                flash(
                    _(
                        "%(quarter)s: %(created)s assessments computed, %(updated)s updated, %(frozen)s already "
                        "reviewed and left as they were.",
                        quarter=result.quarter,
                        created=result.created,
                        updated=result.updated,
                        frozen=result.frozen,
                    ),
                    "success",
                )
                return redirect(url_for("assessments.index", quarter=result.quarter))
    return _index_page(form, form_status(form) if form.errors else 422)


def render_assessment_page(assessment: Assessment, form: ReviewForm | None = None, status: int = 200) -> Any:
    on = today()
    reviews = current_user.may(may_review_assessments) and not assessment.frozen
    stored = services.stored_figures(assessment)
    live = services.live_figures(assessment, on)
    if reviews and form is None:
        form = ReviewForm(formdata=None)
    held = services.held_region_codes(assessment.agreement, on) if reviews else []
    if form is not None:
        names = {t.region_code: t.region.name for t in assessment.agreement.territories}
        form.revoke_region_codes.choices = [SelectChoice(code, f"{code} {names.get(code, '')}") for code in held]
    return render_template(
        "assessments/show.html",
        assessment=assessment,
        figures=stored,
        live=live,
        changed=changed_figures(stored, live),
        figure_labels=FIGURE_LABELS,
        violations=quarter_violations(assessment),
        form=form if reviews else None,
        refusals=form.form_errors if form is not None and not reviews else [],
        ended=assessment.last_day < on,
        today=on,
    ), status


@bp.get("/<int:assessment_id>")
@allowed(may_read)
@loads(Assessment, "assessment_id", as_="assessment")
def show(assessment: Assessment) -> Any:
    """An assessment: its quota, the amount ordered, the attainment (or "no quota"), the violations of
    the quarter and the conduct figures; frozen once reviewed, saying when the live figures differ."""
    return render_assessment_page(assessment)


@bp.post("/<int:assessment_id>/review")
@allowed(may_review_assessments)
@loads(Assessment, "assessment_id", as_="assessment")
def review(assessment: Assessment) -> Any:
    """Head office's review: the outcome, the comment, the regions to revoke, the promotion date."""
    form = ReviewForm()
    form.revoke_region_codes.choices = []
    if form.validate_on_submit():
        reviewed = attempt(
            form,
            services.review_assessment,
            assessment,
            AssessmentOutcome(form.outcome.data),
            form.comment.data or "",
            form.revoke_region_codes.data or [],
            form.effective_from.data,
            on=today(),
            by=current_user,
        )
        if reviewed is not None:
            flash(
                _(
                    "Assessment %(quarter)s reviewed: %(outcome)s.",
                    quarter=reviewed.quarter,
                    outcome=_(reviewed.outcome.label) if reviewed.outcome else "",
                ),
                "success",
            )
            return redirect(url_for("assessments.show", assessment_id=reviewed.id))
    return render_assessment_page(assessment, form, form_status(form) if form.errors else 422)
