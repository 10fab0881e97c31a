"""What every API resource shares (docs/api.md conventions), independent of the blueprint.

* Request bodies are pydantic models read strictly from JSON: malformed JSON or a body that is not
  an object answers 400 ``bad_request``; wrong, missing or unknown fields answer 422 ``invalid``
  with every field's messages at once, in the caller's language.
* Query strings are read as the document writes them (:func:`parse_query`): a parameter given
  twice, ``1.0`` for a whole number or ``yes`` for true answers 422 naming it.
* Lists answer ``{"items", "page", "pages", "per_page", "total", "total_capped"}``, paginated in
  SQL with a capped count (:func:`page_of`), at most
  :data:`MAX_PER_PAGE` rows a page; ``page`` and ``per_page`` (:class:`PageQuery`) are checked
  like filters, for every list, by the blueprint.
* Money and percentages go out as strings with two decimals, dates as ``YYYY-MM-DD``, timestamps
  as ISO 8601 in Asia/Shanghai with their offset; they come in matching :data:`MONEY_PATTERN`.
* A field's JSON Schema says what its validation accepts (:func:`text_schema`, the money
  patterns), so the document and the server agree; schemathesis checks it (tests/api/test_contract.py).
* :func:`api_doc` only annotates a view; :mod:`portal.api.openapi` reads the annotations.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

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
from ..domain.errors import N_, DomainError
from ..domain.money import MAX_YUAN_DIGITS, parse_money, parse_percent
from ..domain.products import SKU_PATTERN
from ..domain.regions import CODE_PATTERN, normalize_code
from ..errors import domain_message, refusal_status
from ..pagination import MAX_PAGE, paginate

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
    """Filters read from the query string, as the document describes them: each parameter once,
    whole numbers in digits, ``true``/``false``, dates as YYYY-MM-DD (see :func:`parse_query`);
    an empty value counts as absent. Parameters nobody documents are ignored."""

    model_config = ConfigDict(extra="ignore")


class PageQuery(QueryModel):
    """``?page=`` and ``?per_page=`` of every list: a bad value answers 422, like any filter's."""

    page: Annotated[int, Field(ge=1, le=MAX_PAGE, description="From 1.")] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE, description=f"Rows per page, at most {MAX_PER_PAGE}.")] = (
        UNSENT
    )


class OutModel(BaseModel):
    """A response: read from the ORM object's attributes."""

    model_config = ConfigDict(from_attributes=True)


def _refuse(message: Any) -> PydanticCustomError:
    """A validation error whose message is already in the caller's language."""
    return PydanticCustomError("portal", "{message}", {"message": str(message)})


# C0 control characters other than tab, line feed and carriage return, and DEL: PostgreSQL refuses
# NUL in text, and the others hide text from whoever reads it. The same class as the check every
# request's address and query get (portal/web.py), so a text field accepts what a query accepts.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
# The document's word for "any text without control characters" (JSON Schema patterns are not anchored).
NO_CONTROL_CHARACTERS = f"^[^{CONTROL_CHARACTERS}]*$"
# ... and for "with at least one character besides spaces", as a required text is after trimming.
NOT_BLANK = f"^[^{CONTROL_CHARACTERS}]*[^\\s{CONTROL_CHARACTERS}][^{CONTROL_CHARACTERS}]*$"


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise _refuse(_("Remove the control characters from this text."))
    return value


def _padded(pattern: str) -> str:
    """``pattern`` with the spaces, tabs and line breaks around it that are trimmed off."""
    return rf"[ \t\n\r]*(?:{pattern})[ \t\n\r]*"


