"""Submitting and correcting a month's report, the violations found, dismissal and the quarter lock
(docs/rules.md §8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.agreements import services as agreements
from portal.audit.models import AuditEvent
from portal.domain.errors import DomainError, InvalidValue
from portal.domain.reports import ReportRefused, ViolationKind
from portal.extensions import db
from portal.reports import services
from portal.reports.models import MonthlyReport, ReportSaleLine, Violation

from ..builders import make_product, make_regions, make_sub_agent_request
from .builders import SUBMITTED_ON, granted_shop, make_report, outlet, report_data, sale

K = ViolationKind


def kinds(report):
    db.session.expire_all()
    return sorted(v.kind.value for v in db.session.scalars(select(Violation).where(Violation.report_id == report.id)))


def test_a_report_is_saved_with_its_lines_and_due_day(shop):
    granted_shop(shop)
    report = make_report(shop, inventory=[{"sku": shop.board.sku, "quantity": "7"}], outlets=[])
    assert (report.month, report.due_on, report.submitted_on, report.late) == (
        "2026-02",
        date(2026, 3, 10),
        SUBMITTED_ON,
        False,
    )
    assert report.agreement_id == shop.agreement.id
    assert [(line.product_id, line.quantity) for line in report.inventory] == [(shop.board.id, 7)]
    assert [(s.sold_on, s.region_code, s.unit_price) for s in report.sales] == [
        (date(2026, 2, 3), "330106", Decimal("1500.00"))
    ]
    assert kinds(report) == []  # a district inside the granted city, at the floor


def test_a_report_after_the_due_day_is_late(shop):
    granted_shop(shop)
    report = make_report(shop, "2026-01", on=date(2026, 2, 11), sales=[sale(shop, sold_on="2026-01-20")])
    assert report.late is True


@pytest.mark.parametrize(
    ("month", "on", "error", "field"),
    [
        ("2026-03", date(2026, 3, 10), InvalidValue, "month"),  # not yet ended
        ("2025-12", date(2026, 3, 10), DomainError, "month"),  # no agreement bound that month
        ("2026/02", date(2026, 3, 10), InvalidValue, "month"),
    ],
)
def test_a_month_that_cannot_be_reported(shop, count_rows, month, on, error, field):
    make_regions()
    with pytest.raises(error) as refused:
        services.submit_report(shop.distributor.id, report_data(shop, month), today=on)
    assert refused.value.field == field
    assert count_rows(MonthlyReport) == 0


def test_a_month_already_reported_is_refused_correct_it_instead(shop):
    granted_shop(shop)
    make_report(shop)
    with pytest.raises(DomainError, match="already submitted"):
        services.submit_report(shop.distributor.id, report_data(shop), today=SUBMITTED_ON)


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"sold_on": "2026-03-01"}, "sold_on"),
        ({"region_code": "999999"}, "region_code"),
        ({"quantity": "-2"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"sku": "NO-SUCH"}, "sku"),
    ],
)
def test_a_bad_line_saves_nothing(shop, count_rows, cells, column):
    make_regions()
    with pytest.raises(ReportRefused) as refused:
        services.submit_report(
            shop.distributor.id, report_data(shop, sales=[sale(shop), sale(shop, **cells)]), today=SUBMITTED_ON
        )
    assert [p.path for p in refused.value.problems] == [f"sales.1.{column}"]
    assert (count_rows(MonthlyReport), count_rows(ReportSaleLine), count_rows(Violation)) == (0, 0, 0)


def test_a_product_the_agreement_does_not_authorise_is_refused(shop):
    make_regions()
    other = make_product("NOT-MINE")
    with pytest.raises(ReportRefused) as refused:
        services.submit_report(
            shop.distributor.id, report_data(shop, inventory=[{"sku": other.sku, "quantity": "1"}]), today=SUBMITTED_ON
        )
    assert [p.path for p in refused.value.problems] == ["inventory.0.sku"]


def test_violations_are_found_with_their_evidence(shop):
    granted_shop(shop)
    report = make_report(
        shop,
        sales=[
            sale(shop),  # fine
            sale(shop, region_code="320500", customer="苏州客户"),  # outside
            sale(shop, unit_price="1499.99"),  # one fen below
        ],
        outlets=[outlet("无名网点", kind="outlet")],
    )
    assert kinds(report) == ["below_price", "cross_territory", "unapproved_sub_agent"]
    below = db.session.scalar(select(Violation).where(Violation.kind == K.BELOW_PRICE))
    assert (below.unit_price, below.min_resale_price, below.product_id, below.occurred_on) == (
        Decimal("1499.99"),
        Decimal("1500.00"),
        shop.board.id,
        date(2026, 2, 3),
    )
    cross = db.session.scalar(select(Violation).where(Violation.kind == K.CROSS_TERRITORY))
    assert (cross.customer, cross.region_code, cross.found_on) == ("苏州客户", "320500", SUBMITTED_ON)
    unapproved = db.session.scalar(select(Violation).where(Violation.kind == K.UNAPPROVED_SUB_AGENT))
    assert (unapproved.outlet_name, unapproved.occurred_on) == ("无名网点", date(2026, 2, 28))


def test_a_sale_on_the_day_a_revocation_applies_is_outside(shop):
    granted_shop(shop)
    # Notice on 2026-01-15: held to 2026-02-15, revoked from 2026-02-16 (docs/rules.md §4).
    agreements.revoke_territories(shop.agreement, ["330100"], date(2026, 1, 15), "越区", today=date(2026, 1, 15))
    db.session.commit()
    assert shop.agreement.territories[0].revoked_effective_on == date(2026, 2, 16)
    report = make_report(
        shop,
        sales=[sale(shop, sold_on="2026-02-15", customer="前一天"), sale(shop, sold_on="2026-02-16", customer="当天")],
    )
    found = db.session.scalars(select(Violation).where(Violation.report_id == report.id)).all()
    assert [(v.kind, v.customer) for v in found] == [(K.CROSS_TERRITORY, "当天")]


def test_no_price_list_in_force_is_no_below_price_violation(shop):
    granted_shop(shop)
    agreement = shop.agreement
    agreement.starts_on = agreement.territories[0].granted_on = date(2025, 12, 1)
    db.session.commit()
    # The shop's only list takes effect on 2026-01-01: no list was in force in December.
    report = make_report(shop, "2025-12", sales=[sale(shop, sold_on="2025-12-15", unit_price="1.00")])
    assert kinds(report) == []


def test_an_approved_sub_agent_is_linked_by_name_trimmed_and_case_insensitive(shop):
    granted_shop(shop)
    request = make_sub_agent_request(shop.distributor, name="Xihu Telecom Shop")
    agreements.decide_sub_agent(request, True)
    db.session.commit()
    report = make_report(shop, outlets=[outlet("  xihu telecom shop ")])
    assert report.outlets[0].sub_agent_request_id == request.id
    assert kinds(report) == []


def test_a_correction_replaces_the_lines_keeps_a_dismissal_and_removes_what_no_longer_holds(shop):
    granted_shop(shop)
    report = make_report(
        shop, sales=[sale(shop, region_code="320500"), sale(shop, unit_price="900.00")], outlets=[outlet("无名")]
    )
    cross = db.session.scalar(select(Violation).where(Violation.kind == K.CROSS_TERRITORY))
    services.dismiss_violation(cross, "客户在杭州提货", today=date(2026, 3, 8), dismissed_by_id=shop.sales.id)
    db.session.commit()
    services.correct_report(
        report,
        report_data(shop, sales=[sale(shop, region_code="320500"), sale(shop)], outlets=[outlet("无名")]),
        today=date(2026, 3, 20),
        reason="价格填错",
    )
    db.session.commit()
    db.session.expire_all()
    report = db.session.get(MonthlyReport, report.id)
    assert (report.corrections, report.submitted_on, report.late) == (1, SUBMITTED_ON, False)
    assert report.corrected_at is not None
    assert [s.unit_price for s in report.sales] == [Decimal("1500.00"), Decimal("1500.00")]
    assert kinds(report) == ["cross_territory", "unapproved_sub_agent"]
    kept = db.session.get(Violation, cross.id)
    assert kept.dismiss_reason == "客户在杭州提货"
    reasons = {e.reason for e in db.session.scalars(select(AuditEvent)) if e.reason}
    assert {"价格填错", "客户在杭州提货", "no longer found in the corrected report"} <= reasons


def test_a_bad_correction_changes_nothing(shop):
    granted_shop(shop)
    report = make_report(shop)
    with pytest.raises(ReportRefused):
        services.correct_report(report, report_data(shop, sales=[sale(shop, quantity="-1")]), today=date(2026, 3, 20))
    db.session.expire_all()
    report = db.session.get(MonthlyReport, report.id)
    assert (report.corrections, len(report.sales)) == (0, 1)


def test_a_locked_quarter_refuses_submission_and_correction(shop):
    granted_shop(shop)
    report = make_report(shop, "2026-01", on=date(2026, 2, 5), sales=[sale(shop, sold_on="2026-01-05")])
    with pytest.raises(InvalidValue, match="not ended"):
        services.lock_quarter("2026-Q1", today=date(2026, 3, 31))
    services.lock_quarter("2026-Q1", today=date(2026, 4, 1))
    db.session.commit()
    with pytest.raises(DomainError, match="already locked"):
        services.lock_quarter("2026-Q1", today=date(2026, 4, 2))
    with pytest.raises(DomainError, match="locked"):
        services.correct_report(report, report_data(shop, "2026-01", sales=[]), today=date(2026, 4, 2))
    with pytest.raises(DomainError, match="locked"):
        services.submit_report(shop.distributor.id, report_data(shop, "2026-02"), today=date(2026, 4, 2))


def test_a_dismissal_needs_a_reason_and_happens_once(shop):
    granted_shop(shop)
    make_report(shop, sales=[sale(shop, region_code="320500")])
    violation = db.session.scalar(select(Violation))
    with pytest.raises(InvalidValue):
        services.dismiss_violation(violation, "  ", today=date(2026, 3, 9))
    services.dismiss_violation(violation, "ok", today=date(2026, 3, 9))
    with pytest.raises(DomainError):
        services.dismiss_violation(violation, "again", today=date(2026, 3, 9))


def test_due_day_follows_the_terms_in_force_at_the_months_end(shop):
    granted_shop(shop)
    later = shop.agreement.terms_on(date(2026, 2, 1))
    from dataclasses import replace

    agreements.amend_agreement(
        shop.agreement, date(2026, 2, 1), replace(later, monthly_report_due_day=5), "earlier reports", date(2026, 1, 20)
    )
    db.session.commit()
    report = make_report(shop, on=date(2026, 3, 6))
    assert (report.due_on, report.late) == (date(2026, 3, 5), True)
