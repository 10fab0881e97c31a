"""Coverage with repair history (docs/rules.md §7.1): the boards list's class filter in SQL agrees
with the rule (domain Coverage) for every board and date of a grid — month ends, leap days, a board
repaired twice, one repaired inside its warranty (no window), one repaired after it (a window from
the return date, not covered in the gap) — on SQLite and PostgreSQL alike; the list, its filter and
the API read the windows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from portal.boards.models import Board, BoardWindow
from portal.boards.queries import coverage_class_is
from portal.domain.agreements import Terms
from portal.domain.roles import Role
from portal.domain.warranty import CoverageClass, post_repair_window, warranty_end
from portal.extensions import db

from ..builders import make_shop, make_user

# (serial, shipped on, return dates of the repairs that gave it a window)
GRID_BOARDS = [
    ("NEVER-REPAIRED", date(2024, 1, 10), []),
    ("REPAIRED-INSIDE", date(2024, 1, 10), []),  # repaired while in warranty: no window
    ("REPAIRED-AFTER", date(2024, 1, 10), [date(2025, 6, 1)]),  # window 2025-06-01 … 2025-12-01
    ("REPAIRED-TWICE", date(2024, 1, 10), [date(2025, 6, 1), date(2026, 2, 10)]),  # and 2026-02-10 … 08-10
    ("MONTH-END", date(2025, 11, 30), [date(2027, 8, 31)]),  # warranty to 2027-02-28; window to 2028-02-29
    ("LEAP-DAY", date(2022, 11, 29), [date(2024, 2, 29)]),  # warranty to 2024-02-29; window from a leap day
]

GRID_DATES = sorted(
    {
        date(2022, 11, 28),
        date(2022, 11, 29),  # before and on a shipping date
        date(2024, 1, 9),
        date(2024, 1, 10),
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),  # a leap February's end
        date(2024, 8, 29),
        date(2024, 8, 30),
        date(2025, 4, 10),
        date(2025, 4, 11),  # the warranty's last day, and the day after
        date(2025, 5, 31),
        date(2025, 6, 1),  # the gap's last day, the return date
        date(2025, 12, 1),
        date(2025, 12, 2),
        date(2026, 2, 9),
        date(2026, 2, 10),
        date(2026, 8, 10),
        date(2026, 8, 11),
        date(2027, 2, 28),
        date(2027, 3, 1),
        date(2027, 8, 30),
        date(2027, 8, 31),
        date(2028, 2, 29),
        date(2028, 3, 1),
    }
)


@pytest.fixture
def grid(shop):
    """The boards of :data:`GRID_BOARDS`, written straight into the tables (their dates are years
    before the shop's agreement) with their windows."""
    order = shop.paid_order(50)
    shipment = shop.ship(order, ["GRID-SHIPMENT"], on=date(2026, 3, 4))
    for serial, shipped_on, returns in GRID_BOARDS:
        board_id = db.session.execute(
            insert(Board).returning(Board.id),
            {
                "serial": serial,
                "product_id": shop.board.id,
                "distributor_id": order.distributor_id,
                "order_id": order.id,
                "shipment_id": shipment.id,
                "shipped_on": shipped_on,
                "warranty_end": warranty_end(shipped_on, 15),
                "unit_price": order.lines[0].unit_price,
            },
        ).scalar_one()
        for returned_on in returns:
            window = post_repair_window(returned_on, 6)
            db.session.add(BoardWindow(board_id=board_id, starts_on=window.starts_on, ends_on=window.ends_on))
    db.session.commit()
    return db.session.scalars(select(Board).where(Board.serial != "GRID-SHIPMENT")).all()


def test_the_class_in_sql_agrees_with_the_rule_for_every_board_and_date(grid):
    disagreements = []
    for on in GRID_DATES:
        for coverage_class in CoverageClass:
            chosen = set(db.session.scalars(select(Board.serial).where(coverage_class_is(coverage_class, on))))
            expected = {b.serial for b in grid if b.coverage.coverage_class(on) is coverage_class}
            chosen.discard("GRID-SHIPMENT")
            if chosen != expected:
                disagreements.append((on, coverage_class, sorted(chosen ^ expected)))
    assert disagreements == []


@pytest.mark.parametrize(
    ("serial", "on", "expected"),
    [
        ("REPAIRED-AFTER", date(2025, 5, 31), CoverageClass.OUT_OF_WARRANTY),  # not covered in the gap
        ("REPAIRED-AFTER", date(2025, 6, 1), CoverageClass.POST_REPAIR_WARRANTY),
        ("REPAIRED-TWICE", date(2025, 12, 2), CoverageClass.OUT_OF_WARRANTY),  # between its windows
        ("REPAIRED-TWICE", date(2026, 8, 10), CoverageClass.POST_REPAIR_WARRANTY),
        ("REPAIRED-INSIDE", date(2025, 6, 1), CoverageClass.OUT_OF_WARRANTY),
        ("MONTH-END", date(2027, 2, 28), CoverageClass.IN_WARRANTY),
        ("MONTH-END", date(2028, 2, 29), CoverageClass.POST_REPAIR_WARRANTY),
        ("LEAP-DAY", date(2024, 2, 29), CoverageClass.IN_WARRANTY),  # the warranty's last day and the return
        ("LEAP-DAY", date(2024, 3, 1), CoverageClass.POST_REPAIR_WARRANTY),
        ("LEAP-DAY", date(2024, 8, 30), CoverageClass.OUT_OF_WARRANTY),
    ],
)
def test_the_grids_worked_examples(grid, serial, on, expected):
    """A few rows of the grid spelled out, so the test above is known to check what matters."""
    assert db.session.scalar(select(Board.serial).where(Board.serial == serial, coverage_class_is(expected, on)))


def _window(board: Board, returned_on: date) -> None:
    window = post_repair_window(returned_on, 6)
    db.session.add(BoardWindow(board_id=board.id, starts_on=window.starts_on, ends_on=window.ends_on))
    db.session.commit()


@pytest.fixture
def expired(app):
    """Two boards whose one-month warranty ended on 7 February 2026; REPAIRED-1 came back from a
    repair on 1 March (window to 1 September), OLD-1 did not."""
    shop = make_shop(terms=Terms(warranty_months=1))
    order = shop.paid_order(50, confirm_on=date(2026, 1, 5), paid_on=date(2026, 1, 6))
    shipment = shop.ship(order, ["OLD-1", "REPAIRED-1"], on=date(2026, 1, 7))
    _window(next(b for b in shipment.boards if b.serial == "REPAIRED-1"), date(2026, 3, 1))
    return shop


def test_the_boards_list_filters_by_post_repair_warranty(expired, login):
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=expired.distributor))

    post = client.get("/boards/?class=post_repair_warranty").get_data(as_text=True)
    out = client.get("/boards/?class=out_of_warranty").get_data(as_text=True)

    assert "REPAIRED-1" in post
    assert "OLD-1" not in post
    assert "OLD-1" in out
    assert "REPAIRED-1" not in out
    assert "Post-repair warranty" in post.split("REPAIRED-1", 1)[1]  # the row's badge


