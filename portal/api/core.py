"""What every API resource shares (docs/api.md conventions), independent of the blueprint.

* Request bodies are pydantic models read strictly from JSON: malformed JSON or a body that is not
  an object answers 400 ``bad_request``; wrong, missing or unknown fields answer 422 ``invalid``
  with every field's messages at once, in the caller's language.
* Lists answer ``{"items", "page", "pages", "per_page", "total"}``, paginated in SQL, at most
  :data:`MAX_PER_PAGE` rows a page.
* Money and percentages go out as strings with two decimals, dates as ``YYYY-MM-DD``, timestamps
  as ISO 8601 in Asia/Shanghai with their offset.
* :func:`api_doc` only annotates a view; :mod:`portal.api.openapi` reads the annotations.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from ..clock import to_business_time
from ..db import MAX_ID
from ..domain.errors import DomainError
from ..domain.money import parse_money, parse_percent
from ..errors import domain_message, refusal_status
from ..pagination import paginate

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

MAX_PER_PAGE = 200
# Integer primary keys: anything larger is refused before it reaches the database, where it
# would overflow the column (PostgreSQL) or the driver (SQLite) and fail with a 500.


class ApiError(Exception):
    """An answer in the API's error format; the blueprint turns it into the JSON response."""

    def __init__(self, status: int, code: str, message: Any, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields


# --- Models -------------------------------------------------------------------------------------


class BodyModel(BaseModel):
    """A request body: strict JSON types (``"3"`` is not a number), unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


def _drop_unsent_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            del prop["default"]


# The default of a PatchModel field that is not nullable: None to pydantic, which never validates
# a default, and a value of any type to mypy.
UNSENT: Any = None


class PatchModel(BodyModel):
    """A partial update: only the fields sent change (``model_dump(exclude_unset=True)``).

    Declare fields with their plain type and ``= UNSENT``: pydantic never validates a default, so a
    field left out stays unchanged while an explicit ``null`` fails the type ("This field cannot
    be null"). Declare ``X | None = None`` where null is a real value (it clears the field).
    """

    model_config = ConfigDict(json_schema_extra=_drop_unsent_defaults)


class QueryModel(BaseModel):
    """Filters read from the query string (always text, so values are converted leniently)."""

    model_config = ConfigDict(extra="ignore")


class OutModel(BaseModel):
    """A response: read from the ORM object's attributes."""

    model_config = ConfigDict(from_attributes=True)


def _refuse(message: Any) -> PydanticCustomError:
    """A validation error whose message is already in the caller's language."""
    return PydanticCustomError("portal", "{message}", {"message": str(message)})


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters have no place in a name either.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise _refuse(_("Remove the control characters from this text."))
    return value


def text(max_length: int, *, min_length: int = 0, pattern: str | None = None, message: Any = None) -> Any:
    """A string field: trimmed, within its length, free of control characters and, when
    ``pattern`` is given, matching it (else ``message``)."""

    def check(value: str) -> str:
        value = _no_control_characters(value.strip())
        if len(value) < min_length:
            raise _refuse(
                _("Enter a value.")
                if min_length == 1
                else _("Enter at least %(length)s characters.", length=min_length)
            )
        if len(value) > max_length:
            raise _refuse(_("Enter at most %(length)s characters.", length=max_length))
        if pattern and value and not re.fullmatch(pattern, value, re.ASCII):  # \d is 0-9 only
            raise _refuse(message or _("This value has the wrong format."))
        return value

    schema: dict[str, Any] = {"maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if pattern:
        schema["pattern"] = f"^(?:{pattern})$" if min_length else f"^(?:{pattern})?$"
    return Annotated[str, AfterValidator(check), Field(json_schema_extra=schema)]


def domain_checked(check: Callable[[Any], Any]) -> AfterValidator:
    """Run a domain check (raising InvalidValue) as a field validator, keeping its message."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except DomainError as error:
            raise _refuse(domain_message(error)) from error

    return AfterValidator(validate)


def _check_email(value: str) -> str:
    if value:
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            raise _refuse(_("Enter a valid e-mail address, such as name@example.com.")) from error
    return value


Email = Annotated[
    text(254), AfterValidator(_check_email), Field(json_schema_extra={"description": "An e-mail address, or empty."})
]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _money_in(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise _refuse(_('Send an amount as a string with at most two decimals, such as "1200.00".'))
    try:
        return parse_money(value)
    except DomainError as error:
        raise _refuse(domain_message(error)) from error


def _percent_in(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise _refuse(_('Send a percentage as a string with at most two decimals, such as "30.00".'))
    try:
        return parse_percent(value)
    except DomainError as error:
        raise _refuse(domain_message(error)) from error


def _two_decimals(value: Decimal) -> str:
    return f"{value:.2f}"


MONEY_SCHEMA = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["15000.00"]}
PERCENT_SCHEMA = {"type": "string", "pattern": r"^\d{1,3}\.\d{2}$", "examples": ["30.00"]}

# Money is Decimal in Python and a string with two decimals on the wire: never a JSON number,
# which clients would read as a float (docs/rules.md §2).
MoneyIn = Annotated[Decimal, PlainValidator(_money_in), WithJsonSchema(MONEY_SCHEMA)]
PercentIn = Annotated[Decimal, PlainValidator(_percent_in), WithJsonSchema(PERCENT_SCHEMA)]
Money = Annotated[Decimal, PlainSerializer(_two_decimals, return_type=str), WithJsonSchema(MONEY_SCHEMA)]
Percent = Annotated[Decimal, PlainSerializer(_two_decimals, return_type=str), WithJsonSchema(PERCENT_SCHEMA)]
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda moment: to_business_time(moment).isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2025-03-05T14:30:00+08:00"]}),
]


# --- Reading requests ---------------------------------------------------------------------------


def _message(item: Any) -> str:
    """One pydantic error in the caller's language (pydantic's own messages are English only)."""
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "portal":
        return str(ctx["message"])
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known here.")
    if item.get("input", ...) is None:
        return _("This field cannot be null.")
    return _wrong_type_message(kind) or _out_of_bounds_message(kind, ctx) or _("This value is not valid.")


def _wrong_type_message(kind: str) -> str | None:
    """The message for a value of another JSON type than the field's (None: not such an error)."""
    if kind == "string_type":
        return _("Send text (a JSON string).")
    if kind.startswith("int_"):
        return _("Send a whole number.")
    if kind.startswith("bool_"):
        return _("Send true or false.")
    if kind.startswith("date"):
        return _("Send a date as YYYY-MM-DD.")
    if kind in ("list_type", "tuple_type"):
        return _("Send a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Send an object.")
    return None


def _out_of_bounds_message(kind: str, ctx: dict[str, Any]) -> str | None:
    """The message for a value of the right type outside what the field allows (None: not such an error)."""
    if kind in ("greater_than_equal", "greater_than"):
        return _("Send a number of at least %(limit)s.", limit=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Send a number of at most %(limit)s.", limit=ctx.get("le", ctx.get("lt")))
    if kind == "string_too_long":
        return _("Enter at most %(length)s characters.", length=ctx.get("max_length"))
    if kind == "string_too_short":
        return _("Enter at least %(length)s characters.", length=ctx.get("min_length"))
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.", choices=ctx.get("expected", ""))
    return None


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """``{"name": [messages]}``; a nested field is named by its path, such as ``lines.0.sku``."""
    fields: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, []).append(_message(item))
    return fields


def invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "invalid", _l("Some fields are not valid; see the messages for each field."), fields)


def refusal(error: DomainError) -> ApiError:
    """The API's answer to a refusal (docs/api.md, Refusals): 409 when a rule, the record's state or
    a duplicate forbids the step (code ``rule_violated`` or ``duplicate``), 422 for a value that
    cannot be accepted (``invalid``); ``fields`` names the field concerned, with its messages."""
    fields = {error.field: [_(message, **params) for message, params in error.details()]} if error.field else None
    return ApiError(refusal_status(error), error.code, domain_message(error), fields)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_number(text: str) -> Decimal:
    """JSON numbers with a fraction or exponent are read as Decimal, so no float ever carries a
    value into the portal (money is sent as strings anyway; a number where one is expected is refused
    by the field's type)."""
    value = Decimal(text)
    if not value.is_finite() or abs(value.adjusted()) > 100:  # 1e400 and the like are not values
        raise ValueError(f"{text} is out of range")
    return value


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: ``{"a": 1, "a": 2}`` is refused rather than
    read as its last value, so what a client meant is never guessed."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen[key] = value
    return seen


def parse_body(model: type[M]) -> M:
    """The request's JSON body as ``model``, or an :class:`ApiError` (400 malformed, 422 invalid,
    also for a key given twice)."""
    raw = request.get_data(cache=True)
    try:
        # NaN and Infinity are not JSON, whatever Python's json module accepts.
        data = (
            json.loads(raw, parse_constant=_refuse_constant, parse_float=_json_number, object_pairs_hook=_object_once)
            if raw.strip()
            else None
        )
    except _RepeatedKey as error:
        raise invalid({error.key: [_("This field is given more than once; send it once.")]}) from error
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "bad_request", _l("The request body is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _l("Send a JSON object in the request body."))
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors(include_url=False)):
            # Whatever Python's parser takes and pydantic's refuses is malformed all the same.
            raise ApiError(400, "bad_request", _l("The request body is not valid JSON.")) from error
        raise invalid(field_errors(error)) from error


def parse_query(model: type[M]) -> M:
    """The query string's filters as ``model``; empty values count as absent; bad ones answer 422."""
    values = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(field_errors(error)) from error


@contextlib.contextmanager
def errors_on(field: str) -> Iterator[None]:
    """Name ``field`` on a domain error that names none (a password rule, say), so the API's
    ``fields`` always say where the problem is."""
    try:
        yield
    except DomainError as error:
        if error.field is None:
            error.field = field
        raise


# --- Writing responses --------------------------------------------------------------------------


def dump(model: type[BaseModel], record: Any) -> dict[str, Any]:
    return model.model_validate(record).model_dump(mode="json")


def one(model: type[BaseModel], record: Any, status: int = 200, **headers: str) -> Any:
    return jsonify(dump(model, record)), status, headers


def page_of(model: type[BaseModel], statement: Any, paginator: Callable[[Any], Any] | None = None) -> Any:
    """One page of ``statement``'s rows: one SELECT and one COUNT, whatever the page size.
    ``paginator`` pages a statement of several columns (a page's own, such as the receivables')."""
    page = paginator(statement) if paginator else paginate(statement, max_per_page=MAX_PER_PAGE)
    return jsonify(
        items=[dump(model, record) for record in page.items],
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
        total=page.total,
    )


# --- Documentation annotations ------------------------------------------------------------------


@dataclass(frozen=True)
class ApiDoc:
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    list_of: bool = False
    query: type[BaseModel] | None = None
    status: int = 200
    conflicts: bool = False  # a rule may refuse the request (409)
    response_schema: dict[str, Any] | None = None


def api_doc(**annotations: Any) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document. It only annotates: nothing is checked here.

    ``body``: the request model; ``response``: the answer's model (``list_of=True``: a page of
    them); ``query``: the filters' model; ``status``: the success status; ``conflicts``: whether
    a rule may refuse it with 409.
    """
    doc = ApiDoc(**annotations)

    def decorate(view: F) -> F:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view

    return decorate
