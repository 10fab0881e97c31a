"""The OpenAPI 3.1 document, built from the routes themselves (never written by hand).

Every rule of the api blueprint in ``app.url_map`` becomes an operation: its summary and
description come from the view's docstring, its path parameters from the rule's converters, its
schemas from the pydantic models named by :func:`~portal.api.core.api_doc`, and who may call it
from the view's access rule (``x-roles``; ``security: []`` when public).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify
from pydantic import BaseModel
from werkzeug.routing import parse_converter_args

from ..domain.roles import EVERYONE
from ..security import AccessRule, public
from .blueprint import bp
from .core import MAX_PER_PAGE, NO_CONTROL_CHARACTERS, ApiDoc, PageQuery, api_doc

OPENAPI_VERSION = "3.1.0"
REF_TEMPLATE = "#/components/schemas/{model}"
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# <converter(args):name> in a werkzeug rule.
PATH_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
# A path segment: one character at least, none of them a control character (refused with 400).
PATH_TEXT_SCHEMA = {"type": "string", "minLength": 1, "pattern": NO_CONTROL_CHARACTERS}
CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid"]},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Each field concerned with its messages (every invalid field of a 422; "
                    "the field a 409 is about, where there is one); a nested field is named by its path, "
                    "such as lines.0.sku.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

ERROR_RESPONSES: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "Malformed: the body is not a JSON object, or the address or query string holds control characters.",
    ),
    401: ("Unauthorized", "No token, or a bad, revoked or deactivated user's token."),
    403: ("Forbidden", "The caller's role may not do this."),
    404: ("NotFound", "No such record, or it belongs to another distributor."),
    409: (
        "Conflict",
        "A rule or the record's state forbids it (code rule_violated), or the value is already taken "
        "(code duplicate); error.fields names the field where there is one. Nothing changed.",
    ),
    422: (
        "Invalid",
        "Invalid values (code invalid) in the body or the query string, each field or parameter named in "
        "error.fields; also a value the schema cannot check, such as an unknown SKU or a date outside the "
        "agreement's term. Nothing changed.",
    ),
}

DESCRIPTION = """\
Everything a person can do in the portal's pages, a program can do here, under the same roles and
rules. Authenticate with `Authorization: Bearer <token>` (tokens are created on the profile page).
JSON in and out; dates are `YYYY-MM-DD`, timestamps ISO 8601 with offset, money and percentages
strings with two decimals (`"15000.00"`). Lists take `?page=` and `?per_page=` (at most 200) and
answer `items`, `page`, `pages`, `per_page`, `total`, `total_capped` (past 10,000 rows `total`
is 10,000, `total_capped` is true, and `pages` reaches one past `page` while rows remain); query
parameters are read as this document writes them (a bad one answers 422), an empty one counts as
absent. Errors answer
`{"error": {"code", "message", "fields"}}`; a refused request changes nothing.

