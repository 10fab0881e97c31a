"""Who may call the API: bearer tokens only (docs/api.md: authentication), roles, and the guard."""

from __future__ import annotations

import pytest

from portal.accounts.models import ApiToken
from portal.accounts.services import revoke_token, set_active
from portal.distributors.models import Distributor
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_distributor, make_user
from .support import error_of

LIST = "/api/v1/distributors"


def test_without_a_token_the_api_answers_401_json(api):
    make_distributor()

    response = api().get(LIST)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert "Bearer" in response.json["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer ptl_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ptl_x"])
def test_a_bad_token_or_scheme_answers_401(api, client, header):
    make_user(role=Role.ADMIN)

    response = api().get(LIST, headers={"Authorization": header})

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_revoked_token_stops_working(api):
    user = make_user(role=Role.SALES)
    caller = api(user)
    assert caller.get(LIST).status_code == 200

    revoke_token(db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id)))

    assert caller.get(LIST).status_code == 401


def test_a_deactivated_users_token_stops_working(api):
    user = make_user(role=Role.SALES)
    caller = api(user)
    assert caller.get(LIST).status_code == 200

    set_active(user, False)

    response = caller.get(LIST)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_signed_in_browser_cookie_does_not_authorise_an_api_call(login, count_rows):
    user = make_user(role=Role.ADMIN)
    browser = login(user)
    assert browser.get("/distributors/").status_code == 200  # the cookie works for the pages

    listed = browser.get(LIST)
    created = browser.post(
        LIST, json={"code": "X1", "name": "甲", "credit_code": "91330100MA27XL0E2Y", "level": "level1"}
    )

    assert listed.status_code == 401
    assert created.status_code == 401
    assert count_rows(Distributor) == 0


def test_the_token_names_the_caller_not_the_cookie(api, login):
    """A sales user's browser signed in, calling with a distributor user's token: the token wins."""
    own = make_distributor()
    make_distributor()
    distributor_token = api(make_user(role=Role.DISTRIBUTOR, distributor=own)).token
    sales = make_user(role=Role.SALES)
    browser = login(sales)

    response = browser.get(LIST, headers={"Authorization": f"Bearer {distributor_token}"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [own.id]


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.DISTRIBUTOR, "POST", "/api/v1/distributors"),
        (Role.FINANCE, "POST", "/api/v1/distributors"),
        (Role.SALES, "GET", "/api/v1/users"),
        (Role.SALES, "POST", "/api/v1/users"),
        (Role.FINANCE, "GET", "/api/v1/users"),
        (Role.SALES, "POST", "/api/v1/regions"),
        (Role.DISTRIBUTOR, "POST", "/api/v1/regions"),
    ],
)
def test_a_role_that_may_not_answers_403_and_nothing_changes(api, count_rows, role, method, path):
    from portal.accounts.models import User
    from portal.regions.models import Region

    caller = api(make_user(role=role))
    before = (count_rows(Distributor), count_rows(User), count_rows(Region))
    body = {
        "code": "330000",
        "name": "浙江省",
        "credit_code": "91330100MA27XL0E2Y",
        "level": "level1",
        "username": "intruder",
        "role": "admin",
        "password": "long-enough-password",
    }

    response = caller.request(method, path, json=body)

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert (count_rows(Distributor), count_rows(User), count_rows(Region)) == before


def test_a_distributor_user_may_not_patch_even_its_own_company(api):
    own = make_distributor(name="原名有限公司")
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=own))

    response = caller.patch(f"/api/v1/distributors/{own.id}", json={"name": "新名有限公司"})

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Distributor, own.id).name == "原名有限公司"


def test_an_unknown_api_path_answers_404_json_and_a_wrong_method_405_json(api):
    caller = api(make_user(role=Role.ADMIN))

    missing = caller.get("/api/v1/no-such-thing")
    wrong_method = caller.request("DELETE", LIST)

    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)["code"] == "method_not_allowed"


def test_every_api_route_declares_an_access_rule(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]

    missing = [rule.rule for rule in rules if getattr(app.view_functions[rule.endpoint], "access_rule", None) is None]

    assert len(rules) >= 7
    assert missing == []