def test_the_api_list_filters_by_post_repair_warranty(expired, api):
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=expired.distributor))

    post = caller.get("/api/v1/boards?coverage_class=post_repair_warranty")
    out = caller.get("/api/v1/boards?coverage_class=out_of_warranty")

    assert [(b["serial"], b["coverage_class"]) for b in post.json["items"]] == [("REPAIRED-1", "post_repair_warranty")]
    assert [b["serial"] for b in out.json["items"]] == ["OLD-1"]


@pytest.mark.parametrize(
    ("on", "klass", "end"),
    [
        ("2026-02-07", "in_warranty", "2026-02-07"),
        ("2026-02-08", "out_of_warranty", None),  # the gap: not covered until the return date
        ("2026-02-28", "out_of_warranty", None),
        ("2026-03-01", "post_repair_warranty", "2026-09-01"),
        ("2026-09-01", "post_repair_warranty", "2026-09-01"),
        ("2026-09-02", "out_of_warranty", None),
    ],
)
def test_the_api_reads_a_boards_windows(expired, api, on, klass, end):
    caller = api(make_user(role=Role.DISTRIBUTOR, distributor=expired.distributor))
    board = caller.get(f"/api/v1/boards/REPAIRED-1?on={on}").json
    assert (board["coverage_class"], board["coverage_end"]) == (klass, end)
    assert board["post_repair_warranty_end"] == "2026-09-01"
    assert board["warranty_end"] == "2026-02-07"


def test_the_boards_list_costs_the_same_statements_with_windows(expired, login, count_statements):
    client = login(make_user(role=Role.SALES))
    board = db.session.scalar(select(Board).where(Board.serial == "OLD-1"))
    costs = []
    for returns in ([], [date(2026, 2, 10) + timedelta(days=30 * n) for n in range(5)]):
        for returned_on in returns:
            _window(board, returned_on)
        with count_statements() as statements:
            assert client.get("/boards/").status_code == 200
        costs.append(len(statements))
    assert costs[0] == costs[1]
