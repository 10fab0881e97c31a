"""The reports' queries: the SQL of "missing" agrees with the domain rule, and the helpers the home
dashboards use (next_report_due, new_violations_count)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, literal, select

from portal.agreements.models import Agreement
from portal.domain.reports import report_due_on
from portal.extensions import db
from portal.reports import queries, services

from ..builders import make_agreement
from .builders import granted_shop, make_report, sale


@pytest.mark.parametrize("due_day", [1, 10, 28])
@pytest.mark.parametrize(
    "on",
    [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), date(2026, 4, 2)],
)
def test_the_sql_of_past_due_agrees_with_the_domain(app, due_day, on):
    in_sql = db.session.scalar(select(queries.past_due(literal(due_day), 2026, 2, on)))
    assert bool(in_sql) is (on > report_due_on(2026, 2, due_day))


def test_next_report_due(shop):
    granted_shop(shop)
    on = date(2026, 3, 10)
    assert queries.next_report_due(shop.agreement, on) == ("2026-01", date(2026, 2, 10))  # January is missing
    make_report(shop, "2026-01", on=date(2026, 2, 5), sales=[sale(shop, sold_on="2026-01-05")])
    assert queries.next_report_due(shop.agreement, on) == ("2026-02", date(2026, 3, 10))
    make_report(shop)
    assert queries.next_report_due(shop.agreement, on) == ("2026-03", date(2026, 4, 10))  # due once March ends


def test_new_violations_count(shop):
    granted_shop(shop)
    make_report(shop, sales=[sale(shop, region_code="320500"), sale(shop, unit_price="1.00")], on=date(2026, 3, 5))
    assert queries.new_violations_count(date(2026, 3, 5)) == 2
    assert queries.new_violations_count(date(2026, 3, 6)) == 0
    first = db.session.scalar(select(queries.Violation))
    services.dismiss_violation(first, "ok", today=date(2026, 3, 6))
    assert queries.new_violations_count(date(2026, 3, 1)) == 1
    assert queries.new_violations_count(date(2026, 3, 1), distributor_id=shop.distributor.id + 1000) == 0


def test_a_distributor_never_sees_another_distributors_reports(shop, login):
    granted_shop(shop)
    report = make_report(shop, sales=[sale(shop, region_code="320500")])
    violation = report.violations[0]
    other = shop.elsewhere()
    client = login(other.agent)
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/correct", f"/reports/{report.id}/upload"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/{report.id}/correct", data={}).status_code == 404
    assert client.get(f"/reports/violations/{violation.id}/dismiss").status_code == 403
    listed = client.get("/reports/violations").get_data(as_text=True)
    assert "320500" not in listed
    months = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/{report.id}" not in months


def test_the_month_grid_has_one_row_per_distributor_bound_with_its_latest_agreement(shop):
    """Head office's month: each distributor an agreement bound during the month, once, with the
    agreement that started last; a draft binds nothing, and neither does an agreement ended before."""
    granted_shop(shop)
    other = shop.elsewhere()
    before = make_agreement(starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), activate_on=date(2025, 1, 1))
    make_agreement(other.distributor, starts_on=date(2026, 2, 1))  # a draft
    make_report(shop)
    rows = db.session.execute(queries.month_grid(2026, 2, date(2026, 3, 10))).all()
    assert [(agreement.id, report is not None) for agreement, report, _ in rows] == sorted(
        [(shop.agreement.id, True), (other.agreement.id, False)],
        key=lambda row: db.session.get(Agreement, row[0]).distributor.code,
    )
    assert before.distributor_id not in {agreement.distributor_id for agreement, _, _ in rows}
    counted = db.session.scalar(
        select(func.count()).select_from(queries.month_grid_counted(2026, 2, date(2026, 3, 10)).subquery())
    )
    assert counted == len(rows)


def test_the_month_grid_counts_no_further_than_its_cap(shop, login, monkeypatch):
    granted_shop(shop)
    for _ in range(2):
        shop.elsewhere()
    monkeypatch.setattr(queries, "GRID_COUNT_CAP", 2)
    page = login(shop.sales).get("/reports/?month=2026-02&per_page=1").get_data(as_text=True)
    assert "共超过 2 条" in page or "More than 2 in all" in page
    monkeypatch.setattr(queries, "GRID_COUNT_CAP", 3)
    page = login(shop.sales).get("/reports/?month=2026-02&per_page=1").get_data(as_text=True)
    assert "共超过" not in page
    assert "More than" not in page