def text_schema(max_length: int, min_length: int = 0, pattern: str | None = None) -> dict[str, Any]:
    """What :func:`text` accepts, in JSON Schema: lengths as sent, and a pattern that refuses
    control characters (and, for a required text, one of spaces only)."""
    schema: dict[str, Any] = {"maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    if pattern:
        schema["pattern"] = f"^{_padded(pattern)}$" if min_length else f"^(?:{_padded(pattern)})?$"
    else:
        schema["pattern"] = NOT_BLANK if min_length else NO_CONTROL_CHARACTERS
    return schema


def text(max_length: int, *, min_length: int = 0, pattern: str | None = None, message: Any = None) -> Any:
    """A string field: at most ``max_length`` characters as sent, free of control characters and,
    when ``pattern`` is given and it is not empty, matching it, spaces around it aside (else
    ``message``); then trimmed, and at least ``min_length`` long. The document states the same
    (:func:`text_schema`)."""

    def check(sent: str) -> str:
        if len(sent) > max_length:
            raise _refuse(_("Enter at most %(length)s characters.", length=max_length))
        _no_control_characters(sent)
        if pattern and sent and not re.fullmatch(_padded(pattern), sent, re.ASCII):  # \d is 0-9 only
            raise _refuse(message or _("This value has the wrong format."))
        value = sent.strip()
        if len(value) < min_length:
            raise _refuse(
                _("Enter a value.")
                if min_length == 1
                else _("Enter at least %(length)s characters.", length=min_length)
            )
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra=text_schema(max_length, min_length, pattern))]


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

# A GB/T 2260 region code: six digits, or a 12-digit statistical code (cut to its first six).
RegionCode = Annotated[
    text(
        12,
        min_length=1,
        pattern=f"{CODE_PATTERN}(?:[0-9]{{6}})?",
        message=_l("A region code has six digits (GB/T 2260), such as 330100."),
    ),
    domain_checked(normalize_code),
]
# A product's SKU as its form is (SKU_PATTERN), in either case: the portal stores it in capitals.
SKU_TEXT_PATTERN = SKU_PATTERN.replace("A-Z", "A-Za-z")
Sku = text(
    40,
    min_length=1,
    pattern=SKU_TEXT_PATTERN,
    message=_l("A SKU has at most 40 letters, digits, dots, hyphens or underscores."),
)


# What an amount sent in may look like, for the server and the document alike: digits with at most
# two decimals, optionally grouped by thousands ("1,200.50"), at most MAX_YUAN_DIGITS digits of
# yuan; no sign, no spaces, no currency sign (docs/rules.md §2). parse_money reads it.
# [0-9], not \d: JSON Schema's \d is ASCII only, Python's is not.
_GROUPED = (
    rf"[0-9](?:,[0-9]{{3}}){{1,{(MAX_YUAN_DIGITS - 1) // 3}}}"  # 1,234,567,890,123
    rf"|[0-9]{{2,3}}(?:,[0-9]{{3}}){{1,{(MAX_YUAN_DIGITS - 2) // 3}}}"  # 12,345 … 123,456,789,012
)
MONEY_PATTERN = rf"(?:[0-9]{{1,{MAX_YUAN_DIGITS}}}|{_GROUPED})(?:\.[0-9]{{1,2}})?"
# A percentage: 0 to 100 with at most two decimals.
PERCENT_PATTERN = r"(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)"


def _amount_in(value: Any, pattern: str, parse: Callable[[str], Decimal], not_text: Any) -> Decimal:
    """An amount sent as a string matching ``pattern``, read by the domain's ``parse`` (whose messages
    say what is wrong: a sign, three decimals, too many digits, over 100 %)."""
    if not isinstance(value, str):
        raise _refuse(not_text)
    try:
        amount = parse(value)
    except DomainError as error:
        raise _refuse(domain_message(error)) from error
    if not re.fullmatch(pattern, value, re.ASCII):  # what people may type on a page, such as " ¥12"
        raise _refuse(_("Enter an amount in digits, such as 1200.00."))
    return amount


def _money_in(value: Any) -> Decimal:
    return _amount_in(
        value,
        MONEY_PATTERN,
        parse_money,
        _l('Send an amount as a string with at most two decimals, such as "1200.00".'),
    )


def _percent_in(value: Any) -> Decimal:
    return _amount_in(
        value,
        PERCENT_PATTERN,
        parse_percent,
        _l('Send a percentage as a string with at most two decimals, such as "30.00".'),
    )


def _two_decimals(value: Decimal) -> str:
    return f"{value:.2f}"


