"""The distributor picker: head office types a code or a name and picks from ten suggestions, never
from a drop-down of every distributor (issue 11: at 5,000 distributors the lists grew to 440 KB).

The list pages filter by ``?distributor_id=`` (a chosen suggestion, or a link) and by the code typed
in the box (``?distributor=``, which is all a browser without JavaScript sends); the suggestions
stay in the user's scope; a form with the picker refuses a distributor it cannot find and keeps what
was typed; and no page sends more statements, or grows, with more distributors.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for
from flask_login import login_user
from werkzeug.datastructures import MultiDict

from portal.agreements.models import Agreement
from portal.distributors.forms import DistributorField
from portal.distributors.queries import pick_distributor
from portal.domain.roles import Role
from portal.extensions import db
from portal.forms import PortalForm

from ..builders import make_agreement, make_distributor, make_user

# Every head-office list that filters by distributor.
LISTS = (
    "orders.index",
    "boards.index",
    "boards.delivery",
    "agreements.index",
    "agreements.sub_agents",
    "receivables.index",
    "repairs.index",
    "repairs.ledger",
    "assessments.index",
    "reports.index",
    "reports.violations",
    "notices.index",
)

#: Lists whose rows (or a table of them) are every distributor in scope, a page at a time: the
#: repair-fee ledger's totals list each distributor, those with no fees notified at zero.
LISTS_DISTRIBUTORS = ("repairs.ledger",)


def url(app, endpoint, **args):
    with app.test_request_context():
        return url_for(endpoint, **args)


def text(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_list_offers_the_picker_not_every_distributor_and_its_size_and_statements_stay_flat(
    app, login, count_statements, endpoint
):
    client = login(make_user(role=Role.ADMIN))
    first = [make_distributor() for _ in range(3)]
    address = url(app, endpoint)
    client.get(address)  # warm: the first request compiles the templates
    with count_statements() as few:
        small = text(client.get(address))
    more = [make_distributor() for _ in range(27)]
    with count_statements() as many:
        large = text(client.get(address))

    assert "data-distributor-picker" in large
    assert 'placeholder="Code or name"' in large
    for distributor in first + more:
        assert f'<option value="{distributor.id}"' not in large
    assert len(many) == len(few), many
    if endpoint in LISTS_DISTRIBUTORS:
        return  # its rows are distributors, a page of them at a time: the page grows to a page's worth
    for distributor in first + more:
        assert distributor.code not in large
    assert len(large) == len(small)


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_list_filtered_on_a_distributor_shows_it_in_the_box_loading_it_alone(app, login, count_statements, endpoint):
    client = login(make_user(role=Role.ADMIN))
    chosen = make_distributor(name="宁波海曙贸易有限公司")
    others = [make_distributor() for _ in range(5)]
    page = text(client.get(url(app, endpoint, distributor_id=chosen.id)))
    assert f'value="{chosen.code} 宁波海曙贸易有限公司"' in page
    assert f'name="distributor_id" value="{chosen.id}"' in page
    assert all(other.code not in page for other in others)

    typed = text(client.get(url(app, endpoint, distributor=chosen.code.lower(), distributor_id="")))
    assert f'name="distributor_id" value="{chosen.id}"' in typed


def _numbers(page):
    return set(re.findall(r"XS-PICK-\d", page))


def test_the_agreements_list_filters_by_the_id_chosen_and_by_the_code_typed(app, login):
    ours, theirs = make_distributor(), make_distributor()
    make_agreement(ours, number="XS-PICK-1")
    make_agreement(theirs, number="XS-PICK-2")
    client = login(make_user(role=Role.SALES))

    assert _numbers(text(client.get(f"/agreements/?distributor_id={ours.id}"))) == {"XS-PICK-1"}
    # Typed without JavaScript, in small letters: the box's text is the code, the hidden id empty.
    assert _numbers(text(client.get(f"/agreements/?distributor={ours.code.lower()}&distributor_id="))) == {"XS-PICK-1"}
    # A suggestion chosen: "CODE name" and its id.
    chosen = f"/agreements/?distributor={theirs.code}+{theirs.name}&distributor_id={theirs.id}"
    assert _numbers(text(client.get(chosen))) == {"XS-PICK-2"}
    # Retyped without JavaScript after a choice: the code typed wins over the id left over.
    retyped = f"/agreements/?distributor={ours.code}&distributor_id={theirs.id}"
    assert _numbers(text(client.get(retyped))) == {"XS-PICK-1"}
    # The box cleared: every distributor.
    assert _numbers(text(client.get(f"/agreements/?distributor=&distributor_id={theirs.id}"))) == {
        "XS-PICK-1",
        "XS-PICK-2",
    }


def test_an_unknown_code_is_said_kept_in_the_box_and_the_list_shows_every_distributor(app, login):
    ours, theirs = make_distributor(), make_distributor()
    make_agreement(ours, number="XS-PICK-1")
    make_agreement(theirs, number="XS-PICK-2")
    client = login(make_user(role=Role.SALES))

    page = text(client.get("/agreements/?distributor=NOPE-9&distributor_id="))
    assert "No distributor has the code “NOPE-9”: the list shows every distributor." in page
    assert 'value="NOPE-9"' in page
    assert "is-invalid" in page
    assert _numbers(page) == {"XS-PICK-1", "XS-PICK-2"}


def test_the_suggestions_match_code_or_name_code_prefix_first_ten_at_most(login):
    make_distributor(code="ZJ-100", name="宁波 HZ 代理")  # "HZ" in its name only
    for n in range(12):
        make_distributor(code=f"HZ-{n:03d}", name=f"杭州经销商{n}")
    make_distributor(code="XHZ-1", name="其他")  # "HZ" inside its code
    client = login(make_user(role=Role.FINANCE))

    items = client.get("/distributors/choices.json?q=hz").get_json()["items"]
    assert [i["code"] for i in items] == [f"HZ-{n:03d}" for n in range(10)]
    assert items[0]["label"] == "HZ-000 杭州经销商0"
    tail = client.get("/distributors/choices.json?q=hz-01").get_json()["items"]
    assert [i["code"] for i in tail] == ["HZ-010", "HZ-011"]
    assert {i["code"] for i in client.get("/distributors/choices.json?q=宁波").get_json()["items"]} == {"ZJ-100"}
    # The LIKE wildcards are taken literally; an empty box suggests nothing.
    assert client.get("/distributors/choices.json?q=%25").get_json()["items"] == []
    assert client.get("/distributors/choices.json?q=_").get_json()["items"] == []
    assert client.get("/distributors/choices.json?q=").get_json()["items"] == []


def test_a_distributor_user_is_suggested_its_own_company_only(login):
    ours = make_distributor(code="HZ-OWN", name="杭州云帆")
    make_distributor(code="HZ-OTHER", name="杭州别家")
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))
    answer = client.get("/distributors/choices.json?q=HZ")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert [i["code"] for i in answer.get_json()["items"]] == ["HZ-OWN"]


def test_the_suggestions_need_a_signed_in_user(client):
    answer = client.get("/distributors/choices.json?q=HZ")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


class PickForm(PortalForm):
    distributor_id = DistributorField("Distributor", required="Choose the distributor.")


def _form(app, user, **data):
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
        login_user(user)
        form = PickForm(formdata=MultiDict(data), meta={"csrf": False})
        valid = form.validate()
        return valid, form.distributor_id.data, form.distributor_id.errors, form.distributor_id.picked.text


def test_the_field_takes_the_id_chosen_or_the_code_typed_in_the_users_scope(app):
    ours, theirs = make_distributor(), make_distributor()
    sales = make_user(role=Role.SALES)
    agent = make_user(role=Role.DISTRIBUTOR, distributor=ours)

    assert _form(app, sales, distributor_id=str(theirs.id), distributor_id_text=f"{theirs.code} {theirs.name}")[:2] == (
        True,
        theirs.id,
    )
    assert _form(app, sales, distributor_id="", distributor_id_text=theirs.code.lower())[:2] == (True, theirs.id)
    assert _form(app, agent, distributor_id=str(ours.id))[:2] == (True, ours.id)

    # Another distributor's id or code, for a distributor user, is no distributor at all.
    assert _form(app, agent, distributor_id=str(theirs.id)) == (False, None, ["There is no such distributor."], "")
    refused = _form(app, agent, distributor_id="", distributor_id_text=f"{theirs.code} typed")
    assert refused == (False, None, [f"No distributor has the code “{theirs.code}”."], f"{theirs.code} typed")
    assert _form(app, sales, distributor_id="99999") == (False, None, ["There is no such distributor."], "")
    assert _form(app, sales, distributor_id="", distributor_id_text="  ")[:3] == (
        False,
        None,
        ["Choose the distributor."],
    )


def test_an_agreement_form_refuses_an_unknown_distributor_keeps_what_was_typed_and_saves_nothing(login, count_rows):
    from ..agreements.test_pages import new_agreement_form

    distributor = make_distributor()
    client = login(make_user(role=Role.SALES))
    form = {**new_agreement_form(distributor), "distributor_id": "", "distributor_id_text": "NOPE-1 宁波"}
    response = client.post("/agreements/new", data=form)
    page = text(response)
    assert response.status_code == 422
    assert "No distributor has the code “NOPE-1”." in page
    assert 'value="NOPE-1 宁波"' in page
    assert count_rows(Agreement) == 0

    typed = {**new_agreement_form(distributor), "distributor_id": "", "distributor_id_text": distributor.code}
    assert client.post("/agreements/new", data=typed).status_code == 302
    assert db.session.scalar(db.select(Agreement.distributor_id)) == distributor.id


def test_one_query_names_the_distributor(app, count_statements):
    chosen = make_distributor()
    ident, code = chosen.id, chosen.code
    with app.test_request_context():
        login_user(make_user(role=Role.SALES))
        with count_statements() as by_id:
            assert pick_distributor(str(ident)).id == ident
        with count_statements() as by_code:
            assert pick_distributor("", code.lower()).id == ident
    assert (len(by_id), len(by_code)) == (1, 1), (by_id, by_code)
