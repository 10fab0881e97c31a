"""Benchmark data (issue 11): build the schema on an empty database and fill it at a scale.

    .venv/bin/python bench/generate.py --scale 1 --database-url sqlite:///instance/bench-1x.sqlite3
    .venv/bin/python bench/generate.py --scale 10 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The schema is made with the Alembic migrations (``flask db upgrade``), then ``portal.generator``
fills it (also ``flask --app wsgi portal generate --scale N``). It refuses a database that already
holds data unless ``--reset`` is given (which deletes every row first). Logins: ``admin``,
``sales``, ``finance`` and each distributor's code lowercased, password ``portal-demo-2026``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app  # noqa: E402


@click.command()
@click.option("--scale", type=float, default=1.0, show_default=True, help="1 = 500 distributors, 5 years.")
@click.option("--database-url", required=True, envvar="DATABASE_URL", help="sqlite:///… or postgresql+psycopg://…")
@click.option("--reset", is_flag=True, help="Delete every row of every table first.")
@click.option("--seed", type=int, default=2026, show_default=True)
def main(scale: float, database_url: str, reset: bool, seed: int) -> None:
    import flask_migrate

    from portal.generator import generate, print_summary

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        started = time.perf_counter()
        flask_migrate.upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        written = generate(scale, reset=reset, seed=seed)
        print_summary(written)
        settle(app)
        click.echo(f"Built in {time.perf_counter() - started:.1f} s (scale {scale:g}, {database_url.split(':')[0]}).")


def settle(app: Any) -> None:
    """On PostgreSQL, VACUUM (ANALYZE) the freshly loaded tables: what autovacuum does to a database
    in service. Without it the planner has no statistics, and an index-only scan still visits the
    table for every row (the visibility map is unset), so a benchmark run right after the build
    would measure a state no production database stays in. SQLite keeps no statistics unless asked
    (the portal never runs ANALYZE there), so it is left as built."""
    from portal.extensions import db

    if db.engine.dialect.name == "postgresql":
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        click.echo(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
