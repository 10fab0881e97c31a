"""Quarterly assessments: computing and reviewing them (docs/rules.md §9; contract §2.1, §2.2, §4.5).

:func:`compute_assessments` assesses, once a quarter has ended, every agreement whose binding
period overlaps it; it is idempotent (a daily scheduler and head office's button may both run it)
and never changes a reviewed assessment. :func:`review_assessment` records head office's outcome
and carries it out in the same transaction: a written warning, a revocation of the chosen regions
or a termination by notice (the §4.5 month of notice), or a promotion to first level from a date.
From then on the assessment is frozen with the figures it was based on; :func:`live_figures` says
what they would be now, so the page can say when they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..agreements.models import Agreement, LevelChange
from ..agreements.services import revoke_territories, terminate_agreement
from ..audit.tracking import audit_reason
from ..clock import utcnow
from ..compliance.figures import frozen_figures
from ..domain.agreements import AgreementStatus
from ..domain.assessments import (
    AssessmentOutcome,
    Figures,
    attainment_percent,
    check_review,
    quarter_has_ended,
    quarter_name,
)
from ..domain.compliance import Figures as ComplianceFigures
from ..domain.dates import quarter_bounds
from ..domain.distributors import Level
from ..domain.errors import N_, DomainError, InvalidValue
from ..domain.notices import long_date, yuan
from ..domain.orders import prorated_quota, quota_day
from ..extensions import db
from ..notices.models import Notice
from ..notices.services import WarningData, issue_warning
from ..orders.queries import ordered_amount, ordered_amounts
from ..reports.models import Violation
from ..transactions import locked, transactional
from .models import Assessment

#: A comment stays short enough for the warning notice that quotes it (a notice's message: 2,000).
COMMENT_MAX_LENGTH = 1500


@dataclass(frozen=True)
class ComputeResult:
    quarter: str
    created: int = 0
    updated: int = 0
    frozen: int = 0  # reviewed, left as they were

    @property
    def total(self) -> int:
        return self.created + self.updated + self.frozen


def quarter_agreements(first: date, last: date, *, lock: bool = False) -> list[Agreement]:
    """Every agreement (not a draft) whose binding period overlaps ``first``–``last``: begun by its
    last day, not ended nor terminated before its first. ``lock``: their rows are locked until the
    transaction ends."""
    statement = (
        select(Agreement)
        .where(
            Agreement.status != AgreementStatus.DRAFT,
            Agreement.starts_on <= last,
            Agreement.ends_on >= first,
            or_(Agreement.terminated_on.is_(None), Agreement.terminated_on > first),
        )
        .options(selectinload(Agreement.term_versions))
        .order_by(Agreement.id)
    )
    if lock:
        statement = statement.with_for_update(of=Agreement)
    return list(db.session.scalars(statement))


def _counted_violations(first: date, last: date) -> list[Any]:
    """A violation counts in the quarter ``first``–``last`` when it occurred in it and was not
    dismissed (for one agreement or many)."""
    return [Violation.occurred_on >= first, Violation.occurred_on <= last, Violation.dismissed_on.is_(None)]


def violation_count(agreement_id: int, first: date, last: date) -> int:
    """The agreement's violations that occurred in the quarter and were not dismissed."""
    return int(
        db.session.scalar(
            select(func.count(Violation.id)).where(
                Violation.agreement_id == agreement_id, *_counted_violations(first, last)
            )
        )
        or 0
    )


def violation_counts(first: date, last: date) -> dict[int, int]:
    """:func:`violation_count` of every agreement with a violation in the quarter (one GROUP BY)."""
    rows = db.session.execute(
        select(Violation.agreement_id, func.count(Violation.id))
        .where(*_counted_violations(first, last))
        .group_by(Violation.agreement_id)
    )
    return {agreement_id: int(count) for agreement_id, count in rows}


def figures_of(
    agreement: Agreement, first: date, last: date, *, ordered: Decimal, violations: int, conduct: dict[str, Any]
) -> Figures:
    """The agreement's figures for the quarter ``first``–``last`` from what was counted: the
    quarterly quota in force on the quarter's first day the term covers (domain.orders.quota_day),
    prorated by the days the term covers."""
    period = agreement.binding_period()
    full = agreement.terms_on(quota_day(period, first, last)).quarterly_quota
    return Figures(
        full_quota=full,
        quota=prorated_quota(full, period, first, last),
        ordered_amount=ordered,
        violations=violations,
        conduct=conduct,
    )


