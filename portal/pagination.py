"""Lists paginate in SQL: LIMIT/OFFSET plus one COUNT, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from werkzeug.routing import IntegerConverter

from .db import MAX_ID
from .extensions import db


class AsciiIntegerConverter(IntegerConverter):
    """``<int:…>`` in every route: ASCII digits only. Werkzeug's own matches any Unicode digit, so
    /orders/１ or /orders/١ would reach order 1; here they are simply not found (404)."""

    regex = r"[0-9]+"


MAX_PAGE = 1_000_000  # far past any list; keeps OFFSET inside every database's integer


def int_arg(name: str, *, upper: int = MAX_ID) -> int | None:
    """A positive whole number from the query string (an id, a year), or None for anything else:
    empty, words, non-ASCII digits such as "²", or numbers past ``upper``."""
    value = request.args.get(name, "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if 0 < number <= upper else None


def page_args(max_per_page: int | None = None) -> tuple[int, int]:
    """``?page=`` and ``?per_page=`` read leniently: nonsense falls back to the defaults."""
    default = current_app.config["PER_PAGE"]
    limit = max_per_page or current_app.config["API_MAX_PER_PAGE"]
    page_number = int_arg("page", upper=MAX_PAGE) or 1
    size = int_arg("per_page") or default
    return page_number, min(size, limit)


def paginate(statement: Any, max_per_page: int | None = None) -> Any:
    page, per_page = page_args(max_per_page)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)
