"""The access guard (docs/rules.md §12, docs/architecture.md "Who may use a route").

It walks ``app.url_map``, so every route a later issue adds is covered without editing this file:
- every endpoint declares an access rule, and one without is refused at run time;
- every rule that is not public names a permission of portal.domain.permissions, and one that
  names none allows nobody;
- every id in the URL of a route a distributor may use is loaded through the one scope mechanism
  (``@loads``);
- a distributor asking for another distributor's record gets 404 on every method, and nothing is
  written;
- a signed-out visitor is sent to the login page (API: 401) by every route that is not public.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from portal import create_app
from portal.config import TestConfig
from portal.distributors.models import Distributor
from portal.domain import permissions
from portal.domain.roles import Role
from portal.extensions import db
from portal.security import AccessRule, loads

from .builders import FOREIGN_RECORDS, make_distributor, make_token, make_user

SAFE = {"HEAD", "OPTIONS"}

# Every area's foreign-record builders (tests/<area>/builders.py) register themselves on import.
for _module in sorted(Path(__file__).parent.glob("*/builders.py")):
    importlib.import_module(f"tests.{_module.parent.name}.builders")


def endpoints_without_rule(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "access_rule", None) is None
    )


def rule_of(app: Flask, endpoint: str) -> AccessRule:
    return app.view_functions[endpoint].access_rule


def routes(app: Flask) -> list[Any]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def distributor_routes(app: Flask) -> list[Any]:
    return [
        r
        for r in routes(app)
        if not rule_of(app, r.endpoint).public and rule_of(app, r.endpoint).allows(Role.DISTRIBUTOR)
    ]


def total_rows() -> int:
    db.session.expire_all()
    return sum(int(db.session.scalar(select(func.count()).select_from(t)) or 0) for t in db.metadata.sorted_tables)


def call(client: Any, method: str, url: str, headers: dict[str, str] | None = None) -> Any:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if method not in ("GET", "DELETE"):
        kwargs["json" if url.startswith("/api/") else "data"] = {}
    return client.open(url, method=method, **kwargs)


def test_every_endpoint_declares_who_may_use_it(app):
    assert endpoints_without_rule(app) == []


def test_a_route_without_a_rule_is_caught_by_the_guard_and_refused():
    app = create_app(TestConfig)

    @app.get("/forgotten")
    def forgotten():
        return "secret"

    assert endpoints_without_rule(app) == ["forgotten"]
    assert app.test_client().get("/forgotten").status_code == 403


def test_every_route_not_public_names_a_permission_of_the_permissions_module(app):
    stray = [
        r.endpoint
        for r in routes(app)
        if not rule_of(app, r.endpoint).public and rule_of(app, r.endpoint).permission not in permissions.ALL
    ]
    assert stray == [], "declare @allowed(may_...) with a permission of portal/domain/permissions.py"


def test_a_rule_that_names_no_permission_allows_no_role():
    rule = loads(Distributor, "distributor_id")(lambda distributor: "").access_rule
    assert not rule.public
    assert [role for role in Role if rule.allows(role)] == []


def test_every_id_a_distributor_can_put_in_a_url_goes_through_the_scope_loader(app):
    unscoped = []
    for rule in distributor_routes(app):
        loaded = {loader.arg for loader in rule_of(app, rule.endpoint).loaders}
        if set(rule.arguments) - loaded:
            unscoped.append(f"{rule.rule} {sorted(set(rule.arguments) - loaded)}")
    assert unscoped == [], "add @loads(Model, arg) so the record is fetched inside the caller's scope"


def test_every_scoped_model_has_a_foreign_record_builder(app):
    models = {loader.model for r in distributor_routes(app) for loader in rule_of(app, r.endpoint).loaders}
    missing = sorted(m.__name__ for m in models if m not in FOREIGN_RECORDS)
    assert missing == [], "register a builder in tests/builders.py FOREIGN_RECORDS"


def test_another_distributors_record_answers_404_on_every_method_and_nothing_changes(app, login):
    ours, theirs = make_distributor(), make_distributor()
    user = make_user(role=Role.DISTRIBUTOR, distributor=ours)
    client = login(user)
    token = {"Authorization": f"Bearer {make_token(user)}"}
    checked = []
    for rule in distributor_routes(app):
        loaders = rule_of(app, rule.endpoint).loaders
        if not loaders:
            continue
        values = {}
        for loader in loaders:
            record = FOREIGN_RECORDS[loader.model](theirs)
            values[loader.arg] = getattr(record, loader.by)
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        before = total_rows()
        for method in sorted(rule.methods - SAFE):
            response = call(client, method, url, token if url.startswith("/api/") else None)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            checked.append(f"{method} {rule.rule}")
        assert total_rows() == before, f"{rule.rule} wrote something for another distributor's record"
    assert checked, "no distributor route loads a record: the guard checked nothing"


def _placeholder_values(rule: Any) -> dict[str, Any]:
    values = {}
    for name in rule.arguments:
        values[name] = 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
    return values


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_changes(app, client):
    before = total_rows()
    for rule in routes(app):
        if rule_of(app, rule.endpoint).public:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, _placeholder_values(rule))
        for method in sorted(rule.methods - SAFE):
            response = call(client, method, url)
            if url.startswith("/api/"):
                assert response.status_code == 401, f"{method} {url}"
            else:
                assert response.status_code == 302, f"{method} {url}"
                assert "/login" in response.headers["Location"]
    assert total_rows() == before


@pytest.mark.parametrize("role", [Role.DISTRIBUTOR, Role.FINANCE, Role.SALES])
def test_roles_not_named_by_a_rule_get_403_and_nothing_changes(app, login, role):
    user = make_user(role=role)
    client = login(user)
    token = {"Authorization": f"Bearer {make_token(user)}"}
    before = total_rows()
    refused = 0
    for rule in routes(app):
        access = rule_of(app, rule.endpoint)
        if access.public or access.allows(role):
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, _placeholder_values(rule))
        for method in sorted(rule.methods - SAFE):
            response = call(client, method, url, token if url.startswith("/api/") else None)
            assert response.status_code == 403, f"{role} {method} {url} answered {response.status_code}"
            refused += 1
    assert refused, f"no route is closed to {role}: the check checked nothing"
    assert total_rows() == before


def test_a_distributor_user_without_a_distributor_sees_nothing(app, login):
    someone = make_distributor()
    orphan = make_user(role=Role.SALES)
    orphan.role = Role.DISTRIBUTOR  # as if the link were lost; the portal must still show nothing
    db.session.commit()
    client = login(orphan)
    page = client.get("/")
    assert page.status_code == 200
    assert "not linked to a distributor" in page.get_data(as_text=True)
    assert client.get(f"/distributors/{someone.id}").status_code == 404


@pytest.mark.parametrize("huge", ["2147483648", "99999999999999999999"])
def test_an_id_too_large_for_the_database_is_simply_not_found(app, login, huge):
    client = login(make_user(role=Role.SALES))
    assert client.get(f"/distributors/{huge}").status_code == 404
    assert client.post(f"/distributors/{huge}/edit", data={}).status_code == 404
