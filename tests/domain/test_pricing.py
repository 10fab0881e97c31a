"""docs/rules.md §5 (contract §6.1): the list in force, superseded lists, publishing, the import
checks, what changed between two lists, and exported cells that a spreadsheet would run."""

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.distributors import Level
from portal.domain.errors import DomainError
from portal.domain.pricing import (
    MAX_PRICE,
    Change,
    PriceListStatus,
    Prices,
    check_editable,
    check_prices,
    check_publish,
    check_rows,
    compare,
    escape_cell,
    header_columns,
    in_force,
    price_column,
    status_on,
)

D = Decimal
DRAFT, PUBLISHED, SUPERSEDED = PriceListStatus.DRAFT, PriceListStatus.PUBLISHED, PriceListStatus.SUPERSEDED
BELOW = "The minimum resale price is below an agent price."
LISTS = [(date(2025, 1, 1), "2025"), (date(2026, 1, 1), "2026"), (date(2026, 7, 1), "2026-H2")]


def p(level1: str, level2: str, floor: str) -> Prices:
    return Prices(D(level1), D(level2), D(floor))


# --- The list in force on a date ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2024, 12, 31), None),  # before the first list: none in force
        (date(2025, 1, 1), "2025"),  # the effective-from day itself counts
        (date(2025, 12, 31), "2025"),  # the last day before the next list
        (date(2026, 1, 1), "2026"),  # the next list takes over on its first day
        (date(2026, 6, 30), "2026"),
        (date(2026, 7, 1), "2026-H2"),
        (date(2030, 1, 1), "2026-H2"),  # the latest list stays in force until another is published
    ],
)
def test_the_list_in_force_is_the_latest_published_on_or_before_the_date(on, expected):
    assert in_force(LISTS, on) == expected
    assert in_force(list(reversed(LISTS)), on) == expected  # order of the input does not matter


def test_no_published_list_means_none_in_force():
    assert in_force([], date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("status", "effective_from", "on", "expected"),
    [
        (PUBLISHED, date(2025, 1, 1), date(2025, 12, 31), PUBLISHED),  # the next list is not in force yet
        (PUBLISHED, date(2025, 1, 1), date(2026, 1, 1), SUPERSEDED),  # superseded from the next list's first day
        (PUBLISHED, date(2026, 1, 1), date(2026, 7, 1), SUPERSEDED),
        (PUBLISHED, date(2026, 7, 1), date(2030, 1, 1), PUBLISHED),  # the latest is never superseded
        (DRAFT, date(2024, 1, 1), date(2030, 1, 1), DRAFT),  # a draft is a draft whatever the dates
        (PUBLISHED, date(2027, 1, 1), date(2026, 8, 1), PUBLISHED),  # published ahead of its date
    ],
)
def test_superseded_is_read_off_the_later_published_lists(status, effective_from, on, expected):
    assert status_on(status, effective_from, [d for d, _ in LISTS], on) is expected


# --- Publishing ---------------------------------------------------------------------------------

ON = date(2026, 2, 1)  # the publishing date, before every effective date below


@pytest.mark.parametrize(
    ("status", "effective_from", "items", "published", "message"),
    [
        (PUBLISHED, date(2027, 1, 1), 5, [], "Only a draft price list can be published."),
        (SUPERSEDED, date(2027, 1, 1), 5, [], "Only a draft price list can be published."),
        (DRAFT, date(2027, 1, 1), 0, [], "An empty price list cannot be published."),
        # behind a list already published for a later date: it would change the past
        (
            DRAFT,
            date(2026, 3, 1),
            5,
            [date(2025, 1, 1), date(2026, 7, 1)],
            "A price list effective from %(latest)s is already published; this one must take effect later.",
        ),
        (
            DRAFT,
            date(2026, 7, 1),
            5,
            [date(2026, 7, 1)],  # the same day as a published list
            "A price list effective from %(latest)s is already published; this one must take effect later.",
        ),
    ],
)
def test_publishing_is_refused_with_a_clear_message(status, effective_from, items, published, message):
    with pytest.raises(DomainError) as refused:
        check_publish(status, effective_from, items, published, ON)
    assert refused.value.message == message


def test_the_refusal_names_the_later_list_date():
    with pytest.raises(DomainError) as refused:
        check_publish(DRAFT, date(2026, 3, 1), 5, [date(2025, 1, 1), date(2026, 7, 1)], date(2026, 2, 1))
    assert "2026-07-01" in str(refused.value)
    assert refused.value.field == "effective_from"


@pytest.mark.parametrize("published", [[], [date(2025, 1, 1)], [date(2025, 1, 1), date(2026, 12, 31)]])
def test_a_draft_with_items_after_every_published_list_can_be_published(published):
    check_publish(DRAFT, date(2027, 1, 1), 1, published, ON)


PASSED = (
    "This price list takes effect on %(effective_from)s, which has passed: a list is published on "
    "or before its effective date. Change the effective date to today or later."
)


