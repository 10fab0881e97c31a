"""The warranty look-up's history (docs/rules.md §7.1): a board's shipment and each repair — batch,
fault, the class on the batch's shipping date, cause, outcome, fee, return date and the post-repair
window it gave — for its distributor and head office; readable on a phone; a few statements
whatever the number of repairs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.agreements import Terms
from portal.domain.repairs import BatchStatus, FaultCause, RepairOutcome
from portal.domain.roles import Role

from ..builders import make_shop, make_user


@pytest.fixture
def expired(app):
    """A board shipped 7 January 2026 with a one-month warranty (to 7 February)."""
    shop = make_shop(terms=Terms(warranty_months=1))
    order = shop.paid_order(50, confirm_on=date(2026, 1, 5), paid_on=date(2026, 1, 6))
    shipment = shop.ship(order, ["HZ-H-0001", "HZ-H-0002"], on=date(2026, 1, 7))
    return shop, shipment.boards


def section(page: str) -> str:
    return page.split("History", 1)[1]


def test_a_repair_after_the_warranty_shows_its_window_and_the_gap(expired, returned_batch, login):
    shop, boards = expired
    # Sent in on 10 February, out of warranty; repaired and shipped back on 1 March.
    batch = returned_batch(
        boards[:1],
        shipped_on=date(2026, 2, 10),
        returned_on=date(2026, 3, 1),
        cause=FaultCause.NATURAL_WEAR,
        fee=Decimal("240.00"),
        fault="Port 3 dead after a storm",
    )
    client = login(shop.agent)

    page = client.get("/boards/HZ-H-0001?on=2026-02-20").get_data(as_text=True)

    history = section(page)
    assert "Shipped with order" in history
    assert batch.number in history
    assert "Port 3 dead after a storm" in history
    assert "Out of warranty" in history  # its class on the batch's shipping date
    assert "Natural wear" in history
    assert "Repaired" in history
    assert "¥240.00" in history
    assert "Mar 1, 2026 to Sep 1, 2026" in history  # the window from the return date
    coverage = page.split("Coverage on", 1)[1].split("History", 1)[0]
    assert "Out of warranty" in coverage  # 20 February: in the gap, not covered
    assert "Post-repair warranty" in client.get("/boards/HZ-H-0001").get_data(as_text=True).split("Coverage on")[1]


def test_a_repair_inside_the_warranty_gives_no_window(expired, returned_batch, login):
    shop, boards = expired
    returned_batch(
        boards[1:],
        shipped_on=date(2026, 2, 3),
        returned_on=date(2026, 2, 25),
        cause=FaultCause.MANUFACTURING_DEFECT,
    )
    page = login(make_user(role=Role.SALES)).get("/boards/HZ-H-0002").get_data(as_text=True)
    history = section(page)
    assert "In warranty" in history
    assert "Manufacturing defect" in history
    assert "¥0.00" in history  # free
    assert "None: it was covered, or not repaired" in history
    assert "Out of warranty" in page.split("Coverage on", 1)[1].split("History", 1)[0]  # today, 10 March


def test_a_batch_still_at_head_office_has_no_return_date_yet(expired, returned_batch, login):
    shop, boards = expired
    returned_batch(boards[:1], shipped_on=date(2026, 2, 10), status=BatchStatus.NOTIFIED)
    history = section(login(shop.agent).get("/boards/HZ-H-0001").get_data(as_text=True))
    assert "Not returned yet" in history
    assert "Notified" in history


def test_another_distributors_board_and_its_history_are_not_found(expired, returned_batch, login):
    shop, boards = expired
    returned_batch(boards[:1], shipped_on=date(2026, 2, 10))
    stranger = login(shop.elsewhere().agent)
    assert stranger.get("/boards/HZ-H-0001").status_code == 404
    assert stranger.get("/boards/lookup?serial=hz-h-0001").status_code == 404


def test_the_history_costs_the_same_statements_for_1_and_5_repairs(expired, returned_batch, login, count_statements):
    shop, boards = expired
    client = login(shop.agent)
    costs = []
    for months in (["2026-02"], ["2025-09", "2025-10", "2025-11", "2025-12"]):
        for month in months:
            returned_batch(
                boards[:1],
                shipped_on=date(2026, 2, 10),
                returned_on=date(2026, 3, 1),
                month=month,
                outcome=RepairOutcome.NO_FAULT_FOUND,
            )
        with count_statements() as statements:
            page = client.get("/boards/HZ-H-0001").get_data(as_text=True)
        costs.append(len(statements))
    assert page.count("No fault found") == 5
    assert costs[0] == costs[1]


def test_the_page_stacks_on_a_phone(expired, returned_batch, login):
    """Bootstrap's grid: each label above its value below the sm breakpoint, no wide table."""
    shop, boards = expired
    returned_batch(boards[:1], shipped_on=date(2026, 2, 10))
    page = login(shop.agent).get("/boards/HZ-H-0001").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width' in page
    assert "<table" not in page
    assert 'class="col-sm-4">Fault description</dt>' in page


def test_the_history_in_chinese(expired, returned_batch, login):
    shop, boards = expired
    returned_batch(boards[:1], shipped_on=date(2026, 2, 10), returned_on=date(2026, 3, 1))
    page = login(shop.agent).get("/boards/HZ-H-0001", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "历史记录" in page
    assert "批次寄出日的保修类别" in page
    assert "维修后保质期内" in page  # today, 10 March, inside the window
