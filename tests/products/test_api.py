"""/api/v1/products: lists, the distributor scope, creation and partial updates by SKU."""

from __future__ import annotations

import pytest

from portal.domain.roles import Role
from portal.products.models import Product

from ..agreements.builders import make_agreement
from ..api.support import error_of
from ..builders import make_distributor, make_user
from .builders import make_product

LIST = "/api/v1/products"


def test_head_office_lists_products_by_sku_with_filters(api):
    make_product(sku="B-2", category="话机")
    make_product(sku="A-1", category="主控板", name_zh="甲板")
    make_product(sku="C-3", category="主控板", active=False)
    caller = api(make_user(role=Role.FINANCE))

    body = caller.get(LIST).json
    assert [item["sku"] for item in body["items"]] == ["A-1", "B-2", "C-3"]
    assert body["total"] == 3
    assert body["items"][0] == {
        "id": body["items"][0]["id"],
        "sku": "A-1",
        "name": "甲板",
        "name_en": "Test board",
        "category": "主控板",
        "serialized": True,
        "active": True,
    }
    assert [i["sku"] for i in caller.get(f"{LIST}?category=主控板&active=true").json["items"]] == ["A-1"]
    assert [i["sku"] for i in caller.get(f"{LIST}?q=甲").json["items"]] == ["A-1"]
    assert error_of(caller.get(f"{LIST}?active=perhaps"))["fields"].keys() == {"active"}


def test_a_distributor_lists_and_reads_only_authorised_products(api):
    ours, theirs = make_distributor(), make_distributor()
    mine, other = make_product(sku="MINE-1"), make_product(sku="THEIRS-1")
    make_product(sku="NOBODY-1")
    make_agreement(ours, skus=(mine.sku,))
    make_agreement(theirs, skus=(other.sku,))
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=ours))

    assert [i["sku"] for i in caller.get(LIST).json["items"]] == ["MINE-1"]
    assert caller.get(f"{LIST}/MINE-1").status_code == 200
    theirs_answer, missing = caller.get(f"{LIST}/THEIRS-1"), caller.get(f"{LIST}/NOPE-1")
    assert theirs_answer.status_code == missing.status_code == 404
    assert error_of(theirs_answer) == error_of(missing)
    assert caller.post(LIST, json={"sku": "X-1", "name": "x"}).status_code == 403


def test_sales_creates_a_product_as_api_md_names_its_fields(api, count_rows):
    caller = api(make_user(role=Role.SALES))
    response = caller.post(LIST, json={"sku": " pbx-main-200 ", "name": "IP 交换机主控板", "serialized": True})
    assert response.status_code == 201
    assert response.json["sku"] == "PBX-MAIN-200"
    assert response.headers["Location"].endswith("/api/v1/products/PBX-MAIN-200")
    assert caller.get(f"{LIST}/PBX-MAIN-200").json["name"] == "IP 交换机主控板"


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"sku": "BAD SKU", "name": "x"}, 422, {"sku"}),
        ({"sku": "A-1"}, 422, {"name"}),
        ({"sku": "A-1", "name": "x", "serialized": "yes"}, 422, {"serialized"}),
        ({"sku": "A-1", "name": "x", "price": "1.00"}, 422, {"price"}),
        ({"sku": "TAKEN-1", "name": "x"}, 409, {"sku"}),
    ],
)
def test_a_bad_product_is_refused_naming_the_field_and_nothing_is_saved(api, count_rows, body, status, fields):
    make_product(sku="TAKEN-1")
    response = api(make_user(role=Role.ADMIN)).post(LIST, json=body)
    assert response.status_code == status
    assert set(error_of(response)["fields"]) == fields
    assert count_rows(Product) == 1


def test_a_patch_changes_only_the_fields_sent(api):
    make_product(sku="PBX-1", name_zh="旧名", category="主控板")
    caller = api(make_user(role=Role.SALES))
    response = caller.patch(f"{LIST}/pbx-1", json={"name": "新名", "active": False})
    assert response.status_code == 404  # the address is the stored SKU
    response = caller.patch(f"{LIST}/PBX-1", json={"name": "新名", "active": False})
    assert response.status_code == 200
    assert (response.json["name"], response.json["active"], response.json["category"]) == ("新名", False, "主控板")
    assert caller.patch(f"{LIST}/PBX-1", json={"name": None}).status_code == 422
    renamed = caller.patch(f"{LIST}/PBX-1", json={"sku": "pbx-2"})
    assert renamed.json["sku"] == "PBX-2"
    assert caller.get(f"{LIST}/PBX-2").status_code == 200
