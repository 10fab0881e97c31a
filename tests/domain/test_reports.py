"""docs/rules.md §8: the months reported, reading a report's lines, and the violations found in them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.errors import InvalidValue
from portal.domain.reports import (
    Finding,
    OutletKind,
    OutletLine,
    ReportRefused,
    ReportState,
    SaleLine,
    ViolationKind,
    approved_request,
    below_price,
    check_month_ended,
    cross_territory,
    months_to_report,
    next_month_to_report,
    outlet_finding,
    parse_month,
    quarter_of_month,
    read_lines,
    reconcile,
    report_due_on,
    report_state,
    sale_findings,
)
from portal.domain.territories import Grant

D = date


@pytest.mark.parametrize(
    ("year", "month", "due_day", "due_on"),
    [
        (2026, 1, 10, D(2026, 2, 10)),
        (2026, 12, 10, D(2027, 1, 10)),
        (2026, 1, 31, D(2026, 2, 28)),  # a day the month lacks is its last day
        (2028, 1, 30, D(2028, 2, 29)),
    ],
)
def test_a_report_is_due_on_the_due_day_of_the_following_month(year, month, due_day, due_on):
    assert report_due_on(year, month, due_day) == due_on


@pytest.mark.parametrize(
    ("submitted_on", "on", "state"),
    [
        (D(2026, 3, 10), D(2026, 3, 20), ReportState.ON_TIME),  # on the due day
        (D(2026, 3, 11), D(2026, 3, 20), ReportState.LATE),
        (None, D(2026, 3, 10), ReportState.NOT_YET_DUE),
        (None, D(2026, 3, 11), ReportState.MISSING),
    ],
)
def test_the_state_of_a_report(submitted_on, on, state):
    assert report_state(D(2026, 3, 10), submitted_on, on) is state


@pytest.mark.parametrize(
    ("year", "month", "today", "ended"),
    [(2026, 2, D(2026, 3, 1), True), (2026, 2, D(2026, 2, 28), False), (2026, 3, D(2026, 3, 10), False)],
)
def test_a_month_is_reported_once_it_has_ended(year, month, today, ended):
    if ended:
        check_month_ended(year, month, today)
    else:
        with pytest.raises(InvalidValue):
            check_month_ended(year, month, today)


@pytest.mark.parametrize(("text", "ok"), [("2026-03", True), ("2026-13", False), ("26-03", False), ("", False)])
def test_parse_month(text, ok):
    if ok:
        assert parse_month(text) == (2026, 3)
    else:
        with pytest.raises(InvalidValue):
            parse_month(text)


@pytest.mark.parametrize(
    ("month", "quarter"),
    [((2026, 1), "2026-Q1"), ((2026, 3), "2026-Q1"), ((2026, 4), "2026-Q2"), ((2026, 12), "2026-Q4")],
)
def test_the_quarter_that_locks_a_month(month, quarter):
    assert quarter_of_month(*month) == quarter


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "today", "months"),
    [
        (D(2026, 1, 1), D(2026, 12, 31), D(2026, 3, 10), [(2026, 2), (2026, 1)]),
        (D(2026, 1, 15), D(2026, 12, 31), D(2026, 2, 1), [(2026, 1)]),  # a part month counts
        (D(2026, 3, 1), D(2026, 12, 31), D(2026, 3, 10), []),  # nothing has ended yet
        (D(2025, 11, 1), D(2025, 12, 15), D(2026, 3, 10), [(2025, 12), (2025, 11)]),  # ended mid-month
    ],
)
def test_the_months_to_report(starts_on, ends_on, today, months):
    assert months_to_report(starts_on, ends_on, today) == months


YEAR_2026 = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("period", "on", "reported", "expected"),
    [
        # Nothing reported yet: the term's first month, once it has ended, however late.
        (YEAR_2026, D(2026, 2, 3), set(), (2026, 1)),
        (YEAR_2026, D(2026, 5, 15), set(), (2026, 1)),
        # The earliest gap, even with later months reported.
        (YEAR_2026, D(2026, 5, 15), {"2026-01", "2026-02", "2026-04"}, (2026, 3)),
        # Every ended month reported: the current month, due after it ends.
        (YEAR_2026, D(2026, 5, 15), {"2026-01", "2026-02", "2026-03", "2026-04"}, (2026, 5)),
        # Still in the first month: that month.
        (YEAR_2026, D(2026, 1, 31), set(), (2026, 1)),
        # A term starting mid-month reports that month too.
        ((D(2026, 3, 17), D(2026, 12, 31)), D(2026, 4, 1), set(), (2026, 3)),
        ((D(2026, 3, 17), D(2026, 12, 31)), D(2026, 4, 1), {"2026-03"}, (2026, 4)),
        # Across a year's end.
        ((D(2025, 11, 1), D(2026, 12, 31)), D(2026, 1, 5), {"2025-11"}, (2025, 12)),
        ((D(2025, 11, 1), D(2026, 12, 31)), D(2026, 1, 5), {"2025-11", "2025-12"}, (2026, 1)),
        # Months before the term do not count.
        ((D(2026, 3, 1), D(2026, 12, 31)), D(2026, 4, 20), {"2026-01"}, (2026, 3)),
        # Not started yet, or ended with every month reported: nothing is owed.
        ((D(2026, 7, 1), D(2026, 12, 31)), D(2026, 5, 15), set(), None),
        (
            (D(2025, 1, 1), D(2026, 3, 31)),
            D(2026, 5, 15),
            {f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)},
            None,
        ),
        # Ended with its last month unreported: that month, still owed.
        (
            (D(2025, 1, 1), D(2026, 3, 31)),
            D(2026, 5, 15),
            {"2026-01", "2026-02"} | {f"2025-{m:02d}" for m in range(1, 13)},
            (2026, 3),
        ),
    ],
)
def test_the_next_month_to_report(period, on, reported, expected):
    """§4.3: the report a distributor owes next (its home page's "due next")."""
    assert next_month_to_report(period, on, reported) == expected


# --- reading the lines -------------------------------------------------------------------------

SKUS = {"PBX-EXT-16", "ACC-CBL", "OTHER-1"}
AUTHORISED = {"PBX-EXT-16", "ACC-CBL"}
REGIONS = {"330000", "330100", "330106", "320500"}


def sale(**cells: str) -> dict[str, str]:
    row = {
        "sold_on": "2026-02-03",
        "customer": "杭州某公司",
        "region_code": "330106",
        "sku": "pbx-ext-16",
        "quantity": "2",
        "unit_price": "1,500.00",
        "serials": "SN1  SN2",
    }
    return row | cells


def read(inventory=(), sales=(), outlets=()):
    return read_lines(
        list(inventory),
        list(sales),
        list(outlets),
        year=2026,
        month=2,
        known_skus=SKUS,
        authorised_skus=AUTHORISED,
        regions=REGIONS,
    )


def test_good_lines_are_read_and_blank_ones_skipped():
    lines = read(
        inventory=[{"sku": "PBX-EXT-16", "quantity": "0"}, {"sku": "ACC-CBL", "quantity": ""}],
        sales=[sale(), dict.fromkeys(sale(), " ")],
        outlets=[{"kind": "下级代理商", "name": " 西湖门市部 ", "region_code": "330106"}],
    )
    assert [(line.sku, line.quantity) for line in lines.inventory] == [("PBX-EXT-16", 0)]
    assert lines.sales == [
        SaleLine(D(2026, 2, 3), "杭州某公司", "330106", "PBX-EXT-16", 2, Decimal("1500.00"), "SN1 SN2")
    ]
    assert lines.outlets == [OutletLine(OutletKind.SUB_AGENT, "西湖门市部", "330106")]


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"sold_on": "2026-03-01"}, "sold_on"),  # outside its month
        ({"sold_on": "2026-01-31"}, "sold_on"),
        ({"sold_on": "2026-02-30"}, "sold_on"),
        ({"region_code": "999999"}, "region_code"),  # no such region
        ({"region_code": "33010"}, "region_code"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.5"}, "quantity"),
        ({"unit_price": "-1.00"}, "unit_price"),
        ({"unit_price": "1.005"}, "unit_price"),
        ({"sku": "NOPE"}, "sku"),  # unknown product
        ({"sku": "OTHER-1"}, "sku"),  # not authorised
        ({"customer": "  "}, "customer"),
    ],
)
def test_a_bad_cell_of_a_sale_is_refused_by_line_and_column(cells, column):
    with pytest.raises(ReportRefused) as refused:
        read(sales=[sale(), sale(**cells)])
    assert [problem.path for problem in refused.value.problems] == [f"sales.1.{column}"]