MONEY_IN_SCHEMA = {"type": "string", "pattern": f"^{MONEY_PATTERN}$", "examples": ["15000.00"]}
PERCENT_IN_SCHEMA = {"type": "string", "pattern": f"^{PERCENT_PATTERN}$", "examples": ["30.00"]}
# What the portal sends: always two decimals, never negative.
MONEY_SCHEMA = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "examples": ["15000.00"]}
PERCENT_SCHEMA = {"type": "string", "pattern": r"^[0-9]{1,3}\.[0-9]{2}$", "examples": ["30.00"]}

# Money is Decimal in Python and a string with two decimals on the wire: never a JSON number,
# which clients would read as a float (docs/rules.md §2).
MoneyIn = Annotated[Decimal, PlainValidator(_money_in), WithJsonSchema(MONEY_IN_SCHEMA)]
PercentIn = Annotated[Decimal, PlainValidator(_percent_in), WithJsonSchema(PERCENT_IN_SCHEMA)]
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


# How a query string writes the values of each type (OpenAPI's form style), with the message for
# anything else: pydantic alone would also read "1.0" or "+1" as 1, "yes" as true and "0" as a date.
_QUERY_FORMATS: dict[type, tuple[str, str]] = {
    int: ("-?[0-9]+", N_("Send a whole number.")),
    bool: ("true|false", N_("Send true or false.")),
    date: ("[0-9]{4}-[0-9]{2}-[0-9]{2}", N_("Send a date as YYYY-MM-DD.")),
}


def _plain_type(annotation: Any) -> Any:
    """``int`` for ``int | None`` or ``Annotated[int, …]``; else the annotation itself."""
    if get_origin(annotation) is Annotated:
        return _plain_type(get_args(annotation)[0])
    options = [option for option in get_args(annotation) if option is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(options) == 1:
        return _plain_type(options[0])
    return annotation


def _query_values(model: type[BaseModel]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The model's parameters as sent (an empty one is absent), and the problems of their form."""
    values: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for name, field in model.model_fields.items():
        sent = [value for value in request.args.getlist(name) if value != ""]
        if len(sent) > 1:
            problems[name] = [_("This field is given more than once; send it once.")]
        elif sent:
            form = _QUERY_FORMATS.get(_plain_type(field.annotation))
            if form is not None and not re.fullmatch(form[0], sent[0], re.ASCII):
                problems[name] = [_(form[1])]
            values[name] = sent[0]
    return values, problems


def parse_query(model: type[M]) -> M:
    """The query string's filters as ``model`` (:class:`QueryModel`); bad ones answer 422, each named."""
    values, problems = _query_values(model)
    try:
        parsed = model.model_validate({name: value for name, value in values.items() if name not in problems})
    except ValidationError as error:
        raise invalid(field_errors(error) | problems) from error
    if problems:
        raise invalid(problems)
    return parsed


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
    """One page of ``statement``'s rows: one SELECT and one capped COUNT, whatever the page size.
    ``paginator`` pages a statement of several columns (a page's own, such as the receivables').
    Past the count's cap (portal.pagination) ``total`` is the cap, ``total_capped`` is true and
    ``pages`` reaches one past this page while rows remain (docs/api.md, Lists and pagination)."""
    page = paginator(statement) if paginator else paginate(statement, max_per_page=MAX_PER_PAGE)
    return jsonify(
        items=[dump(model, record) for record in page.items],
        page=page.page,
        pages=page.pages,
        per_page=page.per_page,
        total=page.total,
        total_capped=bool(getattr(page, "capped", False)),
    )


# --- Documentation annotations ------------------------------------------------------------------


@dataclass(frozen=True)
class ApiDoc:
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    list_of: bool = False
    query: type[BaseModel] | None = None
    status: int = 200
    response_schema: dict[str, Any] | None = None
    not_found: bool = False  # answers 404 for a record named outside the path (a query's id)


def api_doc(**annotations: Any) -> Callable[[F], F]:
    """Describe a view for the OpenAPI document. It only annotates: nothing is checked here.

    ``body``: the request model; ``response``: the answer's model (``list_of=True``: a page of
    them); ``query``: the filters' model; ``status``: the success status. The refusals each
    operation may answer are read off what it is (``portal.api.openapi._errors``).
    """
    doc = ApiDoc(**annotations)

    def decorate(view: F) -> F:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view

    return decorate
