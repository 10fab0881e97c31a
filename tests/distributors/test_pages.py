"""Head office manages distributors; a distributor sees only its own company (docs/rules.md §12)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.distributors.models import Distributor
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import credit_code, make_distributor, make_region, make_user

GOOD = {
    "code": "NB010",
    "name": "宁波海曙贸易有限公司",
    "credit_code": "91330100MA2B3C4D5N",
    "level": "level2",
    "status": "active",
    "contact_name": "吴芳",
    "contact_phone": "0574-8765 4321",
}


def test_sales_creates_a_distributor(login, count_rows):
    client = login(make_user(role=Role.SALES))
    response = client.post("/distributors/new", data=GOOD)
    assert response.status_code == 302
    created = db.session.scalar(select(Distributor).where(Distributor.code == "NB010"))
    assert created.name == "宁波海曙贸易有限公司"
    assert "宁波海曙贸易有限公司" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_bad_credit_code_is_explained_the_form_keeps_what_was_typed_and_nothing_is_saved(login, count_rows):
    client = login(make_user(role=Role.SALES))
    response = client.post("/distributors/new", data={**GOOD, "credit_code": "91330100MA2B3C4D5X"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "check the last character" in page or "校验" in page
    assert 'value="宁波海曙贸易有限公司"' in page
    assert 'value="91330100MA2B3C4D5X"' in page
    assert count_rows(Distributor) == 0


def test_a_duplicate_code_is_refused_on_its_field(login, count_rows):
    make_distributor(code="NB010")
    client = login(make_user(role=Role.SALES))
    response = client.post("/distributors/new", data={**GOOD, "credit_code": credit_code(999)})
    assert response.status_code == 409  # a duplicate, as the API answers it
    assert "Another distributor has this code." in response.get_data(as_text=True)
    assert count_rows(Distributor) == 1


def test_an_unknown_region_is_refused(login, count_rows):
    client = login(make_user(role=Role.SALES))
    response = client.post("/distributors/new", data={**GOOD, "region_code": "999999"})
    assert response.status_code == 422
    assert count_rows(Distributor) == 0


def test_a_known_region_is_kept(login):
    make_region("330000", "浙江省")
    make_region("330200", "宁波市", "330000")
    client = login(make_user(role=Role.SALES))
    assert client.post("/distributors/new", data={**GOOD, "region_code": "330200"}).status_code == 302
    created = db.session.scalar(select(Distributor).where(Distributor.code == "NB010"))
    assert created.region_code == "330200"


@pytest.mark.parametrize("space", [" ", "\t", "\u3000"])
def test_contact_details_of_spaces_only_are_saved_blank_not_as_the_spaces(login, space):
    """Issue 8: spaces in the optional contact fields were saved as the contact's name, phone …"""
    blank = {"contact_name": space, "contact_phone": space, "contact_email": space, "address": space}
    client = login(make_user(role=Role.SALES))
    assert client.post("/distributors/new", data={**GOOD, **blank}).status_code == 302
    created = db.session.scalar(select(Distributor).where(Distributor.code == "NB010"))
    assert (created.contact_name, created.contact_phone, created.contact_email, created.address) == ("", "", "", "")
    edited = make_distributor(contact_name="吴芳", address="宁波市海曙区")
    data = {**GOOD, "code": edited.code, "credit_code": edited.credit_code, **blank}
    assert client.post(f"/distributors/{edited.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (edited.contact_name, edited.address) == ("", "")


def test_a_distributor_sees_its_own_company_only(login):
    ours, theirs = make_distributor(name="我们的公司"), make_distributor(name="别人的公司")
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))
    assert "我们的公司" in client.get(f"/distributors/{ours.id}").get_data(as_text=True)
    assert client.get(f"/distributors/{theirs.id}").status_code == 404
    assert client.get("/distributors/").status_code == 403


def test_finance_reads_but_does_not_edit(login):
    distributor = make_distributor()
    client = login(make_user(role=Role.FINANCE))
    assert client.get(f"/distributors/{distributor.id}").status_code == 200
    assert client.get(f"/distributors/{distributor.id}/edit").status_code == 403


def test_the_list_filters_and_paginates_in_sql(login, app):
    for n in range(30):
        make_distributor(name=f"分页公司{n:02d}")
    client = login(make_user(role=Role.SALES))
    first = client.get("/distributors/?per_page=10").get_data(as_text=True)
    assert first.count("<td>分页公司") == 10
    assert "30" in first
    assert client.get("/distributors/?page=99").status_code == 200
    assert client.get("/distributors/?page=abc&per_page=-1&level=nonsense").status_code == 200
    assert client.get("/distributors/?q=分页公司07").get_data(as_text=True).count("<td>分页公司") == 1


def test_the_list_costs_the_same_statements_for_3_or_30_distributors(login, count_statements):
    client = login(make_user(role=Role.SALES))
    for _ in range(3):
        make_distributor()
    with count_statements() as few:
        client.get("/distributors/?per_page=100")
    for _ in range(27):
        make_distributor()
    with count_statements() as many:
        client.get("/distributors/?per_page=100")
    assert len(many) == len(few)
