"""Lists paginate in SQL: LIMIT/OFFSET plus one COUNT, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from .extensions import db


def page_args(max_per_page: int | None = None) -> tuple[int, int]:
    """``?page=`` and ``?per_page=`` read leniently: nonsense falls back to the defaults."""
    default = current_app.config["PER_PAGE"]
    limit = max_per_page or current_app.config["API_MAX_PER_PAGE"]
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", str(default))
    page_number = int(page) if page.isdigit() and int(page) > 0 else 1
    size = int(per_page) if per_page.isdigit() and int(per_page) > 0 else default
    return page_number, min(size, limit)


def paginate(statement: Any, max_per_page: int | None = None) -> Any:
    page, per_page = page_args(max_per_page)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)
