"""Reports that don't scan history and exports that stream: the receivables page's totals per
distributor come a page at a time (the grand total from one aggregate), a page costs the same
statements whatever the number of distributors that owe, the on-time delivery page counts once,
and every download goes through portal.exports (name, header, values, Chinese, one pass)."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from portal import exports
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db

from ..builders import insert_orders, make_active_agreement, make_user

D = Decimal


@pytest.fixture
def finance(login):
    return login(make_user(role=Role.FINANCE))


def _owing(agreements, first: int, count: int, *, paid: bool = False) -> None:
    """``count`` confirmed orders owing a ¥300 deposit (due from 5 January), spread over ``agreements``;
    ``paid``: deposit paid on 2 February, the balance due 4 March (overdue on 10 March)."""
    insert_orders(
        agreements,
        range(first, first + count),
        status=OrderStatus.DEPOSIT_PAID if paid else OrderStatus.CONFIRMED,
        total=D("1000.00"),
        deposit_amount=D("300.00"),
        balance_amount=D("700.00"),
        paid_amount=D("300.00") if paid else D("0.00"),
        confirmed_on=date(2026, 1, 2),
        deposit_due_on=lambda n: date(2026, 1, 5) + timedelta(days=n % 60),
        deposit_paid_on=date(2026, 2, 2) if paid else None,
        delivery_due_on=date(2026, 3, 4) if paid else None,
    )


def _totals_rows(page: str) -> list[str]:
    table = page.split("By distributor", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def _footer(page: str) -> str:
    table = page.split("By distributor", 1)[1].split("</table>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", table.split("<tfoot>", 1)[1]).split())


def test_the_totals_per_distributor_come_a_page_at_a_time_with_the_grand_total_of_all(shop, finance):
    agreements = [shop.agreement, *(make_active_agreement(products=[shop.board]) for _ in range(29))]
    _owing(agreements, 0, 60)  # two ¥300 deposits overdue and two ¥700 balances each

    first = finance.get("/receivables/").get_data(as_text=True)
    second = finance.get("/receivables/?totals_page=2").get_data(as_text=True)

    assert len(_totals_rows(first)) == 25
    assert len(_totals_rows(second)) == 5
    assert "1 of 2" in first
    assert "totals_page=2" in first
    codes = [row.split()[0] for row in _totals_rows(first) + _totals_rows(second)]
    assert codes == sorted(codes)
    assert len(set(codes)) == 30
    assert _footer(first) == _footer(second) == "All distributors 120 ¥60,000.00 ¥18,000.00"
    assert all("¥2,000.00 ¥600.00" in row for row in _totals_rows(first))


def _statements_of(finance, count_statements, url: str) -> int:
    with count_statements() as statements:
        response = finance.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/receivables/", "/receivables/?state=overdue", "/boards/delivery"])
def test_a_report_costs_the_same_statements_with_2_and_with_12_distributors_owing(shop, finance, count_statements, url):
    agreements = [shop.agreement, make_active_agreement(products=[shop.board])]
    _owing(agreements, 0, 4)
    _owing(agreements, 4, 4, paid=True)
    few = _statements_of(finance, count_statements, url)
    more = [make_active_agreement(products=[shop.board]) for _ in range(10)]
    _owing(more, 100, 40)
    _owing(more, 200, 40, paid=True)
    many = _statements_of(finance, count_statements, url)
    assert few == many


def test_the_delivery_page_counts_once_and_pages_by_its_counts(shop, login, count_statements):
    agreements = [shop.agreement, make_active_agreement(products=[shop.board])]
    _owing(agreements, 0, 30, paid=True)  # due 4 March, not shipped: 30 overdue
    sales = login(make_user(role=Role.SALES))

    with count_statements() as statements:
        page = sales.get("/boards/delivery?state=late&page=2").get_data(as_text=True)

    assert "30 in all" in page
    counts = [s for s in statements if "count(" in s.lower() or "sum(" in s.lower()]
    # The summary's one aggregate (the tallies kept per due day), and no COUNT for the pagination.
    assert len(counts) == 1
    assert not [s for s in counts if "count(" in s.lower()]
    assert sales.get("/boards/delivery?state=on_time").get_data(as_text=True).count("0 in all") == 1


# --- exports ---------------------------------------------------------------------------------------


def test_the_receivables_export_is_named_for_the_day_with_a_header_and_exact_values(shop, finance):
    shop.agreement.distributor.name = "杭州新辰通信"
    db.session.commit()
    order = shop.order()  # a first order: the whole ¥60,000 as deposit, due 8 March

    response = finance.get("/receivables/export.xlsx")

    assert response.headers["Content-Disposition"] == 'attachment; filename="receivables-2026-03-10.xlsx"'
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header == (
        "Distributor code",
        "Distributor",
        "Order",
        "Kind",
        "Amount (¥)",
        "Outstanding (¥)",
        "Due on",
        "Days late",
    )
    assert row[1:4] == ("杭州新辰通信", order.number, "Deposit")
    assert row[4] == row[5] == 60000
    assert row[6].date() == date(2026, 3, 8)
    assert row[7] == 2
    assert sheet["E2"].number_format == "#,##0.00"
    assert sheet["G2"].number_format == "yyyy-mm-dd"


def test_the_receivables_export_as_csv_keeps_chinese_and_exact_amounts(shop, finance, login):
    shop.agreement.distributor.name = "杭州新辰通信"
    db.session.commit()
    order = shop.order()

    response = finance.get("/receivables/export.csv?kind=deposit")

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="receivables-2026-03-10.csv"'
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then read the Chinese right
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:3] == ["Distributor code", "Distributor", "Order"]
    assert row[1:] == ["杭州新辰通信", order.number, "Deposit", "60000.00", "60000.00", "2026-03-08", "2"]
    agent = login(make_user(role=Role.DISTRIBUTOR, distributor=shop.agreement.distributor))
    assert agent.get("/receivables/export.csv").status_code == 403


def test_the_ledger_offers_csv_beside_excel(shop, finance):
    page = finance.get("/repairs/ledger").get_data(as_text=True)
    assert "/repairs/ledger.csv" in page
    assert "/repairs/ledger.xlsx" in page
    response = finance.get("/repairs/ledger.csv")
    assert response.get_data().decode("utf-8").startswith("\ufeffDistributor code,Distributor,Batch,")
    assert response.headers["Content-Disposition"] == 'attachment; filename="repair-fee-ledger-2026-03-10.csv"'


def test_a_chinese_file_name_is_given_as_rfc_5987_beside_an_ascii_one():
    header = exports.content_disposition("应收账款-2026-03-10.xlsx")
    assert (
        header == f"attachment; filename=\"____-2026-03-10.xlsx\"; filename*=UTF-8''{quote('应收账款-2026-03-10.xlsx')}"
    )
    assert exports.content_disposition('a"b.csv') == "attachment; filename=\"a_b.csv\"; filename*=UTF-8''a%22b.csv"


COLUMNS = [exports.Column("名称"), exports.Column("Amount", exports.MONEY), exports.Column("Due", exports.DATE)]


def _rows(count: int, pulled: list[int]):
    for n in range(count):
        pulled[0] += 1
        yield (f"经销商 {n:06d} " + "x" * 40, D(n) / 100, date(2026, 1, 1) + timedelta(days=n % 300))


def _peak_of(count: int) -> int:
    pulled = [0]
    tracemalloc.start()
    try:
        exports.write_xlsx([exports.Sheet("Rows", COLUMNS, _rows(count, pulled))], io.BytesIO())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_excel_writer_takes_an_iterator_and_never_holds_the_rows():
    pulled = [0]
    target = io.BytesIO()
    exports.write_xlsx([exports.Sheet("Rows", COLUMNS, _rows(3, pulled))], target)
    assert pulled == [3]
    rows = list(load_workbook(io.BytesIO(target.getvalue())).active.iter_rows(values_only=True))
    assert rows[0] == ("名称", "Amount", "Due")
    assert rows[3][1] == 0.02

    # Ten times the rows, not ten times the memory: the rows go to a file as they come.
    small, large = _peak_of(2_000), _peak_of(20_000)
    assert large < 2 * small, (small, large)


def test_the_csv_writer_sends_a_chunk_before_reading_every_row():
    pulled = [0]
    chunks = exports.csv_chunks(exports.Sheet("Rows", COLUMNS, _rows(5 * exports.BATCH, pulled)))
    first = next(chunks)
    assert pulled[0] == exports.BATCH  # one batch read, one batch written
    assert first.startswith("\ufeff名称,Amount,Due\r\n经销商 000000")
    assert sum(1 for _chunk in chunks) == 5
    assert pulled[0] == 5 * exports.BATCH


MIXED = [
    exports.Column("Text"),
    exports.Column("Money", exports.MONEY),
    exports.Column("Date", exports.DATE),
    exports.Column("Count", exports.INTEGER),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # one kind in every column, some empty: each column written by its batch's template
        (
            [("华东", D("1234.50"), date(2026, 3, 10), 3), (None, None, None, None)],
            [("华东", 1234.5, datetime(2026, 3, 10), 3), (None, None, None, None)],
        ),
        # text a spreadsheet would run, or that XML must escape: written cell by cell, escaped
        (
            [("=SUM(A1)", D("0.10"), date(2026, 1, 1), 0), ("A & B <c>", D("2.00"), date(2026, 1, 2), 1)],
            [("'=SUM(A1)", 0.1, datetime(2026, 1, 1), 0), ("A & B <c>", 2.0, datetime(2026, 1, 2), 1)],
        ),
        # a full-width formula sign and a line break inside a value
        (
            [("＝1+1", D("1.00"), date(2026, 1, 1), 1), ("第一行\n=第二行", D("1.00"), date(2026, 1, 1), 1)],
            [("'＝1+1", 1.0, datetime(2026, 1, 1), 1), ("第一行\n=第二行", 1.0, datetime(2026, 1, 1), 1)],
        ),
        # kinds mixed within a column (a number in a text column, text in a money column)
        (
            [(42, "n/a", date(2026, 1, 1), 1), ("x", D("3.30"), date(2026, 1, 1), True)],
            [("42", "n/a", datetime(2026, 1, 1), 1), ("x", 3.3, datetime(2026, 1, 1), True)],
        ),
    ],
    ids=["one kind", "escaped", "full-width and line break", "mixed kinds"],
)
def test_every_kind_of_cell_reads_back_as_written(rows, expected):
    target = io.BytesIO()
    exports.write_xlsx([exports.Sheet("Rows", MIXED, iter(rows))], target)
    read = list(load_workbook(io.BytesIO(target.getvalue())).active.iter_rows(values_only=True))
    assert read[1:] == expected


def test_a_row_with_too_few_values_is_refused():
    with pytest.raises(ValueError, match="zip"):  # zip(strict=True): the row is short
        exports.write_xlsx([exports.Sheet("Rows", MIXED, iter([("a", D("1.00"), date(2026, 1, 1))]))], io.BytesIO())
