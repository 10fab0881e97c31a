"""bench/pages.py, the page benchmark (issue 11): its measuring function on the test app, twice a page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from .builders import PASSWORD, make_notice, make_shop

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_pages"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def users(app: Any, today: Any) -> dict[str, str]:
    shop = make_shop()
    shop.paid_order(50)
    make_notice(shop.agreement.distributor, issued_on=today)
    return {"sales": shop.sales.username, "distributor": shop.agent.username}


def test_each_page_has_its_row_times_and_the_statements_it_sends(
    bench: Any, app: Any, users: dict[str, str], login: Any, count_statements: Any
) -> None:
    Page = bench.Page
    pages = [
        Page(bench.BARE, "/healthz", "sales"),
        Page("orders list", "/orders/", "sales"),
        Page("API orders", "/api/v1/orders", "sales", api=True),
        Page("distributor: notices", "/notices/", "distributor"),
        Page("no such page", "/no-such-page", "sales"),
        Page("finance home", "/", "finance"),  # no finance user here
    ]
    site = bench.Site("base", app, users, PASSWORD)
    try:
        rows = bench.measure([site], pages, repeat=2)
    finally:
        site.close()

    by_name = {row.page.name: row for row in rows}
    assert list(by_name) == [page.name for page in pages]
    orders = by_name["orders list"].sides[0]
    assert len(orders.times) == 2
    assert all(t > 0 for t in orders.times)
    assert orders.size > 1000
    assert orders.error is None
    # The count is the page's own: what the count_statements fixture sees for the same request.
    client = login(next(u for u in _users(app) if u.username == users["sales"]))
    client.get("/orders/")  # the first request of a session writes its "last seen"
    with count_statements() as statements:
        assert client.get("/orders/").status_code == 200
    assert orders.statement_count == len(statements)
    assert by_name[bench.BARE].sides[0].statement_count < orders.statement_count
    assert by_name["API orders"].sides[0].error is None
    assert by_name["distributor: notices"].sides[0].statement_count
    # A page that does not answer 200, or a role nobody can sign in as, is an error row.
    assert by_name["no such page"].sides[0].error == "HTTP 404"
    assert by_name["no such page"].flags() == ["base: HTTP 404"]
    assert by_name["finance home"].sides[0].error

    table = bench.markdown(rows)
    lines = table.splitlines()
    assert lines[0].startswith("| page | median | p90 | ÷ bare | statements | KB |")
    assert "ratio" not in lines[0]  # one database: no ratio columns
    assert len(lines) == 2 + len(pages)
    assert f"| orders list | {bench._ms(orders.median)} |" in table
    assert "**base: HTTP 404**" in table


def test_two_databases_side_by_side_report_the_ratio(bench: Any, app: Any, users: dict[str, str]) -> None:
    pages = [bench.Page(bench.BARE, "/healthz", "sales"), bench.Page("notices", "/notices/", "sales")]
    sites = [bench.Site("base", app, users, PASSWORD), bench.Site("big", app, users, PASSWORD)]
    try:
        rows = bench.measure(sites, pages, repeat=2)
    finally:
        for site in sites:
            site.close()

    notices = rows[1]
    assert [len(side.times) for side in notices.sides] == [2, 2]
    assert notices.ratio == pytest.approx(notices.sides[1].median / notices.sides[0].median)
    # The same database on both sides: the same statements (each site counts only its own requests).
    assert notices.sides[0].statement_count == notices.sides[1].statement_count
    assert "statements differ" not in notices.flags()
    header = bench.markdown(rows).splitlines()[0]
    assert "| base median | big median | ratio |" in header


def _users(app: Any) -> list[Any]:
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db

    return list(db.session.scalars(select(User)))
