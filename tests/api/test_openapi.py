"""The OpenAPI document is generated from the routes, valid, and complete; the reference page lists it."""

from __future__ import annotations

from flask import render_template
from openapi_spec_validator import validate

from portal.api.openapi import build_spec, openapi_path

SPEC = "/api/v1/openapi.json"
IGNORED = {"HEAD", "OPTIONS"}


def api_operations(app) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - IGNORED
    }


def test_the_document_is_public_and_valid_openapi(client):
    response = client.get(SPEC)

    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_api_route_of_the_url_map_is_documented(app, client):
    spec = client.get(SPEC).json

    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}

    assert documented == api_operations(app)
    assert ("/api/v1/distributors/{distributor_id}", "patch") in documented


def test_operations_say_who_may_call_them_and_what_they_answer(client):
    paths = client.get(SPEC).json["paths"]

    create = paths["/api/v1/distributors"]["post"]
    assert create["x-roles"] == ["admin", "sales"]
    assert create["summary"] == "Add a distributor."
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DistributorIn"
    }
    assert {"201", "400", "401", "403", "422"} <= set(create["responses"])
    show = paths["/api/v1/distributors/{distributor_id}"]["get"]
    assert show["parameters"][0]["name"] == "distributor_id"
    assert show["parameters"][0]["schema"]["type"] == "integer"
    assert "404" in show["responses"]
    assert paths["/api/v1/openapi.json"]["get"]["security"] == []
    listing = paths["/api/v1/regions"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"parent_code", "q", "page", "per_page"}
    per_page = next(p for p in listing["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 200


def test_schemas_come_from_the_models(client):
    spec = client.get(SPEC).json
    schemas = spec["components"]["schemas"]

    assert set(schemas["DistributorIn"]["required"]) == {"code", "name", "credit_code", "level"}
    assert schemas["UserIn"]["properties"]["password"]["writeOnly"] is True
    assert "password" not in schemas["UserOut"]["properties"]
    assert schemas["Level"]["enum"] == ["level1", "level2"]
    assert set(schemas["Error"]["properties"]["error"]["required"]) == {"code", "message"}
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from the profile page.",
    }
    assert spec["security"] == [{"bearer": []}]


def test_the_reference_page_lists_every_operation_and_links_the_document(app):
    spec = build_spec(app)
    with app.test_request_context("/api-reference", headers={"Accept-Language": "en"}):
        page = render_template("main/api_docs.html", spec=spec)

    assert 'href="/api/v1/openapi.json"' in page
    for path, operations in spec["paths"].items():
        assert f"<code>{path}</code>" in page
        for operation in operations.values():
            assert operation["summary"] in page
    assert "Head-office sales, Administrator" not in page  # roles come in the document's order
    assert "Administrator, Head-office sales" in page  # POST /distributors: admin, sales
    assert "Anyone, without a token" in page  # the document itself


def test_the_reference_page_is_served_with_its_link(client):
    response = client.get("/api-reference", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert 'href="/api/v1/openapi.json"' in response.get_data(as_text=True)