Refusals, the same on the pages and here: 400 malformed (the body is not a JSON object, or control
characters in the address or query string); 401 no valid token; 403 the caller's role may not do
this; 404 no such record, or another distributor's; 405 a method the path does not take (`Allow`
lists those it does); 409 a conflict with a record's state or a rule (code `rule_violated`), or a
duplicate (code `duplicate`), with `fields` naming the field where there is one; 422 invalid values
(code `invalid`), with each field's messages in `fields`.
"""


class _Components:
    """Collects the schemas of the models the operations name, with their nested definitions."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        if self.schemas.setdefault(name, schema) != schema:
            raise RuntimeError(f"two different schemas are named {name} in the OpenAPI document")

    def schema_of(self, model: type[BaseModel], mode: str) -> dict[str, Any]:
        schema = model.model_json_schema(mode=mode, ref_template=REF_TEMPLATE)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self._add(name, definition)
        return schema

    def ref(self, model: type[BaseModel], mode: str) -> dict[str, Any]:
        self._add(model.__name__, self.schema_of(model, mode))
        return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: drop ``anyOf [..., null]`` and ``default: null``."""
    schema = {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        schema = {**options[0], **schema}
    elif options:
        schema["anyOf"] = options
    return schema


def _docstring(view: Callable[..., Any]) -> tuple[str, str]:
    text = inspect.getdoc(view) or ""
    summary, _, rest = text.partition("\n\n")
    return " ".join(summary.split()), rest.strip()


def _who(access: AccessRule | None) -> str:
    if access is None:
        return "Nobody: this route declares no access rule."
    if access.public:
        return "Anyone, without a token."
    if access.roles == EVERYONE:
        who = "Any signed-in role."
    else:
        who = "Roles: " + ", ".join(sorted(role.value for role in access.roles)) + "."
    if access.loaders:
        who += " A distributor user only reaches its own distributor's records."
    return who


def _path_parameters(rule: Any, access: AccessRule | None) -> list[dict[str, Any]]:
    loaded = {loader.arg: loader for loader in (access.loaders if access else ())}
    parameters = []
    for match in PATH_ARG.finditer(rule.rule):
        name = match["name"]
        schema = dict(CONVERTER_SCHEMAS.get(match["converter"] or "", PATH_TEXT_SCHEMA))
        if match["args"] and schema["type"] in ("integer", "number"):
            bounds = parse_converter_args(match["args"])[1]
            schema.update(
                {
                    key: bounds[arg]
                    for key, arg in (("minimum", "min"), ("maximum", "max"))
                    if bounds.get(arg) is not None
                }
            )
        parameter: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": schema}
        if name in loaded:
            parameter["description"] = (
                f"The {loaded[name].model.__name__}'s {loaded[name].by}; another "
                "distributor's record answers 404, like a missing one."
            )
        parameters.append(parameter)
    return parameters


def _query_parameters(doc: ApiDoc, components: _Components, default_per_page: int) -> list[dict[str, Any]]:
    """The filters of ``doc.query`` and, for a list, ``page`` and ``per_page`` (:class:`PageQuery`).
    An empty value counts as absent (``allowEmptyValue``)."""
    models = [model for model in (doc.query, PageQuery if doc.list_of else None) if model is not None]
    parameters = []
    for model in models:
        schema = components.schema_of(model, "validation")
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = _without_null(prop)
            prop.pop("title", None)
            if name == "per_page":
                prop["default"] = default_per_page
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                parameter["description"] = prop.pop("description")
            parameter["allowEmptyValue"] = True
            parameters.append(parameter)
    return parameters


def _success(doc: ApiDoc, components: _Components) -> dict[str, Any]:
    if doc.status == 204:
        return {"description": "Done; no content."}
    if doc.response is None:
        if doc.response_schema is None:
            return {"description": "Done."}
        return {"description": "OK.", "content": {"application/json": {"schema": doc.response_schema}}}
    item = components.ref(doc.response, "serialization")
    if not doc.list_of:
        return {
            "description": "Created." if doc.status == 201 else "OK.",
            "content": {"application/json": {"schema": item}},
        }
    page = {
        "type": "object",
        "required": ["items", "page", "pages", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 0},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "How many rows match, counted up to 10,000; past it, 10,000 (see total_capped).",
            },
            "total_capped": {
                "type": "boolean",
                "description": "True when more rows match than total says: total is then a lower bound, and pages "
                "is one past page while rows remain.",
            },
        },
    }
    return {"description": "One page of the list.", "content": {"application/json": {"schema": page}}}


def _errors(doc: ApiDoc, access: AccessRule | None, method: str) -> list[int]:
    """The refusals an operation can answer, read off what it is, so none is forgotten by hand: 400
    for every one (a control character in its address or query string, a malformed body), 401/403
    unless public or open to every role, 404 where it loads a record, 409 for every write (a rule,
    the record's state or a duplicate value), 422 where it reads a body or query parameters."""
    statuses = [400]
    if access is None or not access.public:
        statuses.append(401)
        if access is None or access.roles != EVERYONE:
            statuses.append(403)
    if (access is not None and access.loaders) or doc.not_found:
        statuses.append(404)
    if method not in SAFE_METHODS:
        statuses.append(409)
    if doc.body is not None or doc.query is not None or doc.list_of:
        statuses.append(422)
    return statuses


def _operation(app: Flask, rule: Any, method: str, components: _Components) -> dict[str, Any]:
    view = app.view_functions[rule.endpoint]
    doc: ApiDoc = getattr(view, "api_doc", ApiDoc())
    access: AccessRule | None = getattr(view, "access_rule", None)
    summary, description = _docstring(view)
    name = rule.endpoint.partition(".")[2]
    methods = sorted(rule.methods - IGNORED_METHODS)
    operation: dict[str, Any] = {
        "operationId": name if len(methods) == 1 else f"{name}_{method.lower()}",
        "summary": summary or name.replace("_", " ").capitalize(),
        "description": " ".join(filter(None, [description, "Who may call it: " + _who(access)])),
        "tags": [rule.rule.removeprefix(bp.url_prefix or "").strip("/").split("/")[0].split(".")[0]],
    }
    parameters = _path_parameters(rule, access) + _query_parameters(doc, components, app.config["PER_PAGE"])
    if parameters:
        operation["parameters"] = parameters
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.ref(doc.body, "validation")}},
        }
    operation["responses"] = {str(doc.status): _success(doc, components)} | {
        str(status): {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
        for status in _errors(doc, access, method)
    }
    if access is not None and access.public:
        operation["security"] = []
    else:
        operation["x-roles"] = sorted(role.value for role in (access.roles if access else ()))
    return operation


def openapi_path(rule: Any) -> str:
    """``/api/v1/distributors/<int:distributor_id>`` → ``/api/v1/distributors/{distributor_id}``."""
    return PATH_ARG.sub(lambda match: "{" + match["name"] + "}", rule.rule)


def api_rules(app: Flask) -> list[Any]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(f"{bp.name}.")),
        key=lambda rule: rule.rule,
    )


def build_spec(app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI document of every route of the api blueprint."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for rule in api_rules(app):
        for method in sorted(rule.methods - IGNORED_METHODS):
            operations = paths.setdefault(openapi_path(rule), {})
            operations[method.lower()] = _operation(app, rule, method, components)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Distributor portal API (经销商门户)", "version": "1", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "responses": {
                name: {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for name, text in ERROR_RESPONSES.values()
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from the profile page.",
                }
            },
        },
        "security": [{"bearer": []}],
    }


@bp.get("/openapi.json")
@public
@api_doc(response_schema={"type": "object", "description": "An OpenAPI 3.1 document."})
def openapi() -> Any:
    """This OpenAPI document."""
    return jsonify(build_spec())
