"""GET /api/v1/compliance (docs/api.md): the §10 figures of one distributor's quarter, both ways; a
distributor reads its own only."""

from __future__ import annotations

from datetime import date

from portal.domain.roles import Role

from ..api.conftest import api  # noqa: F401  (the API caller fixture)
from ..builders import make_shop, make_user, pay


def test_the_figures_of_a_quarter_both_ways(app, api, on):  # noqa: F811
    shop = make_shop()
    theirs = shop.elsewhere()
    order = shop.order(50, confirm_on=date(2026, 3, 2))
    pay(order, order.total, date(2026, 3, 4))
    answer = api(shop.agent).get("/api/v1/compliance?quarter=2026-Q1")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["distributor_id"] == shop.distributor.id
    assert body["quota"] == "50000.00"
    assert body["ordered_amount"] == "60000.00"
    assert body["deposits"] == {"due": 1, "on_time": 1, "rate": "1.0000"}
    assert body["service_timeliness"]["target"] == "0.90"
    assert body["customer_satisfaction"]["target"] == "0.85"
    assert body["customer_satisfaction"]["rate"] is None
    # January's, February's and March's reports were never submitted: 15 points of the score lost.
    assert body["reports"] == {"due": 3, "on_time": 0, "rate": "0.0000"}
    assert body["score"] == "85.00"
    # Another distributor's figures: 404, as for none at all.
    other = api(shop.agent).get(f"/api/v1/compliance?distributor_id={theirs.distributor.id}")
    assert other.status_code == 404
    assert api(shop.agent).get("/api/v1/compliance?distributor_id=99999").status_code == 404
    # Head office reads any distributor's, or, naming none, all of them added up.
    sales = make_user(role=Role.SALES)
    network = api(sales).get("/api/v1/compliance?quarter=2026-Q1").get_json()
    assert network["distributor_id"] is None
    assert network["quota"] == "100000.00"
    named = api(sales).get(f"/api/v1/compliance?distributor_id={shop.distributor.id}&quarter=2026-Q1")
    assert named.get_json()["ordered_amount"] == "60000.00"
    assert api(sales).get("/api/v1/compliance?distributor_id=1&quarter=2026-Q5").status_code == 422


def test_it_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/compliance"]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
