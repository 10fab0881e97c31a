"""CSRF on every form, and the security headers on every response (foundation issue)."""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import User
from portal.distributors.models import Distributor
from portal.domain.roles import Role
from portal.extensions import db
from portal.web import PLOTLY_STYLE_HASHES

from .builders import PASSWORD, make_distributor, make_user


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def csrf_token(page: str) -> str:
    return (
        re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page).group(1)
        or ""
    )


def signed_in_with_csrf(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'value="([^"]+)"', page[page.index('name="csrf_token"') - 200 :]).group(1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def token_from(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_login_without_the_csrf_token_is_refused(csrf_app):
    user = make_user()
    response = csrf_app.test_client().post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "expired or came from another site" in response.get_data(as_text=True)


def test_a_state_change_without_the_csrf_token_changes_nothing(csrf_app):
    admin = make_user(role=Role.ADMIN)
    victim = make_user(role=Role.SALES)
    client = signed_in_with_csrf(csrf_app, admin)
    response = client.post(f"/admin/users/{victim.id}/active", data={"active": "0"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, victim.id).active is True


def test_the_same_change_with_the_token_goes_through(csrf_app):
    admin = make_user(role=Role.ADMIN)
    victim = make_user(role=Role.SALES)
    client = signed_in_with_csrf(csrf_app, admin)
    token = token_from(client, "/admin/users")
    response = client.post(f"/admin/users/{victim.id}/active", data={"active": "0", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, victim.id).active is False


def test_signing_out_needs_the_token_too(csrf_app):
    user = make_user()
    client = signed_in_with_csrf(csrf_app, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


def test_a_form_posted_without_the_token_by_a_sales_user_saves_nothing(csrf_app):
    sales = make_user(role=Role.SALES)
    distributor = make_distributor(name="原名有限公司")
    client = signed_in_with_csrf(csrf_app, sales)
    client.post(
        f"/distributors/{distributor.id}/edit",
        data={
            "code": distributor.code,
            "name": "篡改",
            "credit_code": distributor.credit_code,
            "level": "level1",
            "status": "active",
        },
    )
    db.session.expire_all()
    assert db.session.get(Distributor, distributor.id).name == "原名有限公司"


def test_pages_carry_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "base-uri 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    styles = csp.split("style-src", 1)[1].split(";", 1)[0].split()
    assert "'unsafe-inline'" not in styles  # inline styles only by exact hash: plotly's two fixed ones
    assert [s for s in styles if s.startswith("'sha256-")] == list(PLOTLY_STYLE_HASHES)
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    body = response.get_data(as_text=True)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", body))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_the_nonce_changes_with_every_response(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert first != second


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://portal.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_loads_anything_from_another_site():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "templates"
    offenders = [str(p) for p in templates.rglob("*.html") if re.search(r'(src|href)="(https?:)?//', p.read_text())]
    assert offenders == []
    inline = [
        str(p)
        for p in templates.rglob("*.html")
        if re.search(r"<script(?![^>]*nonce=)[^>]*>|\son(click|load|change|submit)=|style=\"", p.read_text())
    ]
    assert inline == [], "inline scripts, handlers or styles break the CSP"


def test_behind_a_proxy_the_forwarded_https_is_honoured():
    from portal import create_app

    from .builders import app_config

    app = create_app(app_config(PROXY_COUNT=1))
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    untrusted = create_app(app_config()).test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers


@pytest.mark.parametrize("where", ["path", "query", "form"])
def test_control_characters_are_refused_before_anything_reads_them(login, count_rows, where):
    from portal.distributors.models import Distributor as Model

    client = login(make_user(role=Role.SALES))
    before = count_rows(Model)
    if where == "path":
        response = client.get("/boards/SN%00X")
    elif where == "query":
        response = client.get("/distributors/?q=a%00b")
    else:
        response = client.post(
            "/distributors/new",
            data={
                "code": "NB011",
                "name": "宁波\x00公司",
                "credit_code": "91330100MA2B3C4D5N",
                "level": "level2",
                "status": "active",
            },
        )
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert count_rows(Model) == before


def test_the_api_refuses_control_characters_in_its_query_too(app):
    from .builders import make_token

    token = make_token(make_user(role=Role.SALES))
    response = app.test_client().get("/api/v1/distributors?q=a%00b", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "query", ["page=%C2%B2", "per_page=%C2%B2", "page=9223372036854775808", "page=99999999999999999&per_page=200"]
)
@pytest.mark.parametrize("path", ["/distributors/", "/orders/", "/agreements/", "/notices/", "/audit/"])
def test_odd_page_numbers_fall_back_instead_of_crashing(login, path, query):
    client = login(make_user(role=Role.SALES))
    assert client.get(f"{path}?{query}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/agreements/?distributor_id=%C2%B2",
        "/boards/?product_id=%C2%B2",
        "/notices/?year=%C2%B2",
        "/receivables/?distributor_id=%C2%B2",
        "/audit/?since=0001-01-01",
        "/audit/?until=9999-12-31",
    ],
)
def test_odd_filters_are_ignored_not_a_crash(login, url):
    assert login(make_user(role=Role.ADMIN)).get(url).status_code == 200


def test_an_api_list_with_an_odd_page_number_answers_422_not_a_crash(app):
    from .builders import make_token

    token = make_token(make_user(role=Role.SALES))
    for query in ("page=%C2%B2", "page=9223372036854775808"):
        response = app.test_client().get(f"/api/v1/distributors?{query}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/price-lists", {"version": "PX1", "effective_from": "0001-01-01"}),
        ("/api/v1/price-lists", {"version": "PX2", "effective_from": "9999-12-31"}),
    ],
)
def test_the_api_refuses_implausible_dates(app, path, body):
    from .builders import make_token

    token = make_token(make_user(role=Role.SALES))
    response = app.test_client().post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "effective_from" in response.json["error"]["fields"]
