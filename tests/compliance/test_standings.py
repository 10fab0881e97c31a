"""The standings kept current (portal.compliance.standings; docs/rules.md §10) stand for the
overview's grouped queries over the default window: after every change, after a distributor's new
code or region, and after a refresh on a later day that moves the window, the ranking read from them
is the grouped query's (same order, same figures, same score) and so are the sales by province; the
overview shows the same page either way, and reads the grouped query while the standings are empty
or of another window."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from portal.compliance import figures, standings
from portal.compliance.models import Standing
from portal.compliance.queries import QuarterRange, ranked, ranking, sales_by_province
from portal.domain.reports import ViolationKind
from portal.extensions import db

from ..builders import make_shop, pay, region
from .builders import make_report, make_violation


def _page(client: Any, path: str) -> str:
    """The page without its form tokens (signed with the time)."""
    html = client.get(path).get_data(as_text=True)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'"[\w-]{20,}\.[\w-]+\.[\w-]+"', '"token"', html)


def _normal(rows: Any) -> list[tuple[int, str, str, Any, Decimal]]:
    return [(r.distributor_id, r.code, r.name, r.figures, r.score) for r in (ranked(row) for row in rows)]


def _provinces(sales: Any) -> dict[tuple[str, str, str], Decimal]:
    """Amounts by (province, name, quarter), the zero ones left out (the grouped query has no row for
    a quarter without figures, the standings a zero: the table shows both as zero)."""
    amounts: dict[tuple[str, str, str], Decimal] = {}
    for sale in sales:
        key = (sale.province_code, sale.province_name, sale.quarter)
        amounts[key] = amounts.get(key, Decimal("0.00")) + sale.ordered_amount
    return {key: amount for key, amount in amounts.items() if amount}


def assert_standings_equal_the_grouped_query(on: date) -> None:
    db.session.expire_all()
    span = standings.window(on)
    grouped = list(db.session.execute(ranking("", span)))
    kept = standings.usable(db.session(), span)
    assert kept == len(grouped)
    assert kept
    read = list(db.session.execute(standings.ranking()))
    assert _normal(read) == _normal(grouped)
    scores = {
        row.distributor_id: row.score for row in db.session.execute(select(Standing.distributor_id, Standing.score))
    }
    assert scores == {row.id: ranked(row).score for row in grouped}
    assert _provinces(standings.sales_by_province(db.session(), span)) == _provinces(sales_by_province("", span))
    assert _provinces(sales_by_province("", span))


def test_the_standings_equal_the_grouped_ranking_after_every_change(app, on):
    for code in ("330100", "320100"):
        region(code)
    shop = make_shop()
    other = shop.elsewhere()
    third = shop.elsewhere()
    shop.distributor.region_code = "330100"
    other.distributor.region_code = "320100"
    db.session.commit()
    first = shop.order(50, confirm_on=date(2026, 3, 2))
    db.session.commit()
    # Left empty by the migration, and a change does not fill a part of them.
    assert db.session.scalar(select(Standing.distributor_id).limit(1)) is None
    assert standings.usable(db.session(), standings.window(on)) is None
    figures.refresh()  # the daily command fills them
    db.session.commit()
    assert_standings_equal_the_grouped_query(on)

    pay(first, first.total, date(2026, 3, 6))  # a payment, a day late
    assert_standings_equal_the_grouped_query(on)
    second = other.order(60, confirm_on=date(2026, 4, 10))  # an order of a distributor without figures yet
    db.session.commit()
    assert_standings_equal_the_grouped_query(on)
    pay(second, second.total, date(2026, 4, 11))
    third.order(45, confirm_on=date(2026, 5, 4))
    db.session.commit()
    assert_standings_equal_the_grouped_query(on)
    report = make_report(shop.agreement, "2026-03", due_on=date(2026, 4, 10), submitted_on=date(2026, 4, 12))
    assert_standings_equal_the_grouped_query(on)
    make_violation(report, ViolationKind.BELOW_PRICE, occurred_on=date(2026, 3, 15))
    assert_standings_equal_the_grouped_query(on)

    # A new code and another province: the ranking sorts and the provinces add up by them.
    shop.distributor.code = "A0001"
    third.distributor.region_code = "320100"
    db.session.commit()
    assert_standings_equal_the_grouped_query(on)
    assert db.session.get(Standing, shop.distributor.id).code == "A0001"

    # The next quarter: a change refreshed on that day writes its distributor's row for the new
    # window, the others are still of the old one: neither window reads the standings.
    later = date(2026, 7, 2)
    figures.refresh(distributor_ids=[shop.distributor.id], on=later, when_filled=True)
    db.session.commit()
    assert standings.usable(db.session(), standings.window(on)) is None
    assert standings.usable(db.session(), standings.window(later)) is None
    # The daily command on that day moves every row to the new window.
    figures.refresh(on=later)
    db.session.commit()
    assert standings.window(later) == QuarterRange("2025-Q4", "2026-Q3")
    assert_standings_equal_the_grouped_query(later)
    assert standings.usable(db.session(), standings.window(on)) is None
    assert figures.refresh(on=later) == 0  # idempotent
    assert standings.refresh_standings(db.session(), None, later) == 0


def test_the_overview_shows_the_same_from_the_standings(app, on, login):
    for code in ("330100", "320100"):
        region(code)
    shop = make_shop()
    shops = [shop, *(shop.elsewhere() for _n in range(6))]
    for n, each in enumerate(shops):
        each.distributor.region_code = ("330100", "320100", None)[n % 3]
        db.session.commit()
        order = each.order(45 + 5 * n, confirm_on=date(2026, 3 + n % 3, 2))
        if n % 2:
            pay(order, order.total, date(2026, 3 + n % 3, 3 + n))
        db.session.commit()
    figures.refresh()
    db.session.commit()
    client = login(shop.sales)
    for path in ("/compliance/", "/compliance/?per_page=3&ranking_page=2", "/compliance/?per_page=3&ranking_page=9"):
        from_standings = _page(client, path)
        db.session.execute(delete(Standing))
        db.session.commit()
        grouped = _page(client, path)
        assert from_standings == grouped, path
        figures.refresh()
        db.session.commit()
    assert "ranking_page=3" in client.get("/compliance/?per_page=3&ranking_page=2").get_data(as_text=True)
