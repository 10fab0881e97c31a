"""Work a worker would otherwise do on its first requests, done when it boots (docs/architecture.md,
"The application"): configure the SQLAlchemy mappers, compile every template, load
both languages' catalogs and import plotly with the traces the charts draw. ``wsgi.py`` calls
:func:`warm_up` once per worker process; tests build apps without it.
"""

from __future__ import annotations

from flask import Flask


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


def _draw_each_kind_of_chart() -> None:
    """plotly imports its validators lazily, per trace type: draw one of each the portal uses."""
    import plotly.graph_objects as go

    figure = go.Figure()
    figure.add_trace(go.Bar(x=["a"], y=[1], marker={"color": "#0d6efd"}, customdata=["a"], hovertemplate="%{x}"))
    figure.add_trace(go.Scatter(x=["a"], y=[1], mode="lines+markers"))
    figure.add_trace(go.Heatmap(z=[[1]], x=["a"], y=["b"], colorscale="Blues"))
    figure.update_layout(template="none", barmode="stack", legend={"orientation": "h"}, yaxis={"title": {"text": "a"}})
    figure.to_json()
