"""/api/v1/distributors: lists, the distributor scope, creation and partial updates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.distributors.models import Distributor
from portal.domain.distributors import DistributorStatus, Level
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import credit_code, make_distributor, make_region, make_user
from .support import error_of

LIST = "/api/v1/distributors"


def one(path_id: int) -> str:
    return f"{LIST}/{path_id}"


def new_body(**changes):
    return {"code": "ZJ-001", "name": "杭州甲有限公司", "credit_code": credit_code(9001), "level": "level1", **changes}


def stored(distributor_id: int) -> Distributor:
    db.session.expire_all()
    return db.session.get(Distributor, distributor_id)


# --- Reading, and the distributor scope ---------------------------------------------------------


def test_head_office_lists_every_distributor_by_code(api):
    make_distributor(code="B2")
    make_distributor(code="A1")
    make_distributor(code="C3")

    response = api(make_user(role=Role.FINANCE)).get(LIST)

    assert response.status_code == 200
    assert [item["code"] for item in response.json["items"]] == ["A1", "B2", "C3"]
    assert response.json["total"] == 3


def test_a_distributor_user_lists_only_its_own_company(api):
    own = make_distributor(code="OWN")
    make_distributor(code="OTHER")

    response = api(make_user(role=Role.DISTRIBUTOR, distributor=own)).get(LIST)

    assert response.status_code == 200
    assert [item["code"] for item in response.json["items"]] == ["OWN"]
    assert response.json["total"] == 1


def test_a_distributor_user_gets_404_for_another_distributors_record(api):
    own = make_distributor()
    other = make_distributor()
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=own))

    theirs = caller.get(one(other.id))
    missing = caller.get(one(other.id + 1000))
    mine = caller.get(one(own.id))

    assert theirs.status_code == 404
    assert error_of(theirs) == error_of(missing)  # the same answer as for a record that does not exist
    assert mine.status_code == 200
    assert mine.json["id"] == own.id


def test_a_record_answers_the_documented_fields(api):
    make_region("330000", "浙江省")
    distributor = make_distributor(code="ZJ1", level=Level.FIRST, region_code="330000", contact_email="a@example.com")

    body = api(make_user(role=Role.SALES)).get(one(distributor.id)).json

    assert body["code"] == "ZJ1"
    assert body["level"] == "level1"
    assert body["status"] == "active"
    assert body["region_code"] == "330000"
    assert body["contact_email"] == "a@example.com"
    assert len(body["credit_code"]) == 18
    assert body["created_at"].endswith("+08:00")  # ISO 8601 with offset, in Asia/Shanghai


def test_filters_narrow_the_list_and_a_bad_filter_answers_422(api):
    make_distributor(code="A1", level=Level.FIRST, name="杭州甲")
    make_distributor(code="A2", level=Level.SECOND, name="宁波乙")
    caller = api(make_user(role=Role.SALES))

    assert [i["code"] for i in caller.get(f"{LIST}?level=level1").json["items"]] == ["A1"]
    assert [i["code"] for i in caller.get(f"{LIST}?q=宁波").json["items"]] == ["A2"]
    bad = caller.get(f"{LIST}?level=level9")
    assert bad.status_code == 422
    assert list(error_of(bad)["fields"]) == ["level"]


def test_pages_answer_items_page_pages_total(api):
    for n in range(5):
        make_distributor(code=f"P{n}")

    body = api(make_user(role=Role.SALES)).get(f"{LIST}?page=2&per_page=2").json

    assert [item["code"] for item in body["items"]] == ["P2", "P3"]
    assert (body["page"], body["pages"], body["per_page"], body["total"]) == (2, 3, 2, 5)


def test_the_list_takes_the_same_number_of_sql_statements_at_3_and_30_distributors(api, count_statements):
    caller = api(make_user(role=Role.SALES))
    caller.get(LIST)  # the token's first use records last_used_at; later calls only read

    def statements_for_the_list() -> tuple[int, int]:
        with count_statements() as statements:
            response = caller.get(f"{LIST}?per_page=200")
        assert response.status_code == 200
        return len(response.json["items"]), len(statements)

    for _ in range(3):
        make_distributor()
    rows_at_three, at_three = statements_for_the_list()
    for _ in range(27):
        make_distributor()
    rows_at_thirty, at_thirty = statements_for_the_list()

    assert (rows_at_three, rows_at_thirty) == (3, 30)
    assert at_three == at_thirty


# --- Creating -----------------------------------------------------------------------------------


def test_sales_creates_a_distributor(api, count_rows):
    make_region("330100", "杭州市")
    code = credit_code(77)

    response = api(make_user(role=Role.SALES)).post(
        LIST,
        json=new_body(code=" zj-001 ", credit_code=code.lower(), region_code="330100", contact_phone="0571-8888 8888"),
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(one(body["id"]))
    assert (body["code"], body["credit_code"], body["region_code"]) == ("ZJ-001", code, "330100")
    assert body["status"] == "active"
    saved = stored(body["id"])
    assert (saved.code, saved.level, saved.contact_phone) == ("ZJ-001", Level.FIRST, "0571-8888 8888")
    assert count_rows(Distributor) == 1


def test_a_bad_credit_code_answers_422_on_that_field_and_saves_nothing(api, count_rows):
    good = credit_code(5)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = api(make_user(role=Role.ADMIN)).post(LIST, json=new_body(credit_code=wrong_check))

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "credit_code": ["This unified social credit code is not valid (check the last character)."]
    }
    assert count_rows(Distributor) == 0


def test_missing_fields_wrong_types_and_unknown_fields_are_all_named_at_once(api, count_rows):
    body = new_body(code=123, level=1, status="open", region_code=330100, contact_email="not-an-address", colour="red")
    del body["name"]

    response = api(make_user(role=Role.SALES)).post(LIST, json=body)

    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"name", "code", "level", "status", "region_code", "contact_email", "colour"}
    assert fields["name"] == ["This field is required."]
    assert fields["code"] == ["Send text (a JSON string)."]
    assert fields["level"] == ["Choose one of: 'level1' or 'level2'."]
    assert fields["colour"] == ["This field is not known here."]
    assert count_rows(Distributor) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "ZJ 001"}, "code"),
        ({"code": "X" * 21}, "code"),
        ({"name": "   "}, "name"),
        ({"name": "甲\x00乙"}, "name"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"region_code": "33010"}, "region_code"),
        ({"credit_code": "123"}, "credit_code"),
        ({"level": None}, "level"),
    ],
)
def test_values_the_form_refuses_the_api_refuses_too(api, count_rows, changes, field):
    response = api(make_user(role=Role.SALES)).post(LIST, json=new_body(**changes))

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [field]
    assert count_rows(Distributor) == 0


def test_a_region_that_does_not_exist_is_refused_by_the_service(api, count_rows):
    response = api(make_user(role=Role.SALES)).post(LIST, json=new_body(region_code="999999"))

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"region_code": ["There is no region with this code."]}
    assert count_rows(Distributor) == 0


def test_a_duplicate_code_or_credit_code_is_refused_and_nothing_saved(api, count_rows):
    existing = make_distributor(code="ZJ-001")
    caller = api(make_user(role=Role.SALES))

    same_code = caller.post(LIST, json=new_body(code="zj-001"))
    same_credit = caller.post(LIST, json=new_body(code="ZJ-002", credit_code=existing.credit_code))

    assert same_code.status_code == 409
    assert list(error_of(same_code)["fields"]) == ["code"]
    assert same_credit.status_code == 409
    assert list(error_of(same_credit)["fields"]) == ["credit_code"]
    assert count_rows(Distributor) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b'{"code": "ZJ-001",',
        b"not json",
        b"",
        b"[]",
        b'"text"',
        b'{"code": NaN}',
        b'{"code": 1e400}',
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_malformed_json_answers_400_and_saves_nothing(api, count_rows, raw):
    response = api(make_user(role=Role.SALES)).post(LIST, data=raw, content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    assert count_rows(Distributor) == 0


# --- Partial updates ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(api):
    make_region("330000", "浙江省")
    distributor = make_distributor(
        code="ZJ1", name="旧名", level=Level.SECOND, region_code="330000", contact_name="王五"
    )

    response = api(make_user(role=Role.SALES)).patch(
        one(distributor.id), json={"name": "新名", "status": "suspended", "region_code": None}
    )

    assert response.status_code == 200, response.json
    saved = stored(distributor.id)
    assert (saved.name, saved.status, saved.region_code) == ("新名", DistributorStatus.SUSPENDED, None)
    assert (saved.code, saved.level, saved.contact_name) == ("ZJ1", Level.SECOND, "王五")
    assert response.json["name"] == "新名"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": None}, "code"),
        ({"credit_code": "91330100MA27XL0E2X"}, "credit_code"),
        ({"level": "level3"}, "level"),
        ({"name": 5}, "name"),
    ],
)
def test_a_refused_patch_changes_nothing(api, body, field):
    distributor = make_distributor(code="ZJ1", name="旧名")
    before = (distributor.code, distributor.name, distributor.credit_code, distributor.level)

    response = api(make_user(role=Role.ADMIN)).patch(one(distributor.id), json={"name": "新名", **body})

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    saved = stored(distributor.id)
    assert (saved.code, saved.name, saved.credit_code, saved.level) == before


def test_patch_with_another_distributors_code_is_refused(api):
    make_distributor(code="TAKEN")
    distributor = make_distributor(code="MINE")

    response = api(make_user(role=Role.SALES)).patch(one(distributor.id), json={"code": "taken"})

    assert response.status_code == 409
    assert error_of(response)["fields"] == {"code": ["Another distributor has this code."]}
    assert stored(distributor.id).code == "MINE"


@pytest.mark.parametrize("path_id", ["4242", "0", "99999999999999999999999"])
def test_patch_or_get_of_a_missing_distributor_answers_404(api, path_id):
    caller = api(make_user(role=Role.SALES))

    patched = caller.patch(f"{LIST}/{path_id}", json={"name": "x"})
    shown = caller.get(f"{LIST}/{path_id}")

    assert (patched.status_code, shown.status_code) == (404, 404)
    assert error_of(patched)["code"] == "not_found"
    assert db.session.scalar(select(Distributor)) is None


def test_error_messages_come_in_the_callers_language(api):
    caller = api(make_user(role=Role.SALES))
    body = new_body(level="level9")
    del body["name"]

    english = error_of(caller.post(LIST, json=body, headers={"Accept-Language": "en"}))
    chinese = error_of(caller.post(LIST, json=body, headers={"Accept-Language": "zh-CN,zh;q=0.9"}))

    assert english["fields"]["name"] == ["This field is required."]
    for error in (chinese["message"], *chinese["fields"]["name"], *chinese["fields"]["level"]):
        assert any("\u4e00" <= char <= "\u9fff" for char in error), error
    assert "level1" in chinese["fields"]["level"][0]  # the choices themselves stay as they are


def test_digits_are_ascii_digits(api, count_rows):
    response = api(make_user(role=Role.SALES)).post(LIST, json=new_body(region_code="３３０１００"))

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["region_code"]
    assert count_rows(Distributor) == 0
