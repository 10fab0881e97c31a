"""The page benchmark (issue 11): every key page, API list and export per role, timed in-process
through Flask's test client, on one database or two side by side.

    .venv/bin/python bench/pages.py --base URL [--big URL] [--repeat N] [--only PATTERN] [--json FILE]

One app per database URL, each signed in through the real login form as each role (head office:
``sales``, ``finance``, ``admin``; a distributor: ``--distributor NAME``, by default the first
distributor user of the base database); the API pages use a bearer token made for the run and
revoked at its end. Each page is requested once on each database to warm it (the cold start is
issue 11's other finding, not this table's), then ``--repeat`` times on each, alternating A, B, A,
B … so the machine's noise hits both alike. For each page:

- median and p90 of the time from sending the request to the last byte of the body read;
- statements per request (a SQLAlchemy ``before_cursor_execute`` listener on the app's engine; the
  most common count of the repeats: an occasional "last seen" write is not the page's);
- response size; the ratio big ÷ base of the medians; and the page's median ÷ the bare route's
  (``/healthz``: one ``SELECT 1`` behind the same session handling), the floor under every page.

Flagged: a ratio above 1.3, a 10× export slower than 5 s, a statement count that differs between the
two databases, and any page that does not answer 200 (an error row, the run goes on). Output: a
Markdown table on stdout, and with ``--json FILE`` every figure. ``make bench`` / ``make bench-10x``
(README, Benchmarks) build the data with bench/generate.py and run this.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app  # noqa: E402
from portal.accounts import services as accounts  # noqa: E402
from portal.accounts.models import ApiToken, User  # noqa: E402
from portal.boards.models import Board  # noqa: E402
from portal.domain.roles import Role  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.products.models import Product  # noqa: E402

PASSWORD = "portal-demo-2026"  # the demo's and bench/generate.py's users
HEAD_OFFICE_USERS = {"sales": "sales", "finance": "finance", "admin": "admin"}
DISTRIBUTOR = "distributor"
BARE = "bare route (/healthz)"
RATIO_LIMIT = 1.3  # issue 11: every list at 10× within 1.3× its time at 1×
EXPORT_LIMIT = 5.0  # seconds: any export of the 10× data
DEFAULT_REPEAT = 15
DEFAULT_EXPORT_REPEAT = 3
TOKEN_NAME = "bench/pages.py"


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may hold {product_id}, {serial_prefix}
    role: str  # "sales", "finance", "admin" or "distributor"
    api: bool = False  # called with the bearer token
    export: bool = False  # a download: fewer repeats, the 5 s limit


def head_office_pages() -> list[Page]:
    s, f, a = "sales", "finance", "admin"
    return [
        Page("home (sales)", "/", s),
        Page("home (finance)", "/", f),
        Page("home (admin)", "/", a),
        Page("orders list", "/orders/", s),
        Page("orders list, page 40", "/orders/?page=40", s),
        Page("orders list, closed", "/orders/?status=closed", s),
        Page("API orders", "/api/v1/orders", s, api=True),
        Page("boards list", "/boards/", s),
        Page("boards list, product filter", "/boards/?product_id={product_id}", s),
        Page("boards list, class filter", "/boards/?class=in_warranty", s),
        Page("boards list, serial prefix", "/boards/?serial={serial_prefix}", s),
        Page("API boards", "/api/v1/boards", s, api=True),
        Page("agreements list", "/agreements/", s),
        Page("API agreements", "/api/v1/agreements", s, api=True),
        Page("distributors list", "/distributors/", s),
        Page("API distributors", "/api/v1/distributors", s, api=True),
        Page("receivables list", "/receivables/", f),
        Page("overdue", "/receivables/?state=overdue", f),
        Page("API receivables", "/api/v1/receivables", f, api=True),
        Page("on-time delivery", "/boards/delivery", s),
        Page("API on-time deliveries", "/api/v1/on-time-deliveries", s, api=True),
        Page("audit trail, by table", "/audit/?table=orders", a),
        Page("notices", "/notices/", s),
        Page("API notices", "/api/v1/notices", s, api=True),
        Page("repair queue", "/repairs/queue", s),
        Page("repair batches", "/repairs/", s),
        Page("API repair batches", "/api/v1/repair-batches", s, api=True),
        Page("repair-fee ledger", "/repairs/ledger", f),
        Page("assessments list", "/assessments/", s),
        Page("API assessments", "/api/v1/assessments", s, api=True),
        Page("compliance overview", "/compliance/", s),
        Page("reports list", "/reports/", s),
        Page("API reports", "/api/v1/reports", s, api=True),
        Page("violations list", "/reports/violations", s),
        Page("API violations", "/api/v1/violations", s, api=True),
        Page("receivables export", "/receivables/export.xlsx", f, export=True),
        Page("overdue export", "/receivables/export.xlsx?state=overdue", f, export=True),
        Page("repair-fee ledger export", "/repairs/ledger.xlsx", f, export=True),
        Page("compliance export", "/compliance/export.xlsx", s, export=True),
    ]


def distributor_pages() -> list[Page]:
    d = DISTRIBUTOR
    return [
        Page("distributor: home", "/", d),
        Page("distributor: orders", "/orders/", d),
        Page("distributor: API orders", "/api/v1/orders", d, api=True),
        Page("distributor: boards", "/boards/", d),
        Page("distributor: repairs", "/repairs/", d),
        Page("distributor: reports", "/reports/", d),
        Page("distributor: compliance", "/compliance/", d),
        Page("distributor: notices", "/notices/", d),
    ]


def all_pages() -> list[Page]:
    return [Page(BARE, "/healthz", "sales"), *head_office_pages(), *distributor_pages()]


def select_pages(pages: Sequence[Page], only: str | None) -> list[Page]:
    """``--only``: pages whose name or path holds PATTERN (case-insensitive; shell wildcards allowed).
    The bare route is always kept: every page is measured against it."""
    if not only:
        return list(pages)
    pattern = only.lower()
    if not any(ch in pattern for ch in "*?["):
        pattern = f"*{pattern}*"
    return [
        p
        for p in pages
        if p.name == BARE or fnmatch.fnmatch(p.name.lower(), pattern) or fnmatch.fnmatch(p.path.lower(), pattern)
    ]


# --- one database ---------------------------------------------------------------------------------


class Site:
    """One app on one database, with a signed-in test client and an API token per role."""

    def __init__(self, label: str, app: Flask, users: dict[str, str], password: str) -> None:
        self.label = label
        self.app = app
        self.statements = 0
        self.clients: dict[str, FlaskClient] = {}
        self.tokens: dict[str, str] = {}
        self.problems: dict[str, str] = {}  # role -> why it could not sign in
        self.params: dict[str, str] = {}
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        for role, username in users.items():
            self._sign_in(role, username, password)

    def _count(self, *args: Any) -> None:
        self.statements += 1

    def _sign_in(self, role: str, username: str, password: str) -> None:
        client = self.app.test_client()
        form = client.get("/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', form.data)
        data = {"username": username, "password": password}
        if token:
            data["csrf_token"] = token.group(1).decode()
        response = client.post("/login", data=data)
        if response.status_code != 302:
            self.problems[role] = f"could not sign in as {username!r} (HTTP {response.status_code})"
            return
        self.clients[role] = client
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            assert user is not None  # just signed in
            self.tokens[role] = accounts.create_token(user, TOKEN_NAME)

    def close(self) -> None:
        """Revoke the run's tokens; stop counting."""
        event.remove(self.engine, "before_cursor_execute", self._count)
        if not self.tokens:
            return
        with self.app.app_context():
            tokens = db.session.scalars(
                select(ApiToken).where(ApiToken.name == TOKEN_NAME, ApiToken.revoked_at.is_(None))
            ).all()
            for token in tokens:
                accounts.revoke_token(token)
            db.session.remove()

    def request(self, page: Page, path: str) -> tuple[float, int, int, int]:
        """(seconds, statements, bytes, HTTP status) of one request, the body read to its end."""
        client = self.clients[page.role]
        headers = {"Authorization": f"Bearer {self.tokens[page.role]}"} if page.api else {}
        before = self.statements
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        body = response.get_data()
        elapsed = time.perf_counter() - start
        response.close()
        return elapsed, self.statements - before, len(body), response.status_code