@pytest.mark.parametrize(
    ("effective_from", "on", "refused"),
    [
        (date(2027, 1, 1), date(2026, 12, 10), False),  # ahead of its date: the notice comes first (§6.1.2)
        (date(2027, 1, 1), date(2027, 1, 1), False),  # on its effective date
        (date(2027, 1, 1), date(2027, 1, 2), True),  # its date has passed
        (date(2026, 1, 1), date(2026, 3, 10), True),
    ],
)
def test_a_list_is_published_on_or_before_its_effective_date_never_after(effective_from, on, refused):
    if not refused:
        check_publish(DRAFT, effective_from, 1, [], on)
        return
    with pytest.raises(DomainError) as error:
        check_publish(DRAFT, effective_from, 1, [], on)
    assert error.value.message == PASSED
    assert error.value.field == "effective_from"
    assert effective_from.isoformat() in str(error.value)


@pytest.mark.parametrize("status", [PUBLISHED, SUPERSEDED])
def test_only_a_draft_is_changed(status):
    check_editable(DRAFT)
    with pytest.raises(DomainError, match="Only a draft price list can be changed"):
        check_editable(status)


# --- An item's prices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prices", "problems"),
    [
        (p("1000.00", "1100.00", "1500.00"), []),
        (p("1000.00", "1100.00", "1100.00"), []),  # the floor may equal an agent price
        (p("1100.00", "1000.00", "1100.00"), []),  # first-level dearer than second-level: not a rule
        (p("1000.00", "1100.00", "1099.99"), [("min_resale_price", BELOW)]),
        (p("1200.00", "1100.00", "1150.00"), [("min_resale_price", BELOW)]),
        (p("0.00", "1100.00", "1500.00"), [("price_level1", "The amount must be more than zero.")]),
        (
            p("1000.00", "0", "0"),
            [
                ("price_level2", "The amount must be more than zero."),
                ("min_resale_price", "The amount must be more than zero."),
            ],
        ),
        (p("1000.00", "1100.00", "100000000.00"), [("min_resale_price", "Enter an amount of at most %(limit)s.")]),
    ],
)
def test_item_prices_are_checked_per_column(prices, problems):
    assert [(e.field, e.message) for e in check_prices(prices)] == problems


def test_the_price_limit_fits_the_fen_column():
    assert MAX_PRICE * 100 < 2**63


def test_a_distributor_reads_its_own_levels_price():
    prices = p("1000.00", "1100.00", "1500.00")
    assert prices.agent_price(Level.FIRST) == D("1000.00")
    assert prices.agent_price(Level.SECOND) == D("1100.00")
    assert (price_column(Level.FIRST), price_column(Level.SECOND)) == ("price_level1", "price_level2")


# --- Importing rows -----------------------------------------------------------------------------

KNOWN = {"PBX-MAIN-200", "PBX-EXT-16", "OLD-1"}
GOOD = {"sku": "PBX-MAIN-200", "price_level1": "3200.00", "price_level2": "3480.00", "min_resale_price": "4200.00"}


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (row(sku=""), "sku", "Enter the SKU."),
        (row(sku="NOPE-1"), "sku", "Unknown SKU %(sku)s."),
        (row(sku="OLD-1"), "sku", "Product %(sku)s is inactive and cannot be priced."),
        (row(price_level1=""), "price_level1", "Enter an amount."),
        (row(price_level2="abc"), "price_level2", "Enter an amount in digits, such as 1200.00."),
        (row(price_level1="1200.123"), "price_level1", "Enter at most two decimals (fen)."),
        (row(min_resale_price="1,200.001"), "min_resale_price", "Enter at most two decimals (fen)."),
        (row(price_level1="-5"), "price_level1", "The amount cannot be negative."),
        (row(price_level1="NaN"), "price_level1", "Enter an amount in digits, such as 1200.00."),
        (row(price_level1="Infinity"), "price_level1", "Enter an amount in digits, such as 1200.00."),
        (row(price_level1="1e3"), "price_level1", "Enter an amount in digits, such as 1200.00."),
        (row(price_level1="0"), "price_level1", "The amount must be more than zero."),
        (row(min_resale_price="3300.00"), "min_resale_price", "The minimum resale price is below an agent price."),
    ],
)
def test_each_kind_of_bad_row_is_reported_by_row_and_column(cells, column, message):
    good, problems = check_rows([(2, cells)], KNOWN, {"OLD-1"})
    assert [(pr.row, pr.column, pr.message) for pr in problems] == [(2, column, message)]
    assert good == {}


def test_a_duplicate_sku_names_the_row_it_is_also_on():
    good, problems = check_rows([(2, row()), (3, row(sku="PBX-EXT-16")), (4, row(sku="pbx-main-200"))], KNOWN)
    assert [(pr.row, pr.column, pr.message, pr.params) for pr in problems] == [
        (4, "sku", "SKU %(sku)s is also on row %(row)s.", {"sku": "PBX-MAIN-200", "row": "2"})
    ]


