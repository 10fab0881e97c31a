"""Work a worker would otherwise do on its first requests, done when it boots (docs/architecture.md,
"The application"): configure the SQLAlchemy mappers, compile every template, load
both languages' catalogs, import plotly with the traces the charts draw, then rehearse the pages:
request each page a role opens without arguments, as one active user of each role, so that
SQLAlchemy has compiled their statements, Babel has loaded each language's number and date data
and the pool holds a connection. ``wsgi.py`` calls :func:`warm_up` once per worker process; tests
build apps without it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from .domain.roles import Role

# Downloads are left out of the rehearsal: on a large database one export takes seconds.
DOWNLOAD_SUFFIXES = (".xlsx", ".csv")


def warm_up(app: Flask) -> None:
    from flask_babel import get_translations
    from jinja2.utils import LRUCache
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    templates = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    if isinstance(app.jinja_env.cache, LRUCache) and app.jinja_env.cache.capacity < len(templates):
        app.jinja_env.cache = LRUCache(2 * len(templates))  # Jinja keeps 400 by default: keep all
    for name in templates:
        app.jinja_env.get_template(name)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context(headers={"Accept-Language": language}):
            get_translations()
    _draw_each_kind_of_chart()
    rehearse_pages(app, seconds=app.config["WARM_UP_SECONDS"])


def rehearse_pages(app: Flask, seconds: float) -> list[tuple[str, str, int]]:
    """GET the pages a worker will be asked for, through the whole stack (session cookie, access
    rules, view, template), as the first active user of each role: each role's home page in every
    language first, then each page without URL arguments once as a distributor and once as head
    office (the roles there share their queries). Downloads and the API (bearer tokens) are left
    out. Reads only: the pages are GETs, and each request's session ends with it. Stops when
    ``seconds`` are spent (gunicorn kills a worker that boots for longer than its timeout), and
    does nothing on a database without users or without tables yet. Returns (role, path, status)
    of each request made."""
    deadline = time.monotonic() + seconds
    client = app.test_client(use_cookies=False)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    default = app.config["BABEL_DEFAULT_LOCALE"]
    cookies = dict(_a_session_per_role(app))
    visits = [(role, "/", language) for role in cookies for language in app.config["LANGUAGES"]]
    seen = {(role.is_head_office, "/") for role in cookies}
    for role in cookies:
        for path in _pages_of(app, role):
            if (role.is_head_office, path) not in seen:
                seen.add((role.is_head_office, path))
                visits.append((role, path, default))
    done: list[tuple[str, str, int]] = []
    for role, path, language in visits:
        if time.monotonic() > deadline:
            app.logger.info("warm-up: stopped after %.0f s, %d pages rehearsed", seconds, len(done))
            break
        headers = {"Cookie": f"{cookie_name}={cookies[role]}", "Accept-Language": language}
        response = client.get(path, headers=headers)
        response.close()
        if response.status_code >= 500:
            app.logger.warning("warm-up: %s as %s answered %d", path, role, response.status_code)
        done.append((str(role), path, response.status_code))
    return done


def _a_session_per_role(app: Flask) -> Iterator[tuple[Role, str]]:
    """(role, signed session cookie) for the first active user of each role that has one: the
    session Flask-Login's ``login_user`` starts (and portal.web's session clock stamps), signed as
    the response would sign it."""
    from flask import session
    from flask_login import login_user
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from .accounts.models import User
    from .domain.roles import Role
    from .extensions import db

    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    with app.test_request_context():
        try:
            users = [
                db.session.scalar(select(User).where(User.role == role, User.active).order_by(User.id).limit(1))
                for role in Role
            ]
        except SQLAlchemyError:  # not migrated yet: the pages could not be rehearsed anyway
            app.logger.info("warm-up: no pages rehearsed, the database is not ready")
            return
        for user in users:
            if user is not None:
                session.clear()
                login_user(user)
                yield user.role, serializer.dumps(dict(session))


def _pages_of(app: Flask, role: Role) -> list[str]:
    """The paths of the GET pages without arguments that the role may use, downloads aside."""
    from .security import rule_of
    from .web import API_PREFIX

    paths = []
    for url_rule in app.url_map.iter_rules():
        rule = rule_of(app.view_functions[url_rule.endpoint])
        if (
            "GET" in (url_rule.methods or ())
            and not url_rule.arguments
            and not url_rule.rule.endswith(DOWNLOAD_SUFFIXES)
            and not url_rule.rule.startswith(API_PREFIX)
            and rule is not None
            and rule.allows(role)
        ):
            paths.append(url_rule.rule)
    return sorted(paths)


def _draw_each_kind_of_chart() -> None:
    """plotly imports its validators lazily, per trace type: draw one of each the portal uses."""
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_trace(go.Bar(x=["a"], y=[1], marker={"color": "#0d6efd"}, customdata=["a"], hovertemplate="%{x}"))
    figure.add_trace(go.Scatter(x=["a"], y=[1], mode="lines+markers"))
    figure.add_trace(go.Heatmap(z=[[1]], x=["a"], y=["b"], colorscale="Blues"))
    figure.update_layout(template="none", barmode="stack", legend={"orientation": "h"}, yaxis={"title": {"text": "a"}})
    figure.to_json()
