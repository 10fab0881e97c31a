"""Languages: Simplified Chinese first, English too; numbers, dates and ¥ amounts per language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _

from .clock import to_business_time

LANGUAGES = {"zh": "中文", "en": "English"}
LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The language chosen with the switcher, else the browser's preference, else Chinese."""
    chosen = session.get(LANGUAGE_COOKIE) or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def money(amount: Decimal | None) -> str:
    """¥1,234.50 in both languages (the amount is always CNY)."""
    if amount is None:
        return "—"
    return "¥" + format_decimal(amount, format="#,##0.00")


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.##") + "%"


def day(value: date | None) -> str:
    if value is None:
        return "—"
    return format_date(value, format="medium")


def moment(value: datetime | None) -> str:
    """A timestamp (stored in UTC) shown in Asia/Shanghai."""
    if value is None:
        return "—"
    return format_datetime(to_business_time(value), format="medium")


def translate_label(value: Any) -> str:
    """An enum member's label (marked with N_ in the domain) in the user's language."""
    label = getattr(value, "label", None)
    return _(label) if label else str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, percent=percent, day=day, moment=moment, label=translate_label)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
    app.jinja_env.add_extension("jinja2.ext.do")
