"""/api/v1/users: administrators manage accounts; the password is write-only."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import PASSWORD, make_distributor, make_user
from .support import error_of

LIST = "/api/v1/users"


def test_an_administrator_lists_users_without_their_passwords(api):
    distributor = make_distributor()
    make_user(role=Role.DISTRIBUTOR, username="dist-wang", distributor=distributor)
    admin = make_user(role=Role.ADMIN, username="admin-li")

    response = api(admin).get(LIST)

    assert response.status_code == 200
    assert [item["username"] for item in response.json["items"]] == ["admin-li", "dist-wang"]
    wang = response.json["items"][1]
    assert (wang["role"], wang["distributor_id"], wang["active"]) == ("distributor", distributor.id, True)
    assert not any("password" in key for item in response.json["items"] for key in item)


def test_filters_by_role_and_activity(api):
    make_user(role=Role.SALES, username="sales-a")
    make_user(role=Role.SALES, username="sales-b", active=False)
    caller = api(make_user(role=Role.ADMIN, username="boss"))

    by_role = caller.get(f"{LIST}?role=sales").json["items"]
    inactive = caller.get(f"{LIST}?active=false").json["items"]

    assert [u["username"] for u in by_role] == ["sales-a", "sales-b"]
    assert [u["username"] for u in inactive] == ["sales-b"]


def test_an_administrator_creates_a_user_who_can_then_sign_in(api, login, count_rows):
    distributor = make_distributor()
    caller = api(make_user(role=Role.ADMIN))

    response = caller.post(
        LIST,
        json={
            "username": "zhang.san",
            "role": "distributor",
            "distributor_id": distributor.id,
            "password": PASSWORD,
            "full_name": "张三",
            "email": "zhang@example.com",
        },
    )

    assert response.status_code == 201, response.json
    assert "password" not in response.json
    assert (response.json["username"], response.json["role"]) == ("zhang.san", "distributor")
    assert response.json["created_at"].endswith("+08:00")
    user = db.session.scalar(db.select(User).where(User.username == "zhang.san"))
    assert login(user).get("/").status_code == 200
    assert count_rows(User) == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"role": "distributor"}, "distributor_id", "A distributor user belongs to a distributor: choose one."),
        (
            {"role": "sales", "distributor_id": 4242},
            "distributor_id",
            "Only distributor users belong to a distributor.",
        ),
        ({"role": "distributor", "distributor_id": 4242}, "distributor_id", "There is no such distributor."),
        ({"password": "short"}, "password", "Use at least 10 characters for the password."),
        ({"password": "new.person"}, "password", "The password cannot be the user name."),
        ({"username": "new.person.x", "password": "NEW.PERSON.X"}, "password", "The password cannot be the user name."),
        ({"role": "owner"}, "role", "Choose one of: 'distributor', 'sales', 'finance' or 'admin'."),
        ({"distributor_id": "3", "role": "distributor"}, "distributor_id", "Send a whole number."),
        ({"distributor_id": 10**20, "role": "distributor"}, "distributor_id", "Send a number of at most 2147483647."),
        ({"active": "yes"}, "active", "Send true or false."),
        ({"email": "nobody"}, "email", "Enter a valid e-mail address, such as name@example.com."),
        ({"password": None}, "password", "This field cannot be null."),
    ],
)
def test_a_bad_user_answers_422_naming_the_field_and_saves_nothing(api, count_rows, changes, field, message):
    caller = api(make_user(role=Role.ADMIN))
    body = {"username": "new.person", "role": "sales", "password": PASSWORD, **changes}

    response = caller.post(LIST, json=body)

    assert response.status_code == 422
    assert error_of(response)["fields"] == {field: [message]}
    assert count_rows(User) == 1


def test_a_filter_out_of_range_answers_422_not_500(api):
    response = api(make_user(role=Role.ADMIN)).get(f"{LIST}?distributor_id=99999999999999999999999")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["distributor_id"]


def test_a_taken_user_name_is_refused_whatever_its_case(api, count_rows):
    make_user(username="Li.Si")
    caller = api(make_user(role=Role.ADMIN))

    response = caller.post(LIST, json={"username": "li.si", "role": "sales", "password": PASSWORD})

    assert response.status_code == 409
    assert error_of(response)["fields"] == {"username": ["This user name is taken."]}
    assert count_rows(User) == 2
