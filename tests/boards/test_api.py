"""/api/v1/orders/{id}/shipments and /api/v1/boards: the same roles and rules as the pages."""

from __future__ import annotations

from datetime import date

import pytest

from portal.boards.models import Board, Shipment
from portal.domain.agreements import Terms
from portal.domain.roles import Role

from ..api.support import error_of
from ..builders import make_shop, make_user


def url(order) -> str:
    return f"/api/v1/orders/{order.id}/shipments"


def body(*lines, shipped_on="2026-03-09"):
    return {"shipped_on": shipped_on, "lines": list(lines)}


def test_sales_ships_with_serials_and_reads_the_shipment_back(shop, api):
    order = shop.paid_order(50, 10)
    caller = api(make_user(role=Role.SALES))

    response = caller.post(
        url(order),
        json=body({"sku": "pbx-ext-16", "quantity": 2, "serials": ["A-1", "a-2"]}, {"sku": "ACC-CBL", "quantity": 10}),
    )

    assert response.status_code == 201
    created = response.json
    assert created["shipped_on"] == "2026-03-09"
    assert {(line["sku"], line["quantity"], tuple(line["serials"])) for line in created["lines"]} == {
        ("PBX-EXT-16", 2, ("A-1", "A-2")),
        ("ACC-CBL", 10, ()),
    }
    listing = api(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor)).get(url(order))
    assert listing.status_code == 200
    assert listing.json["total"] == 1
    assert listing.json["items"][0]["id"] == created["id"]


def test_every_bad_serial_is_listed_in_the_error_fields(shop, api, count_rows):
    order = shop.paid_order(50)
    shop.ship(order, ["OLD-1"])
    response = api(make_user(role=Role.SALES)).post(
        url(order), json=body({"sku": "PBX-EXT-16", "quantity": 2, "serials": ["N-1", "N-1", "OLD-1"]})
    )

    assert response.status_code == 409
    messages = error_of(response)["fields"]["serials"]
    assert "PBX-EXT-16: 3 serial numbers for 2 units." in messages
    assert "Serial N-1 is listed twice." in messages
    assert "Serial OLD-1 has already shipped." in messages
    assert count_rows(Board) == 1
    assert count_rows(Shipment) == 1


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (body({"sku": "NOPE", "quantity": 1, "serials": ["X"]}), 422, "lines.0.sku"),
        (body({"sku": "PBX-EXT-16", "quantity": 0, "serials": []}), 422, "lines.0.quantity"),
        (body({"sku": "PBX-EXT-16", "quantity": 1.5, "serials": ["X"]}), 422, "lines.0.quantity"),
        (body({"sku": "PBX-EXT-16", "quantity": 51, "serials": [f"S{n}" for n in range(51)]}), 422, "lines"),
        (body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["X"]}, shipped_on="2026-03-11"), 422, "shipped_on"),
        (body(), 422, "lines"),
    ],
)
def test_bad_shipments_are_refused(shop, api, count_rows, payload, status, field):
    order = shop.paid_order(50)
    response = api(make_user(role=Role.SALES)).post(url(order), json=payload)
    assert response.status_code == status
    assert field in error_of(response)["fields"]
    assert count_rows(Board) == 0


def test_an_unpaid_order_does_not_ship(shop, api, count_rows):
    order = shop.order(50, confirm_on=date(2026, 3, 2))
    response = api(make_user(role=Role.ADMIN)).post(
        url(order), json=body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["X"]})
    )
    assert response.status_code == 409
    assert "paid in full" in error_of(response)["message"]
    assert count_rows(Board) == 0


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_finance_and_distributors_cannot_ship(shop, api, role):
    order = shop.paid_order(50)
    caller = api(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert caller.post(url(order), json=body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["X"]})).status_code == 403


def test_a_board_by_serial_with_its_coverage_on_a_date(shop, api):
    order = shop.paid_order(50)
    shop.ship(order, ["HZ2026-000123"], on=date(2026, 3, 4))
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))

    today = caller.get("/api/v1/boards/HZ2026-000123")
    later = caller.get("/api/v1/boards/HZ2026-000123?on=2027-06-05")

    assert today.status_code == 200
    assert today.json | {"order_id": None, "shipment_id": None} == {
        "serial": "HZ2026-000123",
        "sku": "PBX-EXT-16",
        "distributor_id": order.distributor_id,
        "order_id": None,
        "shipment_id": None,
        "shipped_on": "2026-03-04",
        "warranty_end": "2027-06-04",
        "post_repair_warranty_end": None,
        "on": "2026-03-10",
        "coverage_end": "2027-06-04",
        "coverage_class": "in_warranty",
    }
    assert (later.json["coverage_class"], later.json["coverage_end"]) == ("out_of_warranty", None)
    earlier = caller.get("/api/v1/boards/HZ2026-000123?on=2026-03-03")
    assert (earlier.json["coverage_class"], earlier.json["coverage_end"]) == ("not_yet_shipped", None)
    assert caller.get("/api/v1/boards/HZ2026-000123?on=tomorrow").status_code == 422


def test_another_distributors_board_answers_404_like_an_unknown_one(shop, api):
    theirs = shop.elsewhere().paid_order(50)
    shop.ship(theirs, ["SZ-1"])
    own = api(make_user(role=Role.DISTRIBUTOR, distributor=shop.agreement.distributor))
    assert own.get("/api/v1/boards/SZ-1").status_code == 404
    assert own.get("/api/v1/boards/NOPE").status_code == 404
    assert own.get(url(theirs)).status_code == 404
    assert api(make_user(role=Role.SALES)).get("/api/v1/boards/SZ-1").status_code == 200