def page_params(app: Flask) -> dict[str, str]:
    """The values the filtered pages need, read from a database (the base one, so both sides ask the
    same URL): the first product, and a serial prefix that matches a slice of the boards."""
    with app.app_context():
        product_id = db.session.scalar(select(func.min(Product.id)))
        serial = db.session.scalar(select(Board.serial).order_by(Board.id).limit(1)) or "SN"
        db.session.remove()
    # A serial without its last four characters: a prefix a run of boards shares (SN2021-0000…).
    return {"product_id": str(product_id or 1), "serial_prefix": serial[: max(2, len(serial) - 4)]}


def first_distributor_user(app: Flask) -> str | None:
    with app.app_context():
        name = db.session.scalar(
            select(User.username).where(User.role == Role.DISTRIBUTOR, User.active.is_(True)).order_by(User.id).limit(1)
        )
        db.session.remove()
    return name


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Side:
    """One page on one database."""

    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    size: int = 0
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def p90(self) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]

    @property
    def statement_count(self) -> int | None:
        return Counter(self.statements).most_common(1)[0][0] if self.statements else None

    def summary(self) -> dict[str, Any]:
        return {
            "median_s": self.median,
            "p90_s": self.p90,
            "statements": self.statement_count,
            "statements_seen": sorted(set(self.statements)),
            "bytes": self.size,
            "error": self.error,
            "times_s": self.times,
        }


