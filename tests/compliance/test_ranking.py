"""Head office's ranking and heat maps over every distributor (docs/rules.md §10), at any number
of distributors: the ranking is ordered and paged in SQL by the score computed there
(compliance.queries.score_points), which must order exactly as the domain's compliance_score; the
export streams every distributor, reading the score kept with a quarter's only row where there is
one, which must be the score the figures give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from portal.compliance.models import QuarterFigures
from portal.compliance.queries import QuarterRange, ranked, ranking
from portal.domain.compliance import Figures, attainment_percent
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import make_agreement, make_distributor, make_user

# Rows of the score's worked examples (docs/rules.md §10) and a few more: quota, ordered, deposits
# (on time, due), fees, reports, batches (in window, shipped), violations by kind.
EXAMPLES: list[dict[str, Any]] = [
    {"quota": "50000.00", "ordered_amount": "50000.00", "deposits": (2, 2), "fees": (1, 1), "reports": (3, 3)},
    {"quota": "50000.00", "ordered_amount": "80000.00", "deposits": (2, 2), "fees": (1, 1), "reports": (3, 3)},
    {"quota": "50000.00", "ordered_amount": "25000.00", "deposits": (2, 2), "fees": (1, 1), "reports": (3, 3)},
    {"quota": "50000.00", "ordered_amount": "50000.00", "deposits": (1, 2), "fees": (1, 1), "reports": (2, 3)},
    {"quota": "50000.00", "ordered_amount": "50000.00", "deposits": (2, 2), "violations": 1},
    {"quota": "42391.30", "ordered_amount": "30000.00", "deposits": (1, 1), "reports": (2, 2)},
    {"quota": "50000.00", "ordered_amount": "0.00", "deposits": (0, 1), "fees": (0, 1), "violations": 3},
    {"quota": "0.00", "ordered_amount": "0.00"},
    {"quota": "30000.00", "ordered_amount": "10000.00", "deposits": (1, 3), "batches": (2, 3), "violations": 1},
    {"quota": "30000.00", "ordered_amount": "10000.00", "deposits": (1, 3), "batches": (2, 3), "violations": 1},
    {"quota": "70000.00", "ordered_amount": "69999.99", "reports": (1, 3), "fees": (2, 3), "batches": (1, 3)},
]


def _figures(example: dict[str, Any]) -> dict[str, Any]:
    deposits, fees = example.get("deposits", (0, 0)), example.get("fees", (0, 0))
    reports, batches = example.get("reports", (0, 0)), example.get("batches", (0, 0))
    values = {
        "quota": Decimal(example["quota"]),
        "ordered_amount": Decimal(example["ordered_amount"]),
        "deposits_on_time": deposits[0],
        "deposits_due": deposits[1],
        "fees_on_time": fees[0],
        "fees_due": fees[1],
        "reports_on_time": reports[0],
        "reports_due": reports[1],
        "batches_in_window": batches[0],
        "batches_shipped": batches[1],
        "violations_below_price": example.get("violations", 0),
    }
    return values | {"score": Figures.of(values).score}


def _distributor_with(quarters: dict[str, list[dict[str, Any]]]) -> Any:
    """A distributor whose agreements have these figures per quarter (one agreement per entry of
    a quarter's list), written straight into the kept-current table with their scores."""
    distributor = make_distributor()
    width = max(len(rows) for rows in quarters.values())
    agreements = [make_agreement(distributor).id for _n in range(width)]
    rows = [
        {
            "agreement_id": agreements[n],
            "distributor_id": distributor.id,
            "quarter": quarter,
            "as_of": date(2026, 6, 30),
            **_figures(example),
        }
        for quarter, examples in quarters.items()
        for n, example in enumerate(examples)
    ]
    db.session.execute(insert(QuarterFigures), rows)
    return distributor


@pytest.fixture
def network(app, on):
    """One distributor per example over two quarters (the next example in the second), and one
    with two agreements in a quarter."""
    made = [
        _distributor_with({"2026-Q1": [example], "2026-Q2": [EXAMPLES[(n + 1) % len(EXAMPLES)]]})
        for n, example in enumerate(EXAMPLES)
    ]
    made.append(_distributor_with({"2026-Q1": [EXAMPLES[2], EXAMPLES[3]], "2026-Q2": [EXAMPLES[6]]}))
    db.session.commit()
    return made


def test_the_sql_order_is_the_domain_score_order(network):
    for quarters in (QuarterRange(), QuarterRange("2026-Q1", "2026-Q1"), QuarterRange("2026-Q2", "2026-Q2")):
        rows = list(db.session.execute(ranking("", quarters)))
        assert len(rows) == len(network)
        for row in rows:  # the order's points are the domain's score, in hundredths
            assert Decimal(int(row.points)) / 100 == ranked(row).score, row.code
        shown = [(ranked(row).score, row.code) for row in rows]
        assert shown == sorted(shown, key=lambda pair: (-pair[0], pair[1]))


def test_the_overview_pages_through_the_ranking(network, login):
    client = login(make_user(role=Role.SALES))
    whole = [ranked(row) for row in db.session.execute(ranking("", QuarterRange("2026-Q1", "2026-Q2")))]
    html = client.get("/compliance/?from=2026-Q1&to=2026-Q2&per_page=5&ranking_page=2").get_data(as_text=True)
    table = html[html.index('data-table="ranking"') : html.index('id="chart-provinces"')]
    for position, shown in enumerate(whole, start=1):
        assert (f">{shown.code}</a>" in table) == (6 <= position <= 10), (position, shown.code)
    assert "ranking_page=3" in html  # next and previous keep the rest
    assert "ranking_page=1" in html
    export = client.get("/compliance/export.xlsx?chart=ranking&from=2026-Q1&to=2026-Q2")
    rows = list(load_workbook(BytesIO(export.data)).active.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in rows] == [r.code for r in whole]  # the export: every distributor, in order
    assert [row[0] for row in rows] == list(range(1, len(whole) + 1))


def test_the_exported_heat_maps_hold_the_figures_scores(network, login):
    client = login(make_user(role=Role.SALES))
    export = client.get("/compliance/export.xlsx?from=2026-Q1&to=2026-Q2")
    book = load_workbook(BytesIO(export.data))
    attainment, score = book.worksheets[0], book.worksheets[1]
    for sheet, read in ((attainment, "attainment"), (score, "score")):
        rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert len(rows) == len(network)
        for distributor in network:
            for column, quarter in ((2, "2026-Q1"), (3, "2026-Q2")):
                figures = Figures.total(
                    db.session.query(QuarterFigures).filter_by(distributor_id=distributor.id, quarter=quarter)
                )
                value = figures.score if read == "score" else attainment_percent(figures.attainment)
                cell = rows[distributor.code][column]
                assert (None if cell is None else Decimal(str(cell))) == value, (read, distributor.code, quarter)