def test_the_boards_list_filters_by_coverage_class_today(app, api):
    shop = make_shop(terms=Terms(warranty_months=1))
    order = shop.paid_order(50, confirm_on=date(2026, 1, 5), paid_on=date(2026, 1, 6))
    shop.ship(order, ["OLD-1"], on=date(2026, 1, 7))
    shop.ship(order, ["NEW-1"], on=date(2026, 3, 9))
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))

    out = caller.get("/api/v1/boards?coverage_class=out_of_warranty")
    everything = caller.get("/api/v1/boards")

    assert [b["serial"] for b in out.json["items"]] == ["OLD-1"]
    assert out.json["items"][0]["coverage_class"] == "out_of_warranty"
    assert [b["serial"] for b in everything.json["items"]] == ["NEW-1", "OLD-1"]
    assert caller.get("/api/v1/boards?coverage_class=broken").status_code == 422


# --- loss in transit and free replacements (§6.4.1) ------------------------------------------------


def lost_url(shipment) -> str:
    return f"/api/v1/shipments/{shipment.id}/lost"


def replacements_url(shipment) -> str:
    return f"/api/v1/shipments/{shipment.id}/replacements"


def test_sales_records_a_loss_and_ships_free_replacements(shop, api, count_rows):
    order = shop.paid_order(50)
    lost = shop.ship(order, ["L-1", "L-2"], on=date(2026, 3, 4))
    caller = api(make_user(role=Role.SALES))

    marked = caller.post(lost_url(lost), json={"loss_note": "快递破损：两块板卡外壳碎裂"})
    replaced = caller.post(
        replacements_url(lost), json=body({"sku": "PBX-EXT-16", "quantity": 2, "serials": ["R-1", "R-2"]})
    )

    assert marked.status_code == 200
    assert (marked.json["lost_or_damaged"], marked.json["loss_note"]) == (True, "快递破损：两块板卡外壳碎裂")
    assert replaced.status_code == 201, replaced.json
    assert replaced.json["replaces_shipment_id"] == lost.id
    assert [(line["sku"], line["quantity"], line["serials"]) for line in replaced.json["lines"]] == [
        ("PBX-EXT-16", 2, ["R-1", "R-2"])
    ]
    assert count_rows(Board) == 4
    listing = api(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor)).get(url(order))
    assert [s["replaces_shipment_id"] for s in listing.json["items"]] == [None, lost.id]


def test_replacements_for_a_shipment_not_recorded_lost_answer_409(shop, api, count_rows):
    shipment = shop.ship(shop.paid_order(50), ["L-1"])
    response = api(make_user(role=Role.SALES)).post(
        replacements_url(shipment), json=body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["R-1"]})
    )
    assert response.status_code == 409
    assert error_of(response)["message"] == "Mark the shipment lost or damaged before sending replacements."
    assert count_rows(Shipment) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body({"sku": "PBX-EXT-16", "quantity": 3, "serials": ["R-1", "R-2", "R-3"]}), "lines"),  # 2 were lost
        (body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["R-1"]}, shipped_on="2026-03-03"), "shipped_on"),
        (body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["R-1"]}, shipped_on="2026-03-11"), "shipped_on"),
        (body({"sku": "NOPE", "quantity": 1, "serials": ["R-1"]}), "lines.0.sku"),
    ],
)
def test_bad_replacements_answer_422_and_nothing_ships(shop, api, count_rows, payload, field):
    lost = shop.ship(shop.paid_order(50), ["L-1", "L-2"], on=date(2026, 3, 4))
    caller = api(make_user(role=Role.SALES))
    caller.post(lost_url(lost), json={"loss_note": "丢件"})
    response = caller.post(replacements_url(lost), json=payload)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert count_rows(Shipment) == 1


def test_a_replacement_with_a_serial_already_shipped_answers_409(shop, api, count_rows):
    lost = shop.ship(shop.paid_order(50), ["L-1"], on=date(2026, 3, 4))
    caller = api(make_user(role=Role.SALES))
    caller.post(lost_url(lost), json={"loss_note": "丢件"})
    response = caller.post(replacements_url(lost), json=body({"sku": "PBX-EXT-16", "quantity": 1, "serials": ["L-1"]}))
    assert response.status_code == 409
    assert "Serial L-1 has already shipped." in error_of(response)["fields"]["serials"]
    assert count_rows(Shipment) == 1


def test_a_loss_needs_a_note(shop, api):
    shipment = shop.ship(shop.paid_order(50), ["L-1"])
    caller = api(make_user(role=Role.ADMIN))
    for payload in ({"loss_note": "  "}, {}, {"loss_note": "x" * 501}):
        response = caller.post(lost_url(shipment), json=payload)
        assert response.status_code == 422
        assert "loss_note" in error_of(response)["fields"]
    assert caller.get(url(shipment.order)).json["items"][0]["lost_or_damaged"] is False


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_finance_and_distributors_cannot_record_losses_or_ship_replacements(shop, api, role):
    order = shop.paid_order(50)
    lost = shop.ship(order, ["L-1"])
    caller = api(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert caller.post(lost_url(lost), json={"loss_note": "丢件"}).status_code == 403
    assert caller.post(replacements_url(lost), json=body()).status_code == 403
    assert api(make_user(role=Role.SALES)).get(url(order)).json["items"][0]["lost_or_damaged"] is False


def test_an_unknown_shipment_answers_404(shop, api):
    caller = api(make_user(role=Role.SALES))
    assert caller.post("/api/v1/shipments/999999/lost", json={"loss_note": "丢件"}).status_code == 404
    assert caller.post("/api/v1/shipments/999999/replacements", json=body()).status_code == 404