def test_every_problem_is_listed_at_once():
    with pytest.raises(ReportRefused) as refused:
        read(
            inventory=[{"sku": "ACC-CBL", "quantity": "-3"}, {"sku": "ACC-CBL", "quantity": "1"}],
            sales=[sale(quantity="0", region_code="000000")],
            outlets=[{"kind": "shop", "name": "", "region_code": "330106"}],
        )
    assert [problem.path for problem in refused.value.problems] == [
        "inventory.0.quantity",
        "inventory.1.sku",
        "sales.0.region_code",
        "sales.0.quantity",
        "outlets.0.kind",
        "outlets.0.name",
    ]


# --- the violations ----------------------------------------------------------------------------

HANGZHOU = ["330106", "330100", "330000"]  # 西湖区 → 杭州市 → 浙江省
SUZHOU = ["320500", "320000"]


@pytest.mark.parametrize(
    ("chain", "grants", "on", "violation"),
    [
        (HANGZHOU, [Grant("330100", D(2026, 1, 1))], D(2026, 2, 3), False),  # a district inside a granted city
        (HANGZHOU, [Grant("330000", D(2026, 1, 1))], D(2026, 2, 3), False),  # inside a granted province
        (HANGZHOU, [Grant("330106", D(2026, 1, 1))], D(2026, 2, 3), False),  # the district itself
        (["330100", "330000"], [Grant("330106", D(2026, 1, 1))], D(2026, 2, 3), True),  # the city of a district
        (SUZHOU, [Grant("330000", D(2026, 1, 1))], D(2026, 2, 3), True),
        (HANGZHOU, [Grant("330100", D(2026, 2, 4))], D(2026, 2, 3), True),  # before the grant
        # The revocation applies from 2026-02-16 (notice on 2026-01-15): held on the 15th, not on the 16th.
        (HANGZHOU, [Grant("330100", D(2026, 1, 1), D(2026, 2, 16))], D(2026, 2, 15), False),
        (HANGZHOU, [Grant("330100", D(2026, 1, 1), D(2026, 2, 16))], D(2026, 2, 16), True),
        (HANGZHOU, [], D(2026, 2, 3), True),
    ],
)
def test_cross_territory_sales(chain, grants, on, violation):
    assert cross_territory(chain, grants, on) is violation