@dataclass
class Row:
    page: Page
    url: str
    sides: list[Side]  # base, then big when there is one

    @property
    def ratio(self) -> float | None:
        if len(self.sides) < 2:
            return None
        base, big = self.sides[0].median, self.sides[1].median
        return big / base if base and big is not None else None

    def flags(self) -> list[str]:
        found = [
            f"{label}: {side.error}" for label, side in zip(("base", "big"), self.sides, strict=False) if side.error
        ]
        if len(self.sides) == 2 and not found:
            ratio, big = self.ratio, self.sides[1]
            if ratio is not None and ratio > RATIO_LIMIT and not self.page.export and self.page.name != BARE:
                found.append(f"ratio > {RATIO_LIMIT}")
            if self.page.export and big.median is not None and big.median > EXPORT_LIMIT:
                found.append(f"big export > {EXPORT_LIMIT:g} s")
            if self.sides[0].statement_count != big.statement_count:
                found.append("statements differ")
        elif len(self.sides) == 1 and self.page.export and not found:
            median = self.sides[0].median
            if median is not None and median > EXPORT_LIMIT:
                found.append(f"export > {EXPORT_LIMIT:g} s")
        return found


def measure(
    sites: Sequence[Site],
    pages: Iterable[Page],
    *,
    repeat: int = DEFAULT_REPEAT,
    export_repeat: int = DEFAULT_EXPORT_REPEAT,
    params: dict[str, str] | None = None,
    progress: Any = None,
) -> list[Row]:
    """Each page: one warm-up request per site, then the repeats, alternating between the sites."""
    rows = []
    for page in pages:
        url = page.path.format(**(params or {}))
        sides = [Side() for _ in sites]
        for site, side in zip(sites, sides, strict=True):
            if page.role not in site.clients:
                side.error = site.problems.get(page.role, f"no {page.role} user")
        # The bare route is the floor every page is divided by, and so short that the machine's
        # noise moves it most: it gets more requests.
        times = export_repeat if page.export else max(3 * repeat, 30) if page.name == BARE else repeat
        for run in range(times + 1):  # run 0 warms up
            for site, side in zip(sites, sides, strict=True):
                if side.error:
                    continue
                try:
                    elapsed, statements, size, status = site.request(page, url)
                except Exception as error:  # noqa: BLE001 - the run goes on: an error row
                    side.error = f"{type(error).__name__}: {error}"[:120]
                    continue
                if status != 200:
                    side.error = f"HTTP {status}"
                elif run:
                    side.times.append(elapsed)
                    side.statements.append(statements)
                    side.size = size
        rows.append(Row(page, url, sides))
        if progress:
            progress(rows[-1])
    return rows


# --- output ---------------------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _bare(rows: Sequence[Row], index: int) -> float | None:
    for row in rows:
        if row.page.name == BARE:
            return row.sides[index].median
    return None


def markdown(rows: Sequence[Row]) -> str:
    """The table: with one database its figures; with two, side by side with the ratio."""
    two = len(rows[0].sides) == 2 if rows else False
    bares = [_bare(rows, i) for i in range(len(rows[0].sides))] if rows else []
    if two:
        head = (
            "| page | base median | big median | ratio | p90 base / big | ÷ bare base / big | statements "
            "| KB base / big | flags |"
        )
    else:
        head = "| page | median | p90 | ÷ bare | statements | KB | flags |"
    lines = [head, _rule(head)]
    for row in rows:
        sides = row.sides
        over = [
            side.median / bare if side.median is not None and bare else None
            for side, bare in zip(sides, bares, strict=True)
        ]
        counts = [side.statement_count for side in sides]
        flags = ", ".join(f"**{flag}**" for flag in row.flags())
        if two:
            base, big = sides
            statements = "–" if counts[0] is None else str(counts[0])
            if counts[0] != counts[1]:
                statements = f"{'–' if counts[0] is None else counts[0]} / {'–' if counts[1] is None else counts[1]}"
            lines.append(
                f"| {row.page.name} | {_ms(base.median)} | {_ms(big.median)} | "
                + ("–" if row.ratio is None else f"{row.ratio:.2f}")
                + f" | {_ms(base.p90)} / {_ms(big.p90)} | {_times(over[0])} / {_times(over[1])} | {statements} | "
                f"{base.size / 1024:.0f} / {big.size / 1024:.0f} | {flags} |"
            )
        else:
            (side,) = sides
            lines.append(
                f"| {row.page.name} | {_ms(side.median)} | {_ms(side.p90)} | {_times(over[0])} | "
                f"{'–' if counts[0] is None else counts[0]} | {side.size / 1024:.0f} | {flags} |"
            )
    return "\n".join(lines)


