"""The conduct demo that `make run` loads (portal/reports/demo.py, portal/assessments/demo.py): three
years of monthly reports and assessments, so every chart has something to show, and each story of
the issue — distributors meeting the quota, one warned, one losing a territory, one promoted, one
selling outside its territory and below the floor — made through the services."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal import demo as portal_demo
from portal.agreements.models import Agreement, Territory
from portal.assessments.models import Assessment
from portal.distributors.models import Distributor
from portal.domain.assessments import AssessmentOutcome
from portal.domain.distributors import Level
from portal.domain.notices import NoticeType
from portal.domain.reports import ViolationKind
from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation

DEMO_DAY = date(2026, 12, 1)


@pytest.fixture
def demo(app, monkeypatch: pytest.MonkeyPatch, caplog) -> dict[str, list[Assessment]]:
    monkeypatch.setattr("portal.clock.utcnow", lambda: datetime(2026, 12, 1, 4, 0, tzinfo=UTC))
    caplog.set_level(logging.INFO, logger="portal.reports.demo")
    portal_demo.load_demo()
    assert not [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]  # every report fits
    by_code: dict[str, list[Assessment]] = {}
    for assessment in db.session.scalars(select(Assessment).order_by(Assessment.first_day)):
        by_code.setdefault(assessment.distributor.code, []).append(assessment)
    return by_code


def _distributor(code: str) -> Distributor:
    return db.session.scalar(select(Distributor).where(Distributor.code == code))


def test_three_years_of_quarters_are_assessed_and_the_last_one_waits_for_review(demo):
    quarters = {a.quarter for assessments in demo.values() for a in assessments}
    assert min(quarters) == "2024-Q1"
    assert max(quarters) == "2026-Q3"
    waiting = [a for assessments in demo.values() for a in assessments if a.outcome is None]
    assert waiting
    assert {a.quarter for a in waiting} == {"2026-Q3"}
    assert all(a.outcome is AssessmentOutcome.MET for a in demo["HZ001"] if a.outcome)  # meets its quota
    assert all(a.ordered_amount >= a.quota for a in demo["HZ001"])


def test_a_distributor_that_misses_its_quota_is_warned_by_notice(demo):
    warned = [a for a in demo["CD004"] if a.outcome is AssessmentOutcome.WARNING]
    assert warned
    assert all(a.ordered_amount < a.quota for a in warned)
    for assessment in warned:
        year, quarter = assessment.quarter.split("-Q")
        assert assessment.notice.type is NoticeType.WARNING
        assert f"{year} 年第 {quarter} 季度" in assessment.notice.body_zh


def test_a_distributor_is_promoted_and_one_loses_a_territory(demo):
    promoted = next(a for a in demo["SZ002"] if a.outcome is AssessmentOutcome.PROMOTE)
    agreement = db.session.get(Agreement, promoted.agreement_id)
    assert agreement.level_on(promoted.reviewed_on) is Level.SECOND
    assert agreement.level_on(DEMO_DAY) is Level.FIRST

    revoked = next(a for a in demo["SZ003"] if a.outcome is AssessmentOutcome.REVOKE_TERRITORIES)
    assert revoked.notice.type is NoticeType.REVOCATION
    dongguan = db.session.scalar(
        select(Territory).where(Territory.agreement_id == revoked.agreement_id, Territory.region_code == "441900")
    )
    assert dongguan.revocation_notice_id == revoked.notice_id
    assert not dongguan.is_granted(DEMO_DAY)  # the month of notice has run out (§4.5)


def test_one_distributor_sold_outside_its_territory_and_below_the_floor(demo):
    wh = _distributor("WH005")
    kinds = set(db.session.scalars(select(Violation.kind).where(Violation.distributor_id == wh.id)))
    assert {ViolationKind.CROSS_TERRITORY, ViolationKind.BELOW_PRICE} <= kinds
    others = db.session.scalars(
        select(Violation.kind).where(
            Violation.distributor_id != wh.id, Violation.kind != ViolationKind.UNAPPROVED_SUB_AGENT
        )
    ).all()
    assert others == []


def test_reports_cover_every_ended_month_late_and_missing_ones_included(demo):
    hz = _distributor("HZ001")
    months = set(db.session.scalars(select(MonthlyReport.month).where(MonthlyReport.distributor_id == hz.id)))
    assert "2025-01" in months
    assert "2026-10" in months
    assert "2026-11" not in months
    assert db.session.scalar(select(MonthlyReport.id).where(MonthlyReport.late.is_(True)).limit(1))
    cd = _distributor("CD004")
    cd_months = set(db.session.scalars(select(MonthlyReport.month).where(MonthlyReport.distributor_id == cd.id)))
    assert "2026-02" in cd_months
    assert len(cd_months) < 20
