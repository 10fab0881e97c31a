"""/api/v1/reports and /api/v1/violations (docs/api.md; docs/rules.md §8)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation

from ..reports.builders import granted_shop, make_report, sale


def body(shop, month="2026-02", **cells):
    line = {
        "sold_on": "2026-02-03",
        "customer": "杭州西湖客户",
        "region_code": "330106",
        "sku": shop.board.sku,
        "quantity": 1,
        "unit_price": "1500.00",
        "serials": ["SN-1"],
    } | cells
    return {
        "month": month,
        "inventory": [{"sku": shop.board.sku, "quantity": 3}],
        "sales": [line],
        "outlets": [{"kind": "outlet", "name": "无名网点", "region_code": "330106"}],
    }


def test_a_distributor_submits_a_report_and_reads_it(shop, api, today):
    granted_shop(shop)
    response = api(shop.agent).post("/api/v1/reports", json=body(shop, region_code="320500"))
    assert response.status_code == 201, response.json
    report = response.json
    assert (report["month"], report["state"], report["due_on"]) == ("2026-02", "on_time", "2026-03-10")
    assert report["sales"][0]["unit_price"] == "1500.00"
    assert report["sales"][0]["serials"] == "SN-1"
    assert sorted(v["kind"] for v in report["violations"]) == ["cross_territory", "unapproved_sub_agent"]
    assert response.headers["Location"].endswith(f"/api/v1/reports/{report['id']}")
    listed = api(shop.sales).get("/api/v1/reports?month=2026-02").json
    assert [item["id"] for item in listed["items"]] == [report["id"]]


def test_each_bad_line_is_named_and_nothing_saved(shop, api, count_rows, today):
    granted_shop(shop)
    sent = body(shop)
    sent["sales"].append(dict(sent["sales"][0], region_code="999999", quantity=-1, sold_on="2026-03-01"))
    response = api(shop.agent).post("/api/v1/reports", json=sent)
    assert response.status_code == 422, response.json
    assert set(response.json["error"]["fields"]) == {"sales.1.region_code", "sales.1.quantity", "sales.1.sold_on"}
    assert count_rows(MonthlyReport) == 0


def test_a_negative_price_is_refused_on_its_field(shop, api, today):
    granted_shop(shop)
    response = api(shop.agent).post("/api/v1/reports", json=body(shop, unit_price="-1.00"))
    assert response.status_code == 422
    assert "sales.0.unit_price" in response.json["error"]["fields"]


def test_state_refusals_answer_409(shop, api, today):
    granted_shop(shop)
    make_report(shop)
    response = api(shop.agent).post("/api/v1/reports", json=body(shop))
    assert response.status_code == 409
    assert response.json["error"]["fields"] == {"month": [response.json["error"]["fields"]["month"][0]]}
    assert api(shop.agent).post("/api/v1/reports", json=body(shop, "2026-03")).status_code == 422  # not ended


def test_a_correction_through_the_api(shop, api, today):
    granted_shop(shop)
    report = make_report(shop, sales=[sale(shop, unit_price="1.00")])
    sent = body(shop)
    sent.pop("month")
    sent["outlets"] = []
    sent["reason"] = "价格更正"
    response = api(shop.agent).post(f"/api/v1/reports/{report.id}/correct", json=sent)
    assert response.status_code == 200, response.json
    assert (response.json["corrections"], response.json["violations"]) == (1, [])


def test_another_distributors_report_is_not_found(shop, api, today):
    granted_shop(shop)
    report = make_report(shop, sales=[sale(shop, region_code="320500")])
    other = shop.elsewhere()
    caller = api(other.agent)
    assert caller.get(f"/api/v1/reports/{report.id}").status_code == 404
    assert caller.post(f"/api/v1/reports/{report.id}/correct", json={}).status_code == 404
    assert caller.get("/api/v1/reports").json["items"] == []
    assert caller.get("/api/v1/violations").json["items"] == []
    assert api(shop.sales).post("/api/v1/reports", json=body(shop)).status_code == 403


def test_violations_are_listed_with_their_evidence_and_filters(shop, api, today):
    granted_shop(shop)
    make_report(shop, sales=[sale(shop, region_code="320500"), sale(shop, unit_price="1499.99")])
    caller = api(shop.sales)
    items = caller.get("/api/v1/violations?kind=below_price").json["items"]
    assert [(v["kind"], v["date"], v["sku"], v["unit_price"], v["min_resale_price"]) for v in items] == [
        ("below_price", "2026-02-03", shop.board.sku, "1499.99", "1500.00")
    ]
    assert len(caller.get(f"/api/v1/violations?distributor_id={shop.distributor.id}").json["items"]) == 2
    assert caller.get("/api/v1/violations?dismissed=true").json["items"] == []
    assert caller.get("/api/v1/violations?since=2026-02-04").json["items"] == []
    assert caller.get("/api/v1/violations?kind=nonsense").status_code == 422
    assert db.session.scalar(select(Violation.id)) is not None
