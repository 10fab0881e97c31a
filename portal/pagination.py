"""Lists paginate in SQL: LIMIT/OFFSET plus one COUNT, whatever the number of rows.

The COUNT is capped: it counts at most ``LIST_COUNT_CAP`` + 1 rows (``SELECT count(*) FROM (…
LIMIT cap + 1)``), so a list of millions costs what a list of ten thousand does. Past the cap the
total reads "more than 10,000" (``page.capped``) and the pages go on while rows remain: each page
reads one row more than it shows to know whether another follows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import lazyload
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


DEFAULT_COUNT_CAP = 10_000


def page_end(max_per_page: int | None = None) -> int:
    """How many rows the page asked for (``?page=``, ``?per_page=``) ends after: how far a list
    read as runs off its indexes must read each run (receivables, the repair work queue)."""
    page, per_page = page_args(max_per_page)
    return page * per_page


def count_cap() -> int:
    """How many rows a list's COUNT counts at most (config ``LIST_COUNT_CAP``)."""
    return int(current_app.config.get("LIST_COUNT_CAP", DEFAULT_COUNT_CAP))


def capped_count(statement: Any, cap: int) -> int:
    """How many rows ``statement`` has, counting no further than ``cap`` + 1: the rows' columns,
    ordering and eager loads are dropped, so the database may answer from an index alone."""
    inner = statement.options(lazyload("*")).order_by(None)
    if not (inner._distinct or inner._group_by_clauses):  # the rows themselves do not matter
        inner = inner.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    sub = inner.limit(cap + 1).subquery()
    return int(db.session.execute(sa.select(sa.func.count()).select_from(sub)).scalar() or 0)


class CappedPagination(SelectPagination):
    """``db.paginate`` with the capped COUNT above, or the ``total`` the caller knows. ``total`` is
    exact up to the cap; past it ``total`` is the cap, ``capped`` is true, and ``pages`` reaches
    one past the current page while rows remain (so "next" keeps working, and an API client
    looping while ``page < pages`` reads every row)."""

    capped: bool = False
    _more: bool = False

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"].limit(self.per_page + 1).offset(self._query_offset)
        items = list(self._query_args["session"].execute(select).unique().scalars())
        self._more = len(items) > self.per_page
        return items[: self.per_page]

    def _query_count(self) -> int:
        known = self._query_args.get("total")
        if known is not None:  # a figure kept current gives it exactly, without counting
            return int(known)
        cap = self._query_args["cap"]
        counted = capped_count(self._query_args["select"], cap)
        self.capped = counted > cap
        return min(counted, cap)

    @property
    def pages(self) -> int:
        known = super().pages
        if not self.capped:
            return known
        return max(known, self.page + 1 if self._more else self.page)


def paginate(statement: Any, max_per_page: int | None = None) -> Any:
    page, per_page = page_args(max_per_page)
    return CappedPagination(
        select=statement,
        session=db.session(),
        cap=count_cap(),
        page=page,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        count=True,
    )