def quarter_figures(agreement: Agreement, quarter: str, first: date, last: date, on: date) -> Figures:
    """The agreement's figures for the quarter as the records stand on ``on``: its quotas
    (:func:`figures_of`), the orders confirmed in the quarter less those cancelled, the violations,
    the §10 figures."""
    return figures_of(
        agreement,
        first,
        last,
        ordered=ordered_amount(agreement.id, first, last),
        violations=violation_count(agreement.id, first, last),
        conduct=frozen_figures(agreement.id, quarter, on),
    )


def assessment_rows(year: int, quarter: int, on: date, conduct: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every assessment :func:`compute_assessments` would create for an ended quarter on ``on``, as
    rows of the assessments table, in a constant number of statements: the quarter's agreements
    (:func:`quarter_agreements`), their ordered amounts and violations each in one GROUP BY. The
    §10 figures come from the caller (``conduct``, by agreement id), who has them in bulk: the
    benchmark generator reads them from the kept-current table, computed on the same day."""
    name = quarter_name(year, quarter)
    first, last = quarter_bounds(year, quarter)
    ordered, violations = ordered_amounts(first, last), violation_counts(first, last)
    rows = []
    for agreement in quarter_agreements(first, last):
        figures = figures_of(
            agreement,
            first,
            last,
            ordered=ordered.get(agreement.id, Decimal("0.00")),
            violations=violations.get(agreement.id, 0),
            conduct=conduct.get(agreement.id) or ComplianceFigures().as_json(),
        )
        rows.append(
            {
                "agreement_id": agreement.id,
                "distributor_id": agreement.distributor_id,
                "quarter": name,
                "first_day": first,
                "last_day": last,
                "full_quota": figures.full_quota,
                "quota": figures.quota,
                "ordered_amount": figures.ordered_amount,
                "violations": figures.violations,
                "figures": dict(figures.conduct),
                "computed_on": on,
            }
        )
    return rows


def stored_figures(assessment: Assessment) -> Figures:
    return Figures(
        assessment.full_quota,
        assessment.quota,
        assessment.ordered_amount,
        assessment.violations,
        dict(assessment.figures or {}),
    )


def live_figures(assessment: Assessment, on: date) -> Figures:
    """What the assessment's figures would be if it were computed on ``on``."""
    return quarter_figures(assessment.agreement, assessment.quarter, assessment.first_day, assessment.last_day, on)


def _store(assessment: Assessment, figures: Figures, on: date) -> None:
    assessment.full_quota = figures.full_quota
    assessment.quota = figures.quota
    assessment.ordered_amount = figures.ordered_amount
    assessment.violations = figures.violations
    assessment.figures = dict(figures.conduct)
    assessment.computed_on = on
    assessment.computed_at = utcnow()


@transactional
def compute_assessments(year: int, quarter: int, on: date) -> ComputeResult:
    """Assess the quarter for every agreement whose binding period overlaps it (§9), on ``on``.
    Refused while the quarter has not ended. Idempotent: an assessment is created once per agreement
    and quarter and refreshed by later runs until it is reviewed; a reviewed one is left as it was."""
    name = quarter_name(year, quarter)
    first, last = quarter_bounds(year, quarter)
    if not quarter_has_ended(year, quarter, on):
        raise DomainError(
            N_("The quarter %(quarter)s ends on %(last_day)s; it is assessed once it has ended."),
            field="quarter",
            quarter=name,
            last_day=last.isoformat(),
        )
    # The agreements are locked first, so a second run at the same time waits for this one and
    # then finds its assessments (instead of inserting them twice).
    agreements = quarter_agreements(first, last, lock=True)
    existing = {a.agreement_id: a for a in db.session.scalars(select(Assessment).where(Assessment.quarter == name))}
    created = updated = frozen = 0
    with audit_reason(f"compute-assessments {name}"):
        for agreement in agreements:
            assessment = existing.get(agreement.id)
            if assessment is not None and assessment.frozen:
                frozen += 1
                continue
            figures = quarter_figures(agreement, name, first, last, on)
            if assessment is None:
                assessment = Assessment(
                    agreement_id=agreement.id,
                    distributor_id=agreement.distributor_id,
                    quarter=name,
                    first_day=first,
                    last_day=last,
                )
                db.session.add(assessment)
                created += 1
            elif stored_figures(assessment) == figures:
                continue  # nothing changed: no write, no audit row
            else:
                updated += 1
            _store(assessment, figures, on)
        db.session.flush()
    return ComputeResult(name, created, updated, frozen)


# --- the review -------------------------------------------------------------------------------------


def held_region_codes(agreement: Agreement, on: date) -> list[str]:
    """The regions the agreement holds on ``on`` that a revocation may still name: granted that day,
    no revocation notified yet (none once the agreement no longer binds)."""
    if not agreement.binds(on):
        return []
    return [t.region_code for t in agreement.territories if t.is_granted(on) and t.revoked_effective_on is None]


def warning_messages(assessment: Assessment) -> tuple[str, str]:
    """The warning notice's message in Chinese and in English: the quarter, the amount ordered
    against the quota and the attainment, and head office's comment."""
    percent = attainment_percent(assessment.ordered_amount, assessment.quota)
    year, quarter = assessment.quarter.split("-Q")
    if percent is None:
        zh_share, en_share = "本季度无配额", "no quota for the quarter"
    else:
        zh_share, en_share = f"完成率 {percent}%", f"an attainment of {percent}%"
    zh = (
        f"贵司 {year} 年第 {quarter} 季度（{long_date(assessment.first_day, 'zh')}至"
        f"{long_date(assessment.last_day, 'zh')}）的考核：订货额 {yuan(assessment.ordered_amount)}，"
        f"季度配额 {yuan(assessment.quota)}，{zh_share}。"
    )
    en = (
        f"Your assessment for {assessment.quarter} ({long_date(assessment.first_day, 'en')} to "
        f"{long_date(assessment.last_day, 'en')}): ordered {yuan(assessment.ordered_amount)} against a quota "
        f"of {yuan(assessment.quota)}, {en_share}."
    )
    comment = assessment.comment.strip()
    if comment:
        zh, en = f"{zh}\n{comment}", f"{en}\n{comment}"
    return zh, en


@transactional
def review_assessment(
    assessment: Assessment,
    outcome: AssessmentOutcome,
    comment: str,
    revoke_region_codes: Sequence[str] = (),
    effective_from: date | None = None,
    *,
    on: date,
    by: User | None = None,
) -> Assessment:
    """Head office's review on ``on`` (§2.2, §4.5), carried out in the same transaction and audited
    with the comment: met — nothing more; warning — a written warning naming the quarter and the
    attainment; revoke territories — the chosen regions by notice (§4.5); terminate — by notice;
    promote — the agreement's level becomes first level from ``effective_from`` (by default the
    day after the review), so orders confirmed from then take first-level prices. Then the
    assessment is frozen. Refused (nothing changed) as :func:`check_review` says, and as the
    revocation or termination refuses (an agreement no longer active)."""
    assessment = locked(Assessment, assessment.id)
    agreement = assessment.agreement
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise InvalidValue(
            N_("Keep the comment under %(length)s characters."), field="comment", length=COMMENT_MAX_LENGTH
        )
    codes = list(dict.fromkeys(code.strip() for code in revoke_region_codes if code and code.strip()))
    promoted_from = check_review(
        outcome,
        last_day=assessment.last_day,
        on=on,
        reviewed_on=assessment.reviewed_on,
        region_codes=codes,
        held_codes=held_region_codes(agreement, on),
        comment=comment,
        effective_from=effective_from,
        level_on=agreement.level_on,
        binds=agreement.binds,
    )
    by_id = by.id if by is not None else None
    reason = comment or f"{assessment.quarter}: {outcome.value}"
    notice: Notice | None = None
    with audit_reason(reason):
        assessment.comment = comment
        if outcome is AssessmentOutcome.WARNING:
            message_zh, message_en = warning_messages(assessment)
            notice = issue_warning(
                WarningData(agreement.distributor_id, message_zh, message_en, agreement_id=agreement.id),
                on=on,
                issued_by=by,
            )
        elif outcome is AssessmentOutcome.REVOKE_TERRITORIES:
            notice = revoke_territories(agreement, codes, on, reason, today=on, issued_by_id=by_id)
            assessment.revoked_region_codes = " ".join(codes)
        elif outcome is AssessmentOutcome.TERMINATE:
            notice = terminate_agreement(agreement, on, reason, on, issued_by_id=by_id)
        elif outcome is AssessmentOutcome.PROMOTE and promoted_from is not None:
            db.session.add(
                LevelChange(
                    agreement=agreement,
                    effective_from=promoted_from,
                    level=Level.FIRST,
                    note=f"{assessment.quarter}: {reason}"[:500],
                )
            )
            assessment.promoted_from = promoted_from
        assessment.outcome = outcome
        assessment.reviewed_on = on
        assessment.reviewed_at = utcnow()
        assessment.reviewed_by_id = by_id
        assessment.notice_id = notice.id if notice is not None else None
        db.session.flush()
    db.session.expire(agreement, ["level_changes"])
    return assessment


def figures_json(figures: Figures) -> dict[str, Any]:
    """The figures as plain JSON values (amounts as strings with two decimals)."""
    return {
        "full_quota": f"{figures.full_quota:.2f}",
        "quota": f"{figures.quota:.2f}",
        "ordered_amount": f"{figures.ordered_amount:.2f}",
        "violations": figures.violations,
        "conduct": dict(figures.conduct),
    }