def test_every_problem_of_every_row_is_reported_at_once():
    rows = [
        (2, row(sku="NOPE", price_level1="x", min_resale_price="")),
        (3, row()),
        (5, row(sku="PBX-EXT-16", price_level2="1.001")),
    ]
    good, problems = check_rows(rows, KNOWN)
    assert [(pr.row, pr.column) for pr in problems] == [
        (2, "sku"),
        (2, "price_level1"),
        (2, "min_resale_price"),
        (5, "price_level2"),
    ]
    assert set(good) == {"PBX-MAIN-200"}  # the caller saves nothing while any problem exists


def test_good_rows_become_prices_with_thousands_separators_and_lower_case_skus():
    good, problems = check_rows(
        [(2, row(sku=" pbx-ext-16 ", price_level1="1,200.00", price_level2="1300", min_resale_price="¥1,580.5"))], KNOWN
    )
    assert problems == []
    assert good == {"PBX-EXT-16": p("1200.00", "1300.00", "1580.50")}


@pytest.mark.parametrize(
    ("header", "positions", "problems"),
    [
        (
            ["sku", "price_level1", "price_level2", "min_resale_price"],
            {"sku": 0, "price_level1": 1, "price_level2": 2, "min_resale_price": 3},
            [],
        ),
        (
            ["\ufeffSKU", "名称", " Price_Level1 ", "PRICE_LEVEL2", "min_resale_price"],
            {"sku": 0, "price_level1": 2, "price_level2": 3, "min_resale_price": 4},
            [],
        ),
        (["sku", "price_level1"], {"sku": 0, "price_level1": 1}, [(1, "price_level2"), (1, "min_resale_price")]),
        (
            ["sku", "sku", "price_level1", "price_level2", "min_resale_price"],
            {"sku": 1, "price_level1": 2, "price_level2": 3, "min_resale_price": 4},
            [(1, "sku")],
        ),
    ],
)
def test_the_header_row_names_the_columns_in_any_order_and_case(header, positions, problems):
    found, found_problems = header_columns(header)
    assert found == positions
    assert [(pr.row, pr.column) for pr in found_problems] == problems


# --- What changed -------------------------------------------------------------------------------

OLD = {
    "A": p("100.00", "110.00", "150.00"),
    "B": p("200.00", "220.00", "300.00"),
    "C": p("300.00", "330.00", "400.00"),
    "D": p("400.00", "440.00", "500.00"),
    "E": p("500.00", "550.00", "600.00"),
    "F": p("600.00", "660.00", "700.00"),
}
NEW = {
    "A": p("100.00", "110.00", "150.00"),  # same
    "B": p("210.50", "231.00", "300.00"),  # up
    "C": p("290.00", "320.00", "400.00"),  # down
    "D": p("400.00", "440.00", "520.00"),  # only the resale floor rises
    "F": p("590.00", "680.00", "700.00"),  # first level down, second level up
    "G": p("700.00", "770.00", "800.00"),  # added; E removed
}


def test_compare_lists_added_removed_up_down_and_by_how_much():
    changes = {c.sku: c for c in compare(OLD, NEW)}
    assert [c.sku for c in compare(OLD, NEW)] == ["A", "B", "C", "D", "E", "F", "G"]
    assert {sku: c.change for sku, c in changes.items()} == {
        "A": Change.SAME,
        "B": Change.UP,
        "C": Change.DOWN,
        "D": Change.UP,
        "E": Change.REMOVED,
        "F": Change.DOWN,
        "G": Change.ADDED,
    }
    assert (changes["B"].delta_level1, changes["B"].delta_level2) == (D("10.50"), D("11.00"))
    assert (changes["C"].delta_level1, changes["C"].delta_level2) == (D("-10.00"), D("-10.00"))
    assert changes["D"].delta_min_resale == D("20.00")
    assert changes["E"].old == OLD["E"]
    assert changes["E"].new is None
    assert changes["G"].old is None
    assert changes["G"].new == NEW["G"]
    assert changes["B"].percent(Level.FIRST) == D("5.25")
    assert changes["G"].percent(Level.FIRST) is None


@pytest.mark.parametrize(("level", "expected"), [(Level.FIRST, Change.DOWN), (Level.SECOND, Change.UP)])
def test_a_distributor_sees_the_direction_of_its_own_levels_price(level, expected):
    change = next(c for c in compare(OLD, NEW, level) if c.sku == "F")
    assert change.change is expected
    assert change.delta(level) == (D("-10.00") if level is Level.FIRST else D("20.00"))


def test_comparing_with_no_previous_list_adds_everything():
    assert {c.change for c in compare({}, NEW)} == {Change.ADDED}


# --- Exported cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),  # the full-width forms a Chinese input method types
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("主控板 = 核心", "主控板 = 核心"),  # only the first character matters
        ("PBX-MAIN-200", "PBX-MAIN-200"),
        ("", ""),
    ],
)
def test_exported_text_never_starts_a_formula(value, exported):
    assert escape_cell(value) == exported