def _rule(head: str) -> str:
    return "|" + " --- |" * (head.count("|") - 1)


def report(rows: Sequence[Row], labels: Sequence[str]) -> dict[str, Any]:
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": _cpus()},
        "databases": list(labels),
        "pages": [
            {
                "page": row.page.name,
                "url": row.url,
                "role": row.page.role,
                "export": row.page.export,
                "ratio": row.ratio,
                "flags": row.flags(),
                "sides": {label: side.summary() for label, side in zip(labels, row.sides, strict=True)},
            }
            for row in rows
        ],
    }


def _cpus() -> int | None:
    import os

    return os.cpu_count()


def missing_sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL when it does not exist: SQLite would create it empty, silently."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return None if Path(parsed.database).exists() else parsed.database


def describe(url: str) -> str:
    """The URL without a password, for the output."""
    return make_url(url).render_as_string(hide_password=True)


# --- the command ----------------------------------------------------------------------------------


def build_site(label: str, url: str, users: dict[str, str], password: str) -> Site:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    return Site(label, app, users, password)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="database URL of the 1× data")
    parser.add_argument("--big", help="database URL of the 10× data: measured side by side with --base")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed requests per page and database")
    parser.add_argument(
        "--export-repeat", type=int, default=DEFAULT_EXPORT_REPEAT, help="timed requests per export and database"
    )
    parser.add_argument("--only", help="pages whose name or path holds this (wildcards allowed)")
    parser.add_argument("--distributor", help="the distributor user (default: the base database's first)")
    parser.add_argument("--password", default=PASSWORD, help="every benchmark user's password")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)

    urls = [("base", args.base)] + ([("big", args.big)] if args.big else [])
    for label, url in urls:
        missing = missing_sqlite_file(url)
        if missing:
            parser.error(f"--{label}: no database file {missing} (build it with bench/generate.py)")
    pages = select_pages(all_pages(), args.only)
    first = create_app({"SQLALCHEMY_DATABASE_URI": args.base, "RATELIMIT_ENABLED": False})
    users = dict(HEAD_OFFICE_USERS)
    distributor = args.distributor or first_distributor_user(first)
    if distributor:
        users[DISTRIBUTOR] = distributor
    params = page_params(first)
    sites = [build_site(label, url, users, args.password) for label, url in urls]
    for label, url in urls:
        print(f"{label}: {describe(url)}", file=sys.stderr)
    print(f"distributor user: {distributor}; filters: {params}", file=sys.stderr)

    def progress(row: Row) -> None:
        medians = "  ".join(_ms(side.median) for side in row.sides)
        flags = "; ".join(row.flags())
        print(f"  {row.page.name:<36} {medians}  {flags}", file=sys.stderr, flush=True)

    try:
        rows = measure(
            sites, pages, repeat=args.repeat, export_repeat=args.export_repeat, params=params, progress=progress
        )
    finally:
        for site in sites:
            site.close()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Measured {when} on {platform.node()} ({_cpus()} CPUs, Python {platform.python_version()}), ", end="")
    print(
        f"{args.repeat} requests a page ({args.export_repeat} an export, {max(3 * args.repeat, 30)} the bare route) "
        "per database after one warm-up each."
    )
    print(" vs ".join(f"{label} = {describe(url)}" for label, url in urls))
    print()
    print(markdown(rows))
    flagged = [row for row in rows if row.flags()]
    print()
    print(f"{len(flagged)} of {len(rows)} pages flagged." if flagged else f"No page flagged of {len(rows)}.")
    if args.json:
        args.json.write_text(json.dumps(report(rows, [label for label, _ in urls]), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
