"""Administrators manage users and roles (docs/rules.md §12)."""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import ApiToken, User
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_distributor, make_token, make_user


def new_user(**fields):
    return {
        "username": "new.person",
        "full_name": "新人",
        "role": "sales",
        "password": "long-enough-pw",
        "active": "y",
        **fields,
    }


def test_admin_creates_a_distributor_user(login):
    distributor = make_distributor()
    client = login(make_user(role=Role.ADMIN))
    response = client.post("/admin/users/new", data=new_user(role="distributor", distributor_id=str(distributor.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "new.person"))
    assert user.role is Role.DISTRIBUTOR
    assert user.distributor_id == distributor.id


def test_a_distributor_user_needs_a_distributor(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    before = count_rows(User)
    response = client.post("/admin/users/new", data=new_user(role="distributor"))
    assert response.status_code == 422
    assert 'value="new.person"' in response.get_data(as_text=True)
    assert count_rows(User) == before


def test_head_office_users_belong_to_no_distributor(login, count_rows):
    distributor = make_distributor()
    client = login(make_user(role=Role.ADMIN))
    before = count_rows(User)
    response = client.post("/admin/users/new", data=new_user(distributor_id=str(distributor.id)))
    assert response.status_code == 422
    assert count_rows(User) == before


def test_user_names_are_unique_whatever_the_case(login, count_rows):
    make_user(username="Wang.Ting")
    client = login(make_user(role=Role.ADMIN))
    before = count_rows(User)
    assert client.post("/admin/users/new", data=new_user(username="wang.ting")).status_code == 409  # as the API
    assert count_rows(User) == before


def test_a_short_initial_password_is_refused(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    before = count_rows(User)
    response = client.post("/admin/users/new", data=new_user(password="short"))
    assert response.status_code == 422
    assert count_rows(User) == before


def test_nonsense_in_the_form_is_refused_not_a_crash(login, count_rows):
    client = login(make_user(role=Role.ADMIN))
    before = count_rows(User)
    for bad in (
        {"role": "emperor"},
        {"distributor_id": "abc"},
        {"distributor_id": "99999", "role": "distributor"},
        {"email": "not-an-email"},
        {"username": ""},
    ):
        assert client.post("/admin/users/new", data=new_user(**bad)).status_code == 422, bad
    assert count_rows(User) == before


def test_admin_resets_a_password(login, app):
    user = make_user()
    client = login(make_user(role=Role.ADMIN))
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "a-new-long-password"}).status_code == 302
    assert (
        app.test_client()
        .post("/login", data={"username": user.username, "password": "a-new-long-password"})
        .status_code
        == 302
    )


def test_the_user_list_filters_by_role(login):
    finance = make_user(role=Role.FINANCE, username="money.person")
    admin = make_user(role=Role.ADMIN, username="the.admin")
    page = login(admin).get("/admin/users?role=finance").get_data(as_text=True)
    assert f'href="/admin/users/{finance.id}"' in page
    assert f'href="/admin/users/{admin.id}"' not in page


def test_the_user_list_costs_the_same_statements_for_3_or_30_users(login, count_statements):
    client = login(make_user(role=Role.ADMIN))
    for _ in range(3):
        make_user(role=Role.DISTRIBUTOR)
    with count_statements() as few:
        assert client.get("/admin/users?per_page=100").status_code == 200
    for _ in range(27):
        make_user(role=Role.DISTRIBUTOR)
    with count_statements() as many:
        assert client.get("/admin/users?per_page=100").status_code == 200
    assert len(many) == len(few)


def test_a_blank_distributor_choice_is_read_as_none_not_a_crash(login):
    user = make_user(role=Role.SALES, username="blank.choice")
    client = login(make_user(role=Role.ADMIN))
    response = client.post(
        f"/admin/users/{user.id}",
        data={"username": "blank.choice", "role": "sales", "distributor_id": " ", "active": "y"},
    )
    assert response.status_code == 302


def test_an_administrator_cannot_lock_themselves_out(login):
    admin = make_user(role=Role.ADMIN)
    client = login(admin)
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True
    assert client.get("/admin/users").status_code == 200


def test_an_administrators_reset_revokes_the_users_api_tokens_and_says_so(login, app):
    user = make_user(role=Role.SALES)
    headers = {"Authorization": f"Bearer {make_token(user, 'ERP')}"}
    assert app.test_client().get("/api/v1/distributors", headers=headers).status_code == 200
    client = login(make_user(role=Role.ADMIN))
    assert "their API tokens are revoked" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/password", data={"password": "short"}).status_code == 422
    assert app.test_client().get("/api/v1/distributors", headers=headers).status_code == 200  # refused: no change

    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": "a-new-long-password"}, follow_redirects=True
    )

    assert "their sessions have ended and 1 API token has been revoked." in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/distributors", headers=headers).status_code == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)).revoked_at is not None
