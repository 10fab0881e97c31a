"""/api/v1/price-lists: drafts with items, publishing (409 when a rule forbids it), and a
distributor's view: published lists only, its own level's price only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from portal.clock import today
from portal.domain.distributors import Level
from portal.domain.pricing import PriceListStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.pricing import services
from portal.pricing.models import PriceList, PriceListItem

from ..agreements.builders import make_agreement
from ..api.support import error_of
from ..builders import make_distributor, make_user
from ..products.builders import make_product
from .builders import FLOOR, LEVEL1, LEVEL2, make_price_list, prices

LIST = "/api/v1/price-lists"
TODAY = today()


def body(**changes):
    return {
        "version": "2027 价格表",
        "effective_from": (TODAY + timedelta(days=30)).isoformat(),
        "note": "年度调价",
        "items": [
            {"sku": "PBX-MAIN-200", "price_level1": "3200.00", "price_level2": "3480.00", "min_resale_price": "4200.00"}
        ],
        **changes,
    }


def published(**kwargs) -> PriceList:
    return make_price_list(effective_from=TODAY - timedelta(days=30), published_on=TODAY - timedelta(days=40), **kwargs)


def test_sales_creates_a_draft_with_items_and_money_comes_back_as_strings(api):
    make_product(sku="PBX-MAIN-200", name_zh="主控板")
    response = api(make_user(role=Role.SALES)).post(LIST, json=body())
    assert response.status_code == 201
    created = response.json
    assert response.headers["Location"].endswith(f"{LIST}/{created['id']}")
    assert (created["status"], created["item_count"], created["in_force"]) == ("draft", 1, False)
    assert created["items"] == [
        {
            "sku": "PBX-MAIN-200",
            "name": "主控板",
            "name_en": "Test board",
            "price_level1": "3200.00",
            "price_level2": "3480.00",
            "min_resale_price": "4200.00",
        }
    ]


def test_bad_items_are_refused_each_on_its_path_and_nothing_is_saved(api, count_rows):
    make_product(sku="PBX-MAIN-200")
    items = [
        {"sku": "PBX-MAIN-200", "price_level1": "3200.00", "price_level2": "3480.00", "min_resale_price": "4200.00"},
        {"sku": "NOPE-1", "price_level1": "1.00", "price_level2": "1.00", "min_resale_price": "1.00"},
        {"sku": "pbx-main-200", "price_level1": "1.00", "price_level2": "5.00", "min_resale_price": "2.00"},
        {"sku": "PBX-MAIN-200", "price_level1": 1200, "price_level2": "1.001", "min_resale_price": "NaN"},
    ]
    response = api(make_user(role=Role.SALES)).post(LIST, json=body(items=items))
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {
        "items.3.price_level1",
        "items.3.price_level2",
        "items.3.min_resale_price",
    }
    response = api(make_user(role=Role.SALES)).post(LIST, json=body(items=items[:3]))
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert fields == {
        "items.1.sku": ["Unknown SKU NOPE-1."],
        "items.2.sku": ["SKU PBX-MAIN-200 is also at items.0."],
        "items.2.min_resale_price": ["The minimum resale price is below an agent price."],
    }
    assert count_rows(PriceList) == 0
    assert count_rows(PriceListItem) == 0


def test_a_version_already_used_answers_409(api, count_rows):
    make_product(sku="PBX-MAIN-200")
    make_price_list(version="2027 价格表", items={})
    response = api(make_user(role=Role.SALES)).post(LIST, json=body())
    assert response.status_code == 409
    assert set(error_of(response)["fields"]) == {"version"}
    assert count_rows(PriceList) == 1


def test_publishing_issues_the_notices_and_answers_their_numbers(api, count_rows):
    make_agreement(
        make_distributor(),
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
        activate_on=TODAY - timedelta(days=10),
    )
    draft = make_price_list(effective_from=TODAY + timedelta(days=30))
    response = api(make_user(role=Role.SALES)).post(f"{LIST}/{draft.id}/publish")
    assert response.status_code == 200
    assert response.json["status"] == "published"
    assert len(response.json["notices"]) == 1
    assert response.json["notices"][0].startswith(f"TZ-{TODAY.year}-")
    assert count_rows(Notice) == 1


@pytest.mark.parametrize("case", ["again", "empty", "passed", "behind"])
def test_a_publish_a_rule_forbids_answers_409_and_changes_nothing(api, count_rows, case):
    make_agreement(
        make_distributor(),
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
        activate_on=TODAY - timedelta(days=10),
    )
    if case == "again":
        target = published()
    elif case == "empty":
        target = make_price_list(items={})
    elif case == "passed":
        target = make_price_list(effective_from=TODAY - timedelta(days=1))
    else:
        make_price_list(effective_from=TODAY + timedelta(days=90), published_on=TODAY)
        target = make_price_list(effective_from=TODAY + timedelta(days=30))
    notices = count_rows(Notice)
    response = api(make_user(role=Role.SALES)).post(f"{LIST}/{target.id}/publish")
    assert response.status_code == 409
    assert error_of(response)["code"] == "rule_violated"
    assert count_rows(Notice) == notices
    db.session.expire_all()
    assert db.session.get(PriceList, target.id).status is (
        PriceListStatus.PUBLISHED if case == "again" else PriceListStatus.DRAFT
    )


def test_a_patch_changes_a_draft_and_replaces_its_items_but_never_a_published_list(api):
    a, b = make_product(sku="A-1"), make_product(sku="B-1")
    draft = make_price_list(items={a.sku: prices()})
    caller = api(make_user(role=Role.SALES))
    response = caller.patch(
        f"{LIST}/{draft.id}",
        json={
            "note": "改",
            "items": [{"sku": "B-1", "price_level1": "10.00", "price_level2": "11.00", "min_resale_price": "12.00"}],
        },
    )
    assert response.status_code == 200
    assert response.json["note"] == "改"
    assert services.prices_of(draft.id) == {"B-1": prices("10", "11", "12")}
    assert b.id
    locked = published()
    response = caller.patch(f"{LIST}/{locked.id}", json={"note": "改"})
    assert response.status_code == 409


def test_the_list_filters_on_status_and_the_date_in_force(api):
    old = make_price_list(
        version="旧", effective_from=TODAY - timedelta(days=400), published_on=TODAY - timedelta(days=410)
    )
    current = published(version="现")
    draft = make_price_list(version="草", effective_from=TODAY + timedelta(days=30))
    caller = api(make_user(role=Role.FINANCE))

    everything = caller.get(LIST).json
    assert [(i["version"], i["status"], i["in_force"]) for i in everything["items"]] == [
        ("草", "draft", False),
        ("现", "published", True),
        ("旧", "superseded", False),
    ]
    assert [i["id"] for i in caller.get(f"{LIST}?status=superseded").json["items"]] == [old.id]
    assert [i["id"] for i in caller.get(f"{LIST}?status=draft").json["items"]] == [draft.id]
    on = (TODAY - timedelta(days=100)).isoformat()
    assert [i["id"] for i in caller.get(f"{LIST}?in_force_on={on}").json["items"]] == [old.id]
    assert [i["id"] for i in caller.get(f"{LIST}?in_force_on={TODAY.isoformat()}").json["items"]] == [current.id]
    assert caller.get(f"{LIST}?in_force_on=2000-01-01").json["items"] == []
    assert caller.get(f"{LIST}?status=pending").status_code == 422


@pytest.mark.parametrize(("level", "own", "other"), [(Level.FIRST, LEVEL1, LEVEL2), (Level.SECOND, LEVEL2, LEVEL1)])
def test_a_distributor_reads_published_lists_with_its_own_levels_price_only(api, level, own, other):
    current = published()
    draft = make_price_list(effective_from=TODAY + timedelta(days=30))
    distributor = make_distributor(level=level)
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=distributor))

    listing = caller.get(LIST)
    detail = caller.get(f"{LIST}/{current.id}")

    assert [i["id"] for i in listing.json["items"]] == [current.id]
    assert detail.status_code == 200
    assert detail.json["level"] == level.value
    own_column = "price_level1" if level is Level.FIRST else "price_level2"
    other_column = "price_level2" if level is Level.FIRST else "price_level1"
    item = detail.json["items"][0]
    assert item[own_column] == item["agent_price"] == own
    assert item["min_resale_price"] == FLOOR
    assert other_column not in item
    assert other not in json.dumps(detail.json)
    assert other not in json.dumps(listing.json)
    assert caller.get(f"{LIST}/{draft.id}").status_code == 404
    assert caller.get(f"{LIST}?status=draft").json["items"] == []
    assert caller.post(f"{LIST}/{current.id}/publish").status_code == 403


def test_a_distributor_with_an_agreement_sees_its_agreements_level(api):
    current = published()
    distributor = make_distributor(level=Level.SECOND)
    make_agreement(
        distributor,
        level=Level.FIRST,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
        activate_on=TODAY - timedelta(days=10),
    )
    item = api(make_user(role=Role.DISTRIBUTOR, distributor=distributor)).get(f"{LIST}/{current.id}").json["items"][0]
    assert item["agent_price"] == LEVEL1
    assert "price_level2" not in item


def test_the_list_takes_the_same_number_of_statements_for_3_or_30_lists(api, count_statements):
    caller = api(make_user(role=Role.SALES))
    caller.get(LIST)
    for n in range(3):
        make_price_list(effective_from=TODAY + timedelta(days=n))
    with count_statements() as few:
        caller.get(f"{LIST}?per_page=200")
    for n in range(27):
        make_price_list(effective_from=TODAY + timedelta(days=10 + n))
    with count_statements() as many:
        response = caller.get(f"{LIST}?per_page=200")
    assert response.json["total"] == 30
    assert len(many) == len(few)
