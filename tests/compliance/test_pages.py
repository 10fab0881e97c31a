"""The compliance pages (docs/rules.md §10): a distributor sees its own figures only, head office
every distributor side by side; the overview costs the same statements whatever the number of
distributors and quarters; a page without a chart loads no chart library."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from portal.compliance.models import QuarterFigures
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_agreement, make_distributor, make_shop, make_user, pay

PLOTLY = "vendor/plotly/plotly.min.js"


@pytest.fixture
def two_shops(app, on):
    ours = make_shop()
    theirs = ours.elsewhere()
    order = ours.order(50, confirm_on=date(2026, 3, 2))
    pay(order, order.total, date(2026, 3, 4))
    other = theirs.order(70, confirm_on=date(2026, 4, 2))
    pay(other, other.total, date(2026, 4, 3))
    db.session.commit()
    return ours, theirs


def test_a_distributor_sees_its_own_figures_with_charts_tables_and_exports(two_shops, login):
    ours, theirs = two_shops
    client = login(ours.agent)
    page = client.get("/compliance/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ours.distributor.name in html
    assert theirs.distributor.name not in html
    assert PLOTLY in html
    assert 'data-chart="chart-orders-data"' in html
    assert "How the compliance score is computed" in html
    assert client.get(f"/compliance/{ours.distributor.id}").status_code == 200
    for chart in ("orders", "rates", "violations", "service"):
        export = client.get(f"/compliance/{ours.distributor.id}/export.xlsx?chart={chart}")
        assert export.status_code == 200, chart
        load_workbook(BytesIO(export.data))
    # Another distributor's page, charts, tables and exports: 404, as for none at all.
    assert client.get(f"/compliance/{theirs.distributor.id}").status_code == 404
    assert client.get(f"/compliance/{theirs.distributor.id}/export.xlsx?chart=orders").status_code == 404
    assert client.get("/compliance/export.xlsx?chart=ranking").status_code == 403
    assert client.get(f"/compliance/{ours.distributor.id}/export.xlsx?chart=nothing").status_code == 404


def test_the_export_holds_the_table(two_shops, login):
    ours, _theirs = two_shops
    client = login(ours.agent)
    export = client.get(f"/compliance/{ours.distributor.id}/export.xlsx?chart=orders&from=2026-Q1&to=2026-Q1")
    rows = list(load_workbook(BytesIO(export.data)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("Quarter", "Quota (prorated)", "Ordered")
    assert rows[2][0] == "2026-Q1"
    assert Decimal(str(rows[2][1])) == Decimal("50000.00")
    assert len(rows) == 3
    every = client.get(f"/compliance/{ours.distributor.id}/export.xlsx")
    assert len(load_workbook(BytesIO(every.data)).sheetnames) == 4  # one sheet per chart


def test_head_office_sees_every_distributor_side_by_side(two_shops, login):
    ours, theirs = two_shops
    client = login(ours.sales)
    html = client.get("/compliance/?from=2026-Q1&to=2026-Q2").get_data(as_text=True)
    for key in ("attainment", "score", "ranking", "provinces"):
        assert f'data-chart="chart-{key}-data"' in html
    assert ours.distributor.code in html
    assert theirs.distributor.code in html
    assert client.get(f"/compliance/{theirs.distributor.id}").status_code == 200
    for chart in ("attainment", "score", "ranking", "provinces"):
        export = client.get(f"/compliance/export.xlsx?chart={chart}&from=2026-Q1&to=2026-Q2")
        assert export.status_code == 200, chart
    ranking = client.get("/compliance/export.xlsx?chart=ranking&from=2026-Q1&to=2026-Q2")
    codes = [row[1] for row in load_workbook(BytesIO(ranking.data)).active.iter_rows(min_row=3, values_only=True)]
    assert sorted(codes) == sorted([ours.distributor.code, theirs.distributor.code])
    searched = client.get(f"/compliance/?q={theirs.distributor.code}").get_data(as_text=True)
    assert f">{theirs.distributor.code}</a>" in searched
    assert f">{ours.distributor.code}</a>" not in searched


def test_a_page_without_a_chart_loads_no_chart_library(app, login, on):
    lonely = make_user(role=Role.DISTRIBUTOR, distributor=make_distributor())
    client = login(lonely)
    html = client.get("/compliance/").get_data(as_text=True)
    assert "plotly" not in html
    assert "No figures yet." in html
    unlinked = make_user(role=Role.DISTRIBUTOR)
    assert "plotly" not in login(unlinked).get("/compliance/").get_data(as_text=True)
    assert "plotly" not in login(make_user(role=Role.SALES)).get("/compliance/?q=nobody").get_data(as_text=True)


def _bulk_figures(distributors: int, quarters: int, start: int = 0) -> None:
    """Distributors with figures written straight into the table (for counting statements)."""
    for n in range(start, start + distributors):
        distributor = make_distributor()
        agreement_id = make_agreement(distributor).id
        rows = [
            {
                "agreement_id": agreement_id,
                "distributor_id": distributor.id,
                "quarter": f"{2024 + q // 4}-Q{q % 4 + 1}",
                "as_of": date(2026, 6, 30),
                "quota": Decimal("50000.00"),
                "ordered_amount": Decimal(1000 * (n + q)),
                "score": Decimal("80.00"),
            }
            for q in range(quarters)
        ]
        db.session.execute(insert(QuarterFigures), rows)
    db.session.commit()


def test_the_overview_costs_the_same_statements_for_2_or_12_distributors_and_any_quarters(
    app, login, count_statements, on
):
    sales = make_user(role=Role.SALES)
    client = login(sales)
    _bulk_figures(2, 2)
    url = "/compliance/?from=2024-Q1&to=2026-Q4"
    client.get(url)
    with count_statements() as few:
        assert client.get(url).status_code == 200
    _bulk_figures(10, 12, start=2)
    with count_statements() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert not any("orders" in s.lower() and "from orders" in s.lower() for s in many), "no history scan"
