"""Personal API tokens: created and revoked on the profile page, stored hashed (docs/api.md)."""

import re

from portal.accounts.models import ApiToken
from portal.accounts.services import create_token
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_user


def test_a_token_is_shown_once_and_only_its_hash_is_kept(login):
    user = make_user(role=Role.FINANCE)
    client = login(user)
    page = client.post("/profile/tokens", data={"token-name": "ERP"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    stored = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.name == "ERP"
    assert secret not in stored.token_hash
    assert secret not in client.get("/profile").get_data(as_text=True)


def test_a_token_without_a_name_is_refused(login):
    client = login(make_user())
    response = client.post("/profile/tokens", data={"token-name": "  "})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_revoking_a_token(login):
    user = make_user()
    client = login(user)
    client.post("/profile/tokens", data={"token-name": "ERP"})
    token = db.session.scalar(db.select(ApiToken))
    client.post(f"/profile/tokens/{token.id}/revoke")
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_nobody_revokes_another_users_token(login):
    owner = make_user(role=Role.SALES)
    login(owner).post("/profile/tokens", data={"token-name": "mine"})
    token = db.session.scalar(db.select(ApiToken))
    admin = login(make_user(role=Role.ADMIN))
    assert admin.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_using_a_token_records_when_but_not_on_every_call(app, count_statements):
    user = make_user(role=Role.SALES)
    secret = create_token(user, "ERP")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/distributors", headers=headers).status_code == 200
    db.session.expire_all()
    first_use = db.session.scalar(db.select(ApiToken)).last_used_at
    assert first_use is not None
    with count_statements() as statements:
        client.get("/api/v1/distributors", headers=headers)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)
