"""/api/v1/regions: reference data every role reads; administrators add regions."""

from __future__ import annotations

import pytest

from portal.domain.regions import RegionLevel
from portal.domain.roles import Role
from portal.extensions import db
from portal.regions.models import Region

from ..builders import make_region, make_user
from .support import error_of

LIST = "/api/v1/regions"


@pytest.fixture
def zhejiang(app):
    make_region("330000", "浙江省")
    make_region("330100", "杭州市", parent_code="330000")
    make_region("330106", "西湖区", parent_code="330100")
    make_region("330200", "宁波市", parent_code="330000")
    make_region("110000", "北京市")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_regions_distributor_users_too(api, zhejiang, role):
    response = api(make_user(role=role)).get(LIST)

    assert response.status_code == 200
    assert [item["code"] for item in response.json["items"]] == ["110000", "330000", "330100", "330106", "330200"]


def test_a_region_answers_code_name_level_and_parent(api, zhejiang):
    items = api(make_user()).get(f"{LIST}?q=西湖").json["items"]

    assert items == [{"code": "330106", "name": "西湖区", "level": "district", "parent_code": "330100"}]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("parent_code=330000", ["330100", "330200"]),
        ("level=province", ["110000", "330000"]),
        ("q=3301", ["330100", "330106"]),
        ("q=宁波", ["330200"]),
        ("parent_code=330000&q=杭州", ["330100"]),
        ("parent_code=", ["110000", "330000", "330100", "330106", "330200"]),
    ],
)
def test_filters(api, zhejiang, query, codes):
    response = api(make_user()).get(f"{LIST}?{query}")

    assert [item["code"] for item in response.json["items"]] == codes


def test_a_bad_filter_answers_422_naming_it(api):
    response = api(make_user()).get(f"{LIST}?level=county")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["level"]


def test_200_rows_a_page_is_the_most_a_list_gives(api):
    db.session.add_all(Region(code=f"{110101 + n}", name=f"区{n}", level=RegionLevel.DISTRICT) for n in range(205))
    db.session.commit()
    caller = api(make_user())

    full = caller.get(f"{LIST}?per_page=200").json
    second = caller.get(f"{LIST}?per_page=200&page=2").json

    assert (len(full["items"]), full["per_page"], full["pages"], full["total"]) == (200, 200, 2, 205)
    assert (len(second["items"]), second["page"]) == (5, 2)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("per_page=1000", ["per_page"]),  # more than the document's maximum
        ("per_page=null", ["per_page"]),
        ("page=abc&per_page=-3", ["page", "per_page"]),
        ("page=0&per_page=0", ["page", "per_page"]),
        ("page=1.0", ["page"]),
        ("page=1&page=2", ["page"]),
        ("per_page=%C2%B2", ["per_page"]),  # a superscript two
    ],
)
def test_paging_the_document_does_not_allow_is_refused_naming_the_parameter(api, zhejiang, query, named):
    response = api(make_user()).get(f"{LIST}?{query}")

    assert response.status_code == 422
    assert sorted(error_of(response)["fields"]) == named


@pytest.mark.parametrize("query", ["page=99", "page=&per_page="])
def test_a_page_past_the_end_is_empty_and_an_empty_value_counts_as_absent(api, zhejiang, query):
    response = api(make_user()).get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert set(response.json) == {"items", "page", "pages", "per_page", "total", "total_capped"}
    assert response.json["total"] == 5


def test_an_administrator_adds_a_region_under_its_nearest_existing_ancestor(api, zhejiang, count_rows):
    response = api(make_user(role=Role.ADMIN)).post(LIST, json={"code": "330108", "name": "滨江区"})

    assert response.status_code == 201, response.json
    assert response.json == {"code": "330108", "name": "滨江区", "level": "district", "parent_code": "330100"}
    assert count_rows(Region) == 6


def test_a_twelve_digit_statistical_code_is_cut_to_six(api, zhejiang):
    response = api(make_user(role=Role.ADMIN)).post(
        LIST, json={"code": "330110000000", "name": "余杭区", "parent_code": "330100"}
    )

    assert response.status_code == 201
    assert response.json["code"] == "330110"


def test_a_duplicate_code_answers_409_and_changes_nothing(api, zhejiang, count_rows):
    response = api(make_user(role=Role.ADMIN)).post(LIST, json={"code": "330100", "name": "另一个杭州"})

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate"
    assert error["fields"] == {"code": ["There is already a region with code 330100."]}
    assert count_rows(Region) == 5
    db.session.expire_all()
    assert db.session.get(Region, "330100").name == "杭州市"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"code": "330199", "name": "某区", "parent_code": "110000"},
            "parent_code",
            "110000 is not the province or city of 330199.",
        ),
        (
            {"code": "330299", "name": "某区", "parent_code": "330299"},
            "parent_code",
            "330299 is not the province or city of 330299.",
        ),
        (
            {"code": "340100", "name": "合肥市", "parent_code": "340000"},
            "parent_code",
            "There is no region with code 340000.",
        ),
        ({"code": "33010", "name": "某区"}, "code", "A region code has six digits (GB/T 2260), such as 330100."),
        ({"code": "330199", "name": ""}, "name", "Enter a value."),
        ({"code": "330199"}, "name", "This field is required."),
        ({"code": 330199, "name": "某区"}, "code", "Send text (a JSON string)."),
    ],
)
def test_a_bad_region_answers_422_naming_the_field_and_saves_nothing(api, zhejiang, count_rows, body, field, message):
    response = api(make_user(role=Role.ADMIN)).post(LIST, json=body)

    assert response.status_code == 422
    assert error_of(response)["fields"] == {field: [message]}
    assert count_rows(Region) == 5
