"""A board's page and the serial look-up (docs/rules.md §7.1): product, order, shipment date, warranty
end, coverage end and class on a chosen date; a distributor sees its own boards only, and another's
serial answers exactly like an unknown one. The boards list filters and paginates in SQL."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select, text

from portal.boards.models import Board
from portal.boards.queries import coverage_class_is
from portal.domain.agreements import Terms
from portal.domain.roles import Role
from portal.domain.warranty import CoverageClass
from portal.extensions import db

from ..builders import make_shop, make_user


@pytest.fixture
def shipped(shop):
    order = shop.paid_order(50)
    shipment = shop.ship(order, ["HZ2026-000123", "HZ2026-000124"], on=date(2026, 3, 4))
    return order, shipment


def test_the_board_page_shows_product_order_dates_and_coverage_today(shipped, login):
    order, _ = shipped
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))

    response = client.get("/boards/HZ2026-000123")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "PBX-EXT-16" in page
    assert order.number in page
    assert "Mar 4, 2026" in page  # shipped on
    assert "Jun 4, 2027" in page  # warranty end: 15 months later
    assert "Coverage on Mar 10, 2026" in page
    assert "In warranty" in page


@pytest.mark.parametrize(
    ("on", "expected", "end"),
    [
        ("2027-06-04", "In warranty", "Jun 4, 2027"),  # the last day counts in full
        ("2027-06-05", "Out of warranty", "Not covered"),
    ],
)
def test_coverage_on_a_chosen_date(shipped, login, on, expected, end):
    client = login(make_user(role=Role.SALES))
    page = client.get(f"/boards/HZ2026-000123?on={on}").get_data(as_text=True)
    coverage = page.split("Coverage on", 1)[1]
    assert expected in coverage
    assert end in coverage


def test_a_look_up_dated_before_the_shipping_date_says_the_board_had_not_yet_shipped(shipped, login):
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=shipped[0].distributor))

    response = client.get("/boards/lookup?serial=hz2026-000123&on=2026-03-03", follow_redirects=True)

    coverage = response.get_data(as_text=True).split("Coverage on", 1)[1]
    assert response.status_code == 200
    assert "Not yet shipped" in coverage
    assert "The board had not yet shipped on Mar 3, 2026: it shipped on Mar 4, 2026" in coverage
    assert "In warranty" not in coverage
    assert "Not covered" in coverage


def test_a_bad_date_is_explained_not_a_500(shipped, login):
    client = login(make_user(role=Role.SALES))
    response = client.get("/boards/HZ2026-000123?on=2027-02-30")
    assert response.status_code == 422
    assert "The date 2027-02-30 is not a date in the form YYYY-MM-DD" in response.get_data(as_text=True)


def test_another_distributors_board_is_not_found_like_an_unknown_serial(shipped, shop, login):
    theirs = shop.elsewhere().paid_order(50)
    shop.ship(theirs, ["SZ2026-000001"])
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=shipped[0].distributor))

    assert client.get("/boards/SZ2026-000001").status_code == 404
    assert client.get("/boards/NO-SUCH-SERIAL").status_code == 404
    foreign = client.get("/boards/lookup?serial=sz2026-000001")
    unknown = client.get("/boards/lookup?serial=no-such-serial")
    assert foreign.status_code == unknown.status_code == 404
    assert "No board with serial number SZ2026-000001 was found." in foreign.get_data(as_text=True)
    assert "No board with serial number NO-SUCH-SERIAL was found." in unknown.get_data(as_text=True)


def test_the_look_up_finds_a_board_whatever_the_case_and_keeps_the_date(shipped, login):
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=shipped[0].distributor))
    response = client.get("/boards/lookup?serial=+hz2026-000124+&on=2027-07-01")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/boards/HZ2026-000124?on=2027-07-01")


def test_head_office_looks_up_any_board(shipped, shop, login):
    theirs = shop.elsewhere().paid_order(50)
    shop.ship(theirs, ["SZ2026-000001"])
    client = login(make_user(role=Role.FINANCE))
    assert client.get("/boards/lookup?serial=SZ2026-000001").status_code == 302
    assert client.get("/boards/SZ2026-000001").status_code == 200


def test_the_list_filters_by_coverage_class_today_and_product(app, login):
    shop = make_shop(terms=Terms(warranty_months=1))
    early = shop.paid_order(50, confirm_on=date(2026, 1, 5), paid_on=date(2026, 1, 6))
    shop.ship(early, ["OLD-1"], on=date(2026, 1, 7))  # warranty ended 7 February
    shop.ship(early, ["NEW-1"], on=date(2026, 3, 9))  # until 9 April
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=early.distributor))

    everything = client.get("/boards/").get_data(as_text=True)
    out = client.get("/boards/?class=out_of_warranty").get_data(as_text=True)
    covered = client.get("/boards/?class=in_warranty").get_data(as_text=True)
    other_product = client.get(f"/boards/?product_id={shop.cable.id}").get_data(as_text=True)

    assert "OLD-1" in everything
    assert "NEW-1" in everything
    assert "OLD-1" in out
    assert "NEW-1" not in out
    assert "NEW-1" in covered
    assert "OLD-1" not in covered
    assert "No boards yet." in other_product


def test_a_distributor_lists_only_its_own_boards(shipped, shop, login):
    theirs = shop.elsewhere().paid_order(50)
    shop.ship(theirs, ["SZ2026-000001"])
    page = login(make_user(role=Role.DISTRIBUTOR, distributor=shipped[0].distributor)).get("/boards/")
    text = page.get_data(as_text=True)
    assert "HZ2026-000123" in text
    assert "SZ2026-000001" not in text


def _bulk_boards(order, shipment, first: int, count: int) -> None:
    db.session.execute(
        insert(Board),
        [
            {
                "serial": f"BULK-{n:06d}",
                "product_id": shipment.lines[0].product_id,
                "distributor_id": order.distributor_id,
                "order_id": order.id,
                "shipment_id": shipment.id,
                "shipped_on": date(2026, 1, 1) + timedelta(days=n % 60),
                "warranty_end": date(2026, 3, 1) + timedelta(days=n % 30),
                "unit_price": order.lines[0].unit_price,
            }
            for n in range(first, first + count)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("role", [Role.DISTRIBUTOR, Role.SALES])
def test_the_boards_list_costs_the_same_statements_at_10_and_at_1000_boards(shipped, login, count_statements, role):
    order, shipment = shipped
    client = login(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    costs = []
    # 10 boards in warranty, then 1,000: page 2 holds rows both times (an empty page would skip the
    # statement that loads the boards' post-repair windows).
    for first, count in ((9, 8), (17, 990)):
        _bulk_boards(order, shipment, first, count)
        with count_statements() as statements:
            response = client.get("/boards/?class=in_warranty&page=2&per_page=5")
        assert response.status_code == 200
        costs.append(len(statements))
    assert costs[0] == costs[1]


@pytest.mark.parametrize(
    "on",
    [date(2026, 3, 3), date(2026, 3, 4), date(2027, 6, 4), date(2027, 6, 5)],  # before, on shipping, last day, after
)
def test_the_coverage_filter_in_sql_agrees_with_the_rule(shipped, on):
    """The list filters by coverage class in SQL for speed; on every date it picks the boards whose
    class by the domain rule (docs/rules.md §7.1) is the one asked for."""
    boards = db.session.scalars(select(Board)).all()
    for coverage_class in CoverageClass:
        chosen = set(db.session.scalars(select(Board.serial).where(coverage_class_is(coverage_class, on))))
        assert chosen == {b.serial for b in boards if b.coverage.coverage_class(on) is coverage_class}


def test_the_look_up_example_serial_is_no_real_board(client):
    """The placeholder must not name a real board: it is shown to every distributor."""
    from portal import demo

    demo.load_demo()
    client.post("/login", data={"username": "hz-agent", "password": demo.DEMO_PASSWORD})
    response = client.get("/boards/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]

    example = re.search(r'id="lookup-serial"[^>]*placeholder="([^"]+)"', page, re.S)
    assert example is not None
    assert db.session.scalar(select(Board).where(Board.serial == example.group(1))) is None
    assert db.session.scalar(select(Board).where(Board.serial.like("%-%"))) is not None  # the demo has boards


# --- the list's filters, answered from indexes (issue 11) -------------------------------------------


def test_the_serial_filter_finds_serials_starting_with_the_text_whatever_its_case(shipped, shop, login):
    order, _ = shipped
    shop.ship(order, ["HZ2026-001999", "XHZ2026-000123", "HZ2026%X", "HZ2026_Y"], on=date(2026, 3, 5))
    client = login(make_user(role=Role.SALES))

    def listed(prefix: str) -> set[str]:
        page = client.get("/boards/", query_string={"serial": prefix}).get_data(as_text=True)
        return set(re.findall(r">((?:X?HZ)2026[^<]*)</a>", page))

    assert listed(" hz2026-0019 ") == {"HZ2026-001999"}
    assert listed("HZ2026-00") == {"HZ2026-000123", "HZ2026-000124", "HZ2026-001999"}
    assert listed("HZ2026%") == {"HZ2026%X"}  # % and _ are characters, not wildcards
    assert listed("HZ2026_") == {"HZ2026_Y"}
    assert listed("Z2026") == set()  # a prefix, not a part
    assert listed("HZ2026-000123") == {"HZ2026-000123"}


def test_the_serial_filter_reads_a_range_of_the_serial_index():
    from portal.boards.queries import next_prefix

    assert next_prefix("HZ2026-") == "HZ2026."
    assert next_prefix("A") == "B"
    assert next_prefix("A\U0010ffff") == "B"
    assert next_prefix("\U0010ffff") is None


def test_serials_compare_by_code_point_whatever_the_server_collation(shipped, shop):
    """The prefix range above holds only if serials compare by code point. A language collation
    (en_US) sorts "HZ1" before "HZ-9" (it skips the hyphen) and would let the range miss serials;
    the column is COLLATE "C" on PostgreSQL (SQLite compares by code point)."""
    order, _ = shipped
    shop.ship(order, ["HZ1", "HZ-9"], on=date(2026, 3, 5))
    ordered = db.session.scalars(select(Board.serial).where(Board.serial.in_(["HZ1", "HZ-9"])).order_by(Board.serial))
    assert list(ordered) == ["HZ-9", "HZ1"]
    if db.engine.dialect.name == "postgresql":
        collation = db.session.scalar(
            text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'boards' AND column_name = 'serial'"
            )
        )
        assert collation == "C"


def test_the_product_filter_offers_the_serialized_products_without_reading_the_boards(
    shipped, shop, login, count_statements
):
    client = login(make_user(role=Role.SALES))
    with count_statements() as statements:
        page = client.get("/boards/").get_data(as_text=True)
    choices = re.findall(
        r'<option value="\d+"[^>]*>([^<]+)</option>', page.split('name="product_id"')[1].split("</select>")[0]
    )
    assert "PBX-EXT-16" in choices
    assert shop.cable.sku not in choices  # carries no serial numbers: never a board
    assert not [s for s in statements if "DISTINCT" in s.upper()]
