"""The monthly report's Excel template and uploads (docs/rules.md §8): the template pre-filled for the
distributor, an upload read with every bad row listed by sheet, row and column, CSV in GBK."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.reports.models import MonthlyReport, Violation

from .builders import granted_shop, make_report

HEADERS = ["sold_on", "customer", "region_code", "sku", "quantity", "unit_price", "serials"]


def workbook(shop, sales, *, inventory=None, outlets=(), sheets=("inventory", "sales", "outlets"), sales_header=None):
    book = Workbook()
    book.remove(book.active)
    if "inventory" in sheets:
        sheet = book.create_sheet("inventory")
        sheet.append(["sku", "name", "quantity"])
        for row in inventory if inventory is not None else [[shop.board.sku, "板卡", 6]]:
            sheet.append(row)
    if "sales" in sheets:
        sheet = book.create_sheet("sales")
        sheet.append(sales_header or HEADERS)
        for row in sales:
            sheet.append(row)
    if "outlets" in sheets:
        sheet = book.create_sheet("outlets")
        sheet.append(["kind", "name", "region_code"])
        for row in outlets:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="report.xlsx", month="2026-02", url="/reports/upload"):
    return client.post(
        url,
        data={"month": month, "report_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def test_the_template_is_pre_filled_for_the_distributor(shop, login):
    granted_shop(shop)
    response = login(shop.agent).get("/reports/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["inventory", "sales", "outlets", "regions"]
    inventory = list(book["inventory"].values)
    assert inventory[0] == ("sku", "name", "quantity")
    assert {row[0] for row in inventory[1:]} == {shop.board.sku, shop.cable.sku}
    assert all(row[2] is None for row in inventory[1:])
    assert list(book["sales"].values)[0] == tuple(HEADERS)
    regions = {row[0] for row in list(book["regions"].values)[1:]}
    assert regions == {"330100", "330106"}  # 杭州市 and its district; not 浙江省 nor 苏州市


def test_an_xlsx_upload_with_a_below_price_line_saves_the_report_and_its_violation(shop, login):
    granted_shop(shop)
    data = workbook(
        shop,
        [
            [datetime(2026, 2, 3), "客户甲", 330106, shop.board.sku, 2, 1499.99, "SN1 SN2"],
            ["2026-02-04", "客户乙", "330106", shop.cable.sku.lower(), 1, "15.00", None],
        ],
        outlets=[["outlet", "无名网点", "330106"]],
    )
    response = upload(login(shop.agent), data)
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(select(MonthlyReport))
    assert [(s.quantity, s.unit_price) for s in report.sales] == [
        (2, Decimal("1499.99")),
        (1, Decimal("15.00")),
    ]
    assert [line.quantity for line in report.inventory] == [6]
    assert sorted(v.kind.value for v in db.session.scalars(select(Violation))) == [
        "below_price",
        "unapproved_sub_agent",
    ]


def test_every_bad_row_is_listed_with_sheet_row_and_column_and_nothing_saved(shop, login, count_rows):
    granted_shop(shop)
    data = workbook(
        shop,
        [
            ["2026-02-03", "客户甲", "330106", shop.board.sku, 1, "1500.00", ""],
            [],
            ["2026-03-01", "客户乙", "999999", shop.board.sku, -1, "1500.00", ""],
        ],
        inventory=[[shop.board.sku, "板卡", "lots"]],
    )
    response = upload(login(shop.agent), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = page[page.index('id="problems"') :]
    for expected in (
        "<td>sales</td><td>4</td><td>A (sold_on)</td>",
        "<td>sales</td><td>4</td><td>C (region_code)</td>",
        "<td>sales</td><td>4</td><td>E (quantity)</td>",
        "<td>inventory</td><td>2</td><td>C (quantity)</td>",
    ):
        assert expected in problems
    assert count_rows(MonthlyReport) == 0


def test_a_wrong_header_or_an_empty_sheet_is_refused(shop, login, count_rows):
    granted_shop(shop)
    client = login(shop.agent)
    wrong = workbook(shop, [], sales_header=["date", "customer", "region_code", "sku", "quantity", "unit_price"])
    page = upload(client, wrong).get_data(as_text=True)
    assert "The first row must name the column sold_on." in page
    book = Workbook()
    book.active.title = "inventory"
    book.create_sheet("sales")
    book.create_sheet("outlets")
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, buffer.getvalue())
    assert response.status_code == 422
    assert "The sheet is empty" in response.get_data(as_text=True)
    missing = workbook(shop, [], sheets=("sales",))
    assert "The workbook has no sheet named inventory." in upload(client, missing).get_data(as_text=True)
    assert upload(client, b"not a workbook").status_code == 422
    assert count_rows(MonthlyReport) == 0


def test_a_csv_in_gbk_carries_the_sales_lines(shop, login):
    granted_shop(shop)
    text = (
        "日期,客户,地区代码,产品编码,数量,单价,序列号\r\n"
        + f'2026-02-05,杭州客户,330106,{shop.board.sku},3,"1,600.00",\r\n'
    )
    response = upload(login(shop.agent), text.encode("gbk"), name="sales.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(select(MonthlyReport))
    assert [(s.customer, s.quantity) for s in report.sales] == [("杭州客户", 3)]
    assert report.inventory == []


def test_an_empty_csv_is_refused(shop, login):
    granted_shop(shop)
    response = upload(login(shop.agent), ",".join(HEADERS).encode() + b"\r\n", name="sales.csv")
    assert response.status_code == 422
    assert "no sales lines" in response.get_data(as_text=True)


def test_a_correction_by_upload(shop, login):
    granted_shop(shop)
    report = make_report(shop)
    data = workbook(shop, [["2026-02-03", "客户丙", "330106", shop.board.sku, 4, "1500.00", ""]])
    response = upload(login(shop.agent), data, url=f"/reports/{report.id}/upload")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    report = db.session.get(MonthlyReport, report.id)
    assert (report.corrections, [s.customer for s in report.sales]) == (1, ["客户丙"])
