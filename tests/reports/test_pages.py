"""The reports pages (docs/rules.md §8): lists with their states, a report, new and corrected reports by
form (what was typed is shown again on a refusal), violations and their dismissal, the quarter lock."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.reports.models import MonthlyReport, QuarterLock, Violation

from ..builders import make_regions
from .builders import granted_shop, make_report, sale


def table(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    return page[start : page.index("</table>", start)]


def form_data(shop, month="2026-02", **cells):
    row = sale(shop, **cells)
    data = {"month": month, "inventory-0-sku": shop.board.sku, "inventory-0-quantity": "4", "save": "1"}
    data |= {f"sales-0-{name}": value for name, value in row.items()}
    data |= {"outlets-0-kind": "", "outlets-0-name": "", "outlets-0-region_code": ""}
    return data


def test_the_distributor_sees_its_months_missing_ones_too(shop, client, login):
    granted_shop(shop)
    make_report(shop, "2026-01", on=date(2026, 2, 11), sales=[sale(shop, sold_on="2026-01-04")])
    page = login(shop.agent).get("/reports/").get_data(as_text=True)
    assert "2026-02" in page
    assert "2026-01" in page
    assert "Not yet due" in page or "未到期" in page


def test_a_new_report_by_form_and_its_page(shop, login):
    granted_shop(shop)
    client = login(shop.agent)
    assert client.get("/reports/new?month=2026-02").status_code == 200
    response = client.post("/reports/new", data=form_data(shop, region_code="320500"))
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(select(MonthlyReport))
    page = client.get(f"/reports/{report.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Cross-territory sale" in page
    assert "320500" in page


def test_a_refused_line_is_shown_again_with_what_was_typed(shop, login, count_rows):
    granted_shop(shop)
    client = login(shop.agent)
    response = client.post(
        "/reports/new",
        data=form_data(shop, region_code="999999", customer="留着的客户"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is no region with the code 999999." in page
    assert "留着的客户" in page
    assert 'value="999999"' in page
    assert count_rows(MonthlyReport) == 0


def test_more_rows_keeps_what_was_typed_and_saves_nothing(shop, login, count_rows):
    granted_shop(shop)
    data = form_data(shop, customer="先填的客户") | {"more": "1"}
    data.pop("save")
    response = login(shop.agent).post("/reports/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "先填的客户" in page
    assert "sales-5-customer" in page
    assert count_rows(MonthlyReport) == 0


def test_a_month_already_reported_is_refused_on_the_page(shop, login):
    granted_shop(shop)
    make_report(shop)
    response = login(shop.agent).post("/reports/new", data=form_data(shop), headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "correct it instead" in response.get_data(as_text=True)


def test_a_correction_by_form(shop, login):
    granted_shop(shop)
    report = make_report(shop)
    client = login(shop.agent)
    page = client.get(f"/reports/{report.id}/correct").get_data(as_text=True)
    assert "杭州西湖客户" in page
    data = form_data(shop, unit_price="100.00") | {"reason": "价格更正"}
    assert client.post(f"/reports/{report.id}/correct", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(MonthlyReport, report.id).corrections == 1
    assert db.session.scalar(select(Violation.kind)).value == "below_price"


def test_head_office_sees_every_distributor_and_filters_by_state(shop, login):
    granted_shop(shop)
    other = shop.elsewhere()
    make_report(shop)
    client = login(shop.sales)
    page = table(client.get("/reports/?month=2026-02").get_data(as_text=True), "reports")
    assert shop.distributor.code in page
    assert other.distributor.code in page
    page = table(client.get("/reports/?month=2026-02&state=on_time").get_data(as_text=True), "reports")
    assert shop.distributor.code in page
    assert other.distributor.code not in page
    page = table(client.get("/reports/?month=2026-01&state=missing").get_data(as_text=True), "reports")
    assert shop.distributor.code in page
    assert other.distributor.code in page
    assert client.get("/reports/?month=2026-13").status_code == 422


def test_head_office_dismisses_a_violation_with_a_reason(shop, login):
    granted_shop(shop)
    make_report(shop, sales=[sale(shop, region_code="320500")])
    violation = db.session.scalar(select(Violation))
    client = login(shop.sales)
    assert client.get("/reports/violations").status_code == 200
    assert client.post(f"/reports/violations/{violation.id}/dismiss", data={"reason": " "}).status_code == 422
    assert client.post(f"/reports/violations/{violation.id}/dismiss", data={"reason": "已核实"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Violation, violation.id).dismiss_reason == "已核实"
    page = login(shop.agent).get("/reports/violations").get_data(as_text=True)
    assert "已核实" in page


def test_the_quarter_lock_page(shop, login, count_rows):
    client = login(shop.sales)
    assert client.get("/reports/locks").status_code == 200
    assert client.post("/reports/locks", data={"quarter": "2026-Q1"}).status_code == 422  # not ended on 10 March
    assert client.post("/reports/locks", data={"quarter": "2025-Q4"}).status_code == 302
    assert count_rows(QuarterLock) == 1


def test_the_distributor_cannot_dismiss_or_lock(shop, login):
    granted_shop(shop)
    make_report(shop, sales=[sale(shop, region_code="320500")])
    violation = db.session.scalar(select(Violation))
    client = login(shop.agent)
    assert client.post(f"/reports/violations/{violation.id}/dismiss", data={"reason": "x"}).status_code == 403
    assert client.post("/reports/locks", data={"quarter": "2025-Q4"}).status_code == 403


def test_lists_run_a_fixed_number_of_statements(shop, login, count_statements):
    make_regions()
    granted_shop(shop)
    client = login(shop.sales)
    agent = login(shop.agent)

    def counts():
        with count_statements() as head_office:
            assert client.get("/reports/?month=2026-02").status_code == 200
        with count_statements() as violations:
            assert client.get("/reports/violations").status_code == 200
        with count_statements() as own:
            assert agent.get("/reports/").status_code == 200
        return len(head_office), len(violations), len(own)

    make_report(shop, sales=[sale(shop, region_code="320500")])
    few = counts()
    for _ in range(4):
        other = shop.elsewhere()
        granted_shop(other)
        make_report(other, sales=[sale(other, region_code="320500"), sale(other, unit_price="1.00")])
    make_report(shop, "2026-01", on=date(2026, 2, 5), sales=[sale(shop, sold_on="2026-01-09", region_code="320500")])
    assert counts() == few
