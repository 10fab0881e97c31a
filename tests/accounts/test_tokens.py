"""Personal API tokens: created and revoked on the profile page, stored hashed (docs/api.md)."""

import re

from portal.accounts.models import ApiToken, hash_token
from portal.accounts.services import create_token, revoke_token
from portal.audit.models import AuditEvent
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import PASSWORD, make_user


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


def _change_password(client):
    return client.post(
        "/profile/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a-brand-new-secret",
            "pw-confirm": "a-brand-new-secret",
        },
        follow_redirects=True,
    )


def test_changing_the_password_revokes_the_api_tokens_and_says_so(app, login):
    user = make_user(role=Role.SALES)
    client = login(user)
    secrets = [create_token(user, "ERP"), create_token(user, "BI")]
    someone_elses = create_token(make_user(role=Role.SALES), "theirs")
    assert all(_calls_api(app, secret) == 200 for secret in secrets)
    assert "your API tokens revoked" in client.get("/profile").get_data(as_text=True)  # warned beforehand

    page = _change_password(client).get_data(as_text=True)

    assert "Other sessions have been signed out, and 2 API tokens have been revoked." in page
    assert page.count("Revoked") == 2  # the token list shows both revoked
    assert all(_calls_api(app, secret) == 401 for secret in secrets)
    assert _calls_api(app, someone_elses) == 200
    revocations = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.table_name == "api_tokens", AuditEvent.action == "update")
    ).all()
    assert len(revocations) == 2
    assert all("revoked_at" in event.changes for event in revocations)


def test_one_live_token_is_named_in_the_singular(login):
    user = make_user()
    client = login(user)
    create_token(user, "ERP")
    revoke_token(
        db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(create_token(user, "old"))))
    )
    page = _change_password(client).get_data(as_text=True)
    assert "Other sessions have been signed out, and 1 API token has been revoked." in page  # not the old one


def _calls_api(app, secret: str) -> int:
    return app.test_client().get("/api/v1/distributors", headers={"Authorization": f"Bearer {secret}"}).status_code