@pytest.mark.parametrize(
    ("unit_price", "floor", "violation"),
    [
        ("1500.00", "1500.00", False),  # exactly at the floor is fine
        ("1499.99", "1500.00", True),  # one fen below
        ("1500.01", "1500.00", False),
        ("0.00", None, False),  # no list in force, or the product is in none
    ],
)
def test_below_price_sales(unit_price, floor, violation):
    assert below_price(Decimal(unit_price), None if floor is None else Decimal(floor)) is violation


def test_a_sale_can_be_both_cross_territory_and_below_price():
    line = SaleLine(D(2026, 2, 3), "苏州客户", "320500", "PBX-EXT-16", 1, Decimal("900.00"))
    found = sale_findings(line, 7, SUZHOU, [Grant("330000", D(2026, 1, 1))], Decimal("1500.00"))
    assert [finding.kind for finding in found] == [ViolationKind.CROSS_TERRITORY, ViolationKind.BELOW_PRICE]
    assert found[1].min_resale_price == Decimal("1500.00")
    assert sale_findings(line, 7, SUZHOU, [Grant("320000", D(2026, 1, 1))], None) == []


@pytest.mark.parametrize(
    ("name", "approved_id"),
    [("西湖门市部", 5), ("  西湖门市部 ", 5), ("Xihu  Shop", 6), ("xihu shop", 6), ("滨江门市部", None)],
)
def test_an_outlet_is_approved_by_name_trimmed_and_case_insensitive(name, approved_id):
    approved = {"西湖门市部": 5, "xihu shop": 6}
    assert approved_request(name, approved) == approved_id
    outlet = OutletLine(OutletKind.OUTLET, name, "330106")
    finding = outlet_finding(outlet, approved_id, D(2026, 2, 28))
    assert (finding is None) is (approved_id is not None)


def test_a_correction_keeps_what_still_holds_and_drops_what_does_not():
    a = Finding(ViolationKind.BELOW_PRICE, D(2026, 2, 3), customer="甲", product_id=1, unit_price=Decimal("1"))
    b = Finding(ViolationKind.CROSS_TERRITORY, D(2026, 2, 4), customer="乙", region_code="320500")
    c = Finding(ViolationKind.UNAPPROVED_SUB_AGENT, D(2026, 2, 28), outlet_name="丙")
    gone, new = reconcile([a, c, c], [(10, a.key), (11, b.key), (12, c.key)])
    assert gone == [11]
    assert new == [c]
