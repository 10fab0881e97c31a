"""Computing and reviewing quarterly assessments (docs/rules.md §9; contract §2.1, §2.2, §4.5)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.agreements.models import LevelChange, Territory
from portal.assessments import services
from portal.assessments.models import Assessment
from portal.assessments.queries import to_review_count
from portal.audit.models import AuditEvent
from portal.domain.agreements import SEED_TERMS
from portal.domain.assessments import AssessmentOutcome as Out
from portal.domain.distributors import Level
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.notices import NoticeType
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.orders import services as orders
from portal.orders.models import Order

from ..builders import make_active_agreement, make_shop, make_territory, make_user
from .builders import AFTER_Q1, make_assessment, make_violation

D = Decimal


def assessment_of(agreement, quarter="2026-Q1"):
    db.session.expire_all()
    return db.session.scalar(
        select(Assessment).where(Assessment.agreement_id == agreement.id, Assessment.quarter == quarter)
    )


# --- computing ----------------------------------------------------------------------------------


def test_every_agreement_of_the_quarter_is_assessed_once_however_often_it_is_computed(shop, count_rows):
    shop.order(50, confirm_on=date(2026, 3, 5))  # ¥60,000 at level 2
    other = shop.elsewhere()

    first = services.compute_assessments(2026, 1, AFTER_Q1)
    again = services.compute_assessments(2026, 1, date(2026, 4, 3))

    assert (first.created, first.updated, first.frozen) == (2, 0, 0)
    assert (again.created, again.updated, again.frozen) == (0, 0, 0)
    assert count_rows(Assessment) == 2
    mine = assessment_of(shop.agreement)
    assert (mine.full_quota, mine.quota, mine.ordered_amount, mine.attainment) == (
        D("50000.00"),
        D("50000.00"),
        D("60000.00"),
        D("120.00"),
    )
    assert (mine.first_day, mine.last_day, mine.distributor_id) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        shop.distributor.id,
    )
    assert mine.computed_on == AFTER_Q1  # the second run changed nothing
    assert assessment_of(other.agreement).ordered_amount == D("0.00")
    assert to_review_count() == 2


def test_a_quarter_not_yet_ended_is_refused_and_nothing_written(shop, count_rows):
    with pytest.raises(DomainError) as refused:
        services.compute_assessments(2026, 2, date(2026, 6, 30))  # its last day counts in full
    assert refused.value.field == "quarter"
    assert count_rows(Assessment) == 0


def test_an_order_confirmed_on_the_quarters_last_day_counts_and_the_next_day_does_not(shop):
    shop.order(50, confirm_on=date(2026, 3, 31))
    shop.order(10, confirm_on=date(2026, 4, 1))

    assert make_assessment(shop.agreement).ordered_amount == D("60000.00")


def test_an_order_cancelled_after_the_quarter_is_taken_off_when_computed_again(shop):
    shop.order(50, confirm_on=date(2026, 1, 10))
    later = shop.order(25, confirm_on=date(2026, 3, 20))
    assert make_assessment(shop.agreement).ordered_amount == D("90000.00")

    orders.cancel_order(later, Role.SALES, date(2026, 4, 5), "customer withdrew")
    result = services.compute_assessments(2026, 1, date(2026, 4, 6))

    assert (result.created, result.updated) == (0, 1)
    assessment = assessment_of(shop.agreement)
    assert assessment.ordered_amount == D("60000.00")
    assert assessment.computed_on == date(2026, 4, 6)


def test_an_agreement_starting_mid_quarter_has_its_quota_prorated(shop):
    agreement = make_active_agreement(products=[shop.board], starts_on=date(2026, 2, 15))  # 45 of 90 days

    assessment = make_assessment(agreement)

    assert (assessment.full_quota, assessment.quota) == (D("50000.00"), D("25000.00"))


def test_agreements_outside_the_quarter_are_not_assessed(shop):
    make_active_agreement(products=[shop.board], starts_on=date(2026, 4, 1))

    result = services.compute_assessments(2026, 1, AFTER_Q1)

    assert result.created == 1  # the shop's only


def test_a_zero_quota_shows_no_attainment(app):
    shop = make_shop(terms=dataclasses.replace(SEED_TERMS, quarterly_quota=D("0.00")))
    shop.order(50, confirm_on=date(2026, 3, 5))

    assessment = make_assessment(shop.agreement)

    assert (assessment.quota, assessment.ordered_amount, assessment.attainment) == (D("0.00"), D("60000.00"), None)


def test_violations_of_the_quarter_are_counted_unless_dismissed(shop):
    make_violation(shop.agreement, date(2026, 1, 1))
    make_violation(shop.agreement, date(2026, 3, 31))
    make_violation(shop.agreement, date(2026, 2, 1), dismissed_on=date(2026, 3, 1))
    make_violation(shop.agreement, date(2026, 4, 1))
    make_violation(shop.elsewhere().agreement, date(2026, 2, 1))

    assert make_assessment(shop.agreement).violations == 2


def test_the_conduct_figures_come_from_the_compliance_area(shop, monkeypatch):
    calls = []

    def figures(agreement_id, quarter, on):
        calls.append((agreement_id, quarter, on))
        return {"reports_on_time": 3}

    monkeypatch.setattr(services, "frozen_figures", figures)

    assert make_assessment(shop.agreement).figures == {"reports_on_time": 3}
    assert calls == [(shop.agreement.id, "2026-Q1", AFTER_Q1)]


# --- reviewing ------------------------------------------------------------------------------------


@pytest.fixture
def assessed(shop):
    shop.order(50, confirm_on=date(2026, 3, 5))  # ¥60,000 of ¥50,000: 120%
    return make_assessment(shop.agreement)


def review(assessment, outcome, comment="考核 review", codes=(), effective_from=None, on=AFTER_Q1, by=None):
    return services.review_assessment(assessment, outcome, comment, list(codes), effective_from, on=on, by=by)


def test_met_freezes_the_assessment_and_nothing_else(assessed, count_rows):
    sales = make_user(role=Role.SALES)

    reviewed = review(assessed, Out.MET, "", by=sales)

    assert (reviewed.outcome, reviewed.reviewed_on, reviewed.reviewed_by_id, reviewed.frozen) == (
        Out.MET,
        AFTER_Q1,
        sales.id,
        True,
    )
    assert reviewed.notice_id is None
    assert count_rows(Notice) == 0
    assert to_review_count() == 0


def test_a_warning_issues_a_written_warning_naming_the_quarter_and_attainment(assessed, shop):
    reviewed = review(assessed, Out.WARNING, "请加强订货。Please order more.")

    notice = db.session.get(Notice, reviewed.notice_id)
    assert (notice.type, notice.distributor_id, notice.agreement_id, notice.issued_on) == (
        NoticeType.WARNING,
        shop.distributor.id,
        shop.agreement.id,
        AFTER_Q1,
    )
    assert "2026 年第 1 季度" in notice.body_zh
    assert "完成率 120.00%" in notice.body_zh
    assert "2026-Q1" in notice.body_en
    assert "an attainment of 120.00%" in notice.body_en
    assert "Please order more." in notice.body_en


def test_revoking_territories_issues_the_notice_with_a_months_notice(assessed, shop):
    make_territory(shop.agreement, "330100")
    make_territory(shop.agreement, "330200")

    reviewed = review(assessed, Out.REVOKE_TERRITORIES, "跨区销售", ["330100"])

    notice = db.session.get(Notice, reviewed.notice_id)
    assert notice.type is NoticeType.REVOCATION
    assert notice.effective_on == date(2026, 5, 3)  # held to 2 May, revoked from 3 May (§4.5)
    territories = {t.region_code: t for t in db.session.scalars(select(Territory))}
    assert territories["330100"].revoked_effective_on == date(2026, 5, 3)
    assert territories["330200"].revoked_effective_on is None
    assert reviewed.revoked_regions == ["330100"]


def test_terminating_issues_the_notice_with_a_months_notice(assessed, shop):
    reviewed = review(assessed, Out.TERMINATE, "连续未完成配额")

    notice = db.session.get(Notice, reviewed.notice_id)
    assert notice.type is NoticeType.TERMINATION
    db.session.refresh(shop.agreement)
    assert shop.agreement.terminated_on == date(2026, 5, 3)


def test_promotion_changes_the_level_from_the_day_after_the_review(assessed, shop):
    reviewed = review(assessed, Out.PROMOTE, "表现优秀")

    change = db.session.scalar(select(LevelChange))
    assert (change.agreement_id, change.effective_from, change.level) == (
        shop.agreement.id,
        date(2026, 4, 3),
        Level.FIRST,
    )
    assert reviewed.promoted_from == date(2026, 4, 3)
    db.session.refresh(shop.agreement)
    assert shop.agreement.level_on(date(2026, 4, 2)) is Level.SECOND
    assert shop.agreement.level_on(date(2026, 4, 3)) is Level.FIRST


def test_orders_confirmed_from_the_promotion_take_first_level_prices(assessed, shop):
    before = shop.order(10, on=date(2026, 4, 1), confirm_on=None)
    after = shop.order(10, on=date(2026, 4, 1), confirm_on=None)
    review(assessed, Out.PROMOTE, "表现优秀", effective_from=date(2026, 4, 10))

    orders.submit_order(before, Role.DISTRIBUTOR, date(2026, 4, 1))
    orders.submit_order(after, Role.DISTRIBUTOR, date(2026, 4, 1))
    orders.confirm_order(before, Role.SALES, date(2026, 4, 9), today=date(2026, 4, 10))
    orders.confirm_order(after, Role.SALES, date(2026, 4, 10), today=date(2026, 4, 10))

    db.session.expire_all()
    assert [line.unit_price for line in db.session.get(Order, before.id).lines] == [D("1200.00")]  # level 2
    assert [line.unit_price for line in db.session.get(Order, after.id).lines] == [D("1000.00")]  # level 1


def test_the_review_is_audited_with_its_comment(assessed):
    review(assessed, Out.WARNING, "请加强订货")

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "assessments").order_by(AuditEvent.id)
    ).all()
    assert events[-1].reason == "请加强订货"
    assert events[-1].changes["outcome"][1] == "warning"


@pytest.mark.parametrize(
    ("outcome", "kwargs", "error"),
    [
        (Out.MET, {"on": date(2026, 3, 31)}, DomainError),  # the quarter has not ended
        (Out.REVOKE_TERRITORIES, {}, InvalidValue),  # no region chosen
        (Out.REVOKE_TERRITORIES, {"codes": ["320000"]}, InvalidValue),  # a region it does not hold
        (Out.PROMOTE, {"effective_from": date(2026, 4, 1)}, InvalidValue),  # before the review
        (Out.TERMINATE, {"comment": ""}, InvalidValue),  # the termination states its reason
        (Out.WARNING, {"comment": "x" * 1501}, InvalidValue),
    ],
)
def test_a_refused_review_changes_nothing(assessed, shop, count_rows, outcome, kwargs, error):
    make_territory(shop.agreement, "330100")

    with pytest.raises(error):
        review(assessed, outcome, **kwargs)

    assessment = assessment_of(shop.agreement)
    assert (assessment.outcome, assessment.reviewed_on) == (None, None)
    assert count_rows(Notice) == count_rows(LevelChange) == 0
    assert {t.revoked_effective_on for t in db.session.scalars(select(Territory))} == {None}


def test_promoting_a_first_level_agreement_is_refused(shop):
    agreement = make_active_agreement(products=[shop.board], level=Level.FIRST)

    with pytest.raises(DomainError, match="already first-level"):
        review(make_assessment(agreement), Out.PROMOTE)


def test_a_reviewed_assessment_is_frozen(assessed, shop, count_rows):
    review(assessed, Out.MET)

    with pytest.raises(DomainError, match="frozen"):
        review(assessment_of(shop.agreement), Out.WARNING)
    assert count_rows(Notice) == 0


def test_recomputing_never_changes_a_frozen_assessment_and_the_live_figures_say_so(assessed, shop):
    order = shop.order(25, confirm_on=date(2026, 3, 20))  # ¥30,000 more, confirmed in the quarter
    review(assessed, Out.MET)
    make_violation(shop.agreement, date(2026, 2, 1))

    result = services.compute_assessments(2026, 1, date(2026, 4, 5))

    assert (result.created, result.updated, result.frozen) == (0, 0, 1)
    frozen = assessment_of(shop.agreement)
    assert (frozen.ordered_amount, frozen.violations, frozen.computed_on) == (D("60000.00"), 0, AFTER_Q1)
    live = services.live_figures(frozen, date(2026, 4, 5))
    assert (live.ordered_amount, live.violations) == (D("90000.00"), 1)
    assert order.total == D("30000.00")
    from portal.domain.assessments import changed_figures

    # The conduct figures of §10 moved too: the late order's deposit, the violation by kind.
    assert changed_figures(services.stored_figures(frozen), live) == ["ordered_amount", "violations", "conduct"]
    assert frozen.figures != live.conduct


def test_the_price_lists_show_a_promoted_distributor_its_level_on_the_day(assessed, shop):
    from portal.pricing.services import distributor_level, viewer_level

    review(assessed, Out.PROMOTE, "表现优秀", effective_from=date(2026, 4, 10))

    assert distributor_level(shop.distributor.id, date(2026, 4, 9)) is Level.SECOND
    assert distributor_level(shop.distributor.id, date(2026, 4, 10)) is Level.FIRST
    assert viewer_level(shop.agent, date(2026, 4, 10)) is Level.FIRST
    assert viewer_level(shop.sales, date(2026, 4, 10)) is None  # head office sees both


def test_two_computations_at_once_assess_each_agreement_once(app, shop, monkeypatch, count_rows):
    """Both runs would insert the quarter's assessments unless the second waits for the first (the
    agreements are locked first): the delay holds the first inside while the second arrives."""
    import threading
    import time

    db.session.commit()
    real = services.quarter_figures

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "quarter_figures", slow)
    results: list[object] = []
    start = threading.Barrier(2)

    def compute() -> None:
        with app.app_context():
            start.wait()
            try:
                results.append(services.compute_assessments(2026, 1, AFTER_Q1))
            except Exception as error:  # noqa: BLE001  (the test reports what went wrong)
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=compute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted((r.created, r.updated) for r in results) == [(0, 0), (1, 0)]
    assert count_rows(Assessment) == 1


def test_the_assessment_and_the_kept_current_figures_agree_on_quota_and_orders(shop):
    """The assessment (SQL sums, portal.assessments.services) and the compliance figures (one pandas
    pass, portal.domain.compliance) read the same quarter the same way: the quota of the terms of the
    quarter's first day covered (an amendment in force from 15 February does not change Q1's), the
    orders confirmed in it less those cancelled later."""
    from portal.agreements import services as agreements
    from portal.compliance.figures import refresh
    from portal.compliance.models import QuarterFigures

    amended = dataclasses.replace(SEED_TERMS, quarterly_quota=D("80000.00"))
    agreements.amend_agreement(shop.agreement, date(2026, 2, 15), amended, "quota raised", on=date(2026, 2, 1))
    shop.order(50, confirm_on=date(2026, 3, 31))
    later = shop.order(25, confirm_on=date(2026, 2, 20))
    orders.cancel_order(later, Role.SALES, date(2026, 4, 1), "customer withdrew")

    assessment = make_assessment(shop.agreement)
    refresh(agreement_ids=[shop.agreement.id], on=AFTER_Q1)
    figures = db.session.scalar(
        select(QuarterFigures).where(
            QuarterFigures.agreement_id == shop.agreement.id, QuarterFigures.quarter == "2026-Q1"
        )
    )

    assert (assessment.quota, assessment.ordered_amount) == (D("50000.00"), D("60000.00"))
    assert (figures.quota, figures.ordered_amount) == (assessment.quota, assessment.ordered_amount)
