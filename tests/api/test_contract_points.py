"""Each point where the API and its OpenAPI document disagreed (found by schemathesis, issue 8),
settled on the stricter side and pinned here: the document says it, and the server does it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from portal.domain.roles import Role
from portal.pricing.models import PriceList
from portal.regions.models import Region

from ..builders import make_agreement, make_distributor, make_regions, make_territory, make_user
from .support import error_of

SPEC = "/api/v1/openapi.json"
REGIONS = "/api/v1/regions"


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get(SPEC).json


def schema_of(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def matches(schema: dict[str, Any], value: str) -> bool:
    return re.search(schema["pattern"], value) is not None


# --- 405: Allow ------------------------------------------------------------------------------------


def test_a_method_an_api_path_does_not_take_answers_405_naming_the_methods_it_does(api):
    response = api(make_user()).request("TRACE", REGIONS)

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_method_a_page_does_not_take_answers_405_naming_the_methods_it_does(client):
    response = client.put("/api-reference")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.mimetype == "text/html"


# --- 204: no content, so no content type -------------------------------------------------------------


def test_removing_a_drafts_region_answers_204_with_no_body_and_no_content_type(api, spec):
    make_regions()
    draft = make_agreement()
    territory = make_territory(draft, "330100")

    response = api(make_user()).request("DELETE", f"/api/v1/agreements/{draft.id}/territories/{territory.id}")

    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""
    documented = spec["paths"]["/api/v1/agreements/{agreement_id}/territories/{territory_id}"]["delete"]
    assert "content" not in documented["responses"]["204"]


# --- 400 and 409 in the document ----------------------------------------------------------------------


def test_every_operation_documents_400_and_every_write_409(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)
            assert ("409" in operation["responses"]) is (method != "get"), (method, path)


def test_control_characters_in_a_query_answer_the_documented_400(api, spec):
    response = api(make_user()).get(f"{REGIONS}?q=a%01b")

    assert response.status_code == 400
    assert "400" in spec["paths"][REGIONS]["get"]["responses"]
    assert "control characters" in spec["components"]["responses"]["BadRequest"]["description"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/distributors", {"code": "HZ001", "name": "另一家", "level": "level1"}, "code"),
        ("/api/v1/users", {"username": "taken", "role": "sales", "password": "long enough pw"}, "username"),
    ],
)
def test_a_duplicate_answers_the_documented_409(api, spec, path, body, field):
    make_distributor(code="HZ001")
    make_user(username="taken")
    if path.endswith("distributors"):
        body = {**body, "credit_code": "91330100MA2B3C4D5N"}

    response = api(make_user(role=Role.ADMIN)).post(path, json=body)

    assert response.status_code == 409, response.json
    assert error_of(response)["code"] == "duplicate"
    assert list(error_of(response)["fields"]) == [field]
    assert "409" in spec["paths"][path]["post"]["responses"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/price-lists", {"version": "Ärger 2027", "effective_from": "2027-01-01"}),
        ("/api/v1/users", {"username": "Ärger", "role": "sales", "password": "long enough pw"}),
    ],
)
def test_the_same_non_ascii_value_twice_is_a_duplicate_not_a_server_error(api, path, body):
    admin = api(make_user(role=Role.ADMIN))
    assert admin.post(path, json=body).status_code == 201

    again = admin.post(path, json=body)

    assert again.status_code == 409, again.get_data(as_text=True)
    assert error_of(again)["code"] == "duplicate"


# --- Money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["-5.00", "-0", " 12.00", "¥12.00", "12.001", "12345678901234"])
def test_money_the_document_refuses_the_server_refuses(api, spec, count_rows, amount):
    pattern = schema_of(spec, "PriceItemIn")["properties"]["price_level1"]
    item = {"sku": "PBX-1", "price_level1": amount, "price_level2": "1.00", "min_resale_price": "2.00"}

    response = api(make_user()).post(
        "/api/v1/price-lists", json={"version": "V", "effective_from": "2027-01-01", "items": [item]}
    )

    assert not matches(pattern, amount)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["items.0.price_level1"]
    assert count_rows(PriceList) == 0


@pytest.mark.parametrize("amount", ["12", "12.5", "1,200.00", "1,234,567,890,123.99"])
def test_money_the_document_allows_is_read(spec, amount):
    from portal.api.price_lists import PriceItemIn

    pattern = schema_of(spec, "PriceItemIn")["properties"]["price_level1"]
    item = PriceItemIn.model_validate(
        {"sku": "X", "price_level1": amount, "price_level2": "1", "min_resale_price": "1"}
    )

    assert matches(pattern, amount)
    assert item.price_level1 == Decimal(amount.replace(",", ""))


# --- Region codes, quantities and required texts -------------------------------------------------------


@pytest.mark.parametrize("code", ["", "33010", "033010", "33010a", "\u3000330108", "330108 0"])
def test_a_region_code_the_document_refuses_the_server_refuses(api, spec, count_rows, code):
    schema = schema_of(spec, "RegionIn")["properties"]["code"]

    response = api(make_user(role=Role.ADMIN)).post(REGIONS, json={"code": code, "name": "滨江区"})

    assert schema["minLength"] == 1
    assert not matches(schema, code) or len(code) < schema["minLength"]
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["code"]
    assert count_rows(Region) == 0


def test_spaces_around_a_region_code_are_allowed_by_both_and_trimmed(api, spec):
    make_regions()
    schema = schema_of(spec, "RegionIn")["properties"]["code"]

    response = api(make_user(role=Role.ADMIN)).post(REGIONS, json={"code": " 330108 ", "name": "滨江区"})

    assert matches(schema, " 330108 ")
    assert response.status_code == 201, response.json
    assert response.json["code"] == "330108"


def test_a_quantity_below_one_is_refused_as_the_document_says(api, spec, shop):
    line = schema_of(spec, "LineIn")["properties"]["quantity"]
    body = {"agreement_id": shop.agreement.id, "lines": [{"sku": shop.board.sku, "quantity": 0}]}

    response = api(shop.agent).post("/api/v1/orders", json=body)

    assert (line["minimum"], line["maximum"]) == (1, 1_000_000)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["lines.0.quantity"]
    shipped = schema_of(spec, "ShipmentLineIn")["properties"]["quantity"]
    assert (shipped["minimum"], shipped["maximum"]) == (1, 1_000_000)


@pytest.mark.parametrize("name", ["   ", "西湖\x7f区", "a" * 100 + " "])
def test_a_text_the_document_refuses_the_server_refuses(api, spec, count_rows, name):
    schema = schema_of(spec, "RegionIn")["properties"]["name"]
    make_regions()
    before = count_rows(Region)

    response = api(make_user(role=Role.ADMIN)).post(REGIONS, json={"code": "330108", "name": name})

    assert not matches(schema, name) or len(name) > schema["maxLength"]
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["name"]
    assert count_rows(Region) == before


def test_a_loss_note_is_documented_as_required(spec):
    assert schema_of(spec, "LossIn")["properties"]["loss_note"]["minLength"] == 1


# --- Query strings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/price-lists", "/api/v1/receivables"])
def test_per_page_null_answers_422_on_every_kind_of_list(api, path):
    response = api(make_user(role=Role.ADMIN)).get(f"{path}?per_page=null")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["per_page"]


def test_paging_is_documented_from_the_model_the_server_reads(spec):
    parameters = {p["name"]: p for p in spec["paths"][REGIONS]["get"]["parameters"]}

    assert parameters["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 25}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert all(p["allowEmptyValue"] for p in parameters.values())


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("active=1", "active"),  # booleans are true or false
        ("active=yes", "active"),
        ("distributor_id=1.0", "distributor_id"),  # whole numbers in digits
        ("distributor_id=%2B1", "distributor_id"),
        ("role=sales&role=admin", "role"),  # each parameter once
    ],
)
def test_a_filter_written_otherwise_than_the_document_says_answers_422(api, query, named):
    response = api(make_user(role=Role.ADMIN)).get(f"/api/v1/users?{query}")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [named]


def test_a_date_filter_is_a_date_not_a_timestamp(api):
    response = api(make_user()).get("/api/v1/orders?confirmed_from=0")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["confirmed_from"]


def test_filters_written_as_the_document_says_are_read(api):
    admin = make_user(role=Role.ADMIN)

    response = api(admin).get("/api/v1/users?active=true&role=admin&q=&page=1&per_page=")

    assert response.status_code == 200
    assert [user["username"] for user in response.json["items"]] == [admin.username]
