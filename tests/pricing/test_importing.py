"""Reading uploaded price files into rows of text: every cell as text, row numbers as Excel shows
them, CSV in UTF-8 or GBK, and hostile files refused before a parser sees them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from portal.domain.pricing import RowsRefused
from portal.pricing import importing
from portal.pricing.importing import UploadRefused, cell_text, read_upload

from .files import csv_bytes, lying_workbook, many_entries, xlsx, zip_bomb

CSV_HEADER = "sku,name_zh,price_level1,price_level2,min_resale_price"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1200, "1200"),
        (1200.5, "1200.5"),
        (1200.1000000000001, "1200.1"),  # a binary artefact Excel shows as 1200.1
        (0.1 + 0.2, "0.3"),
        (1199.9999999999998, "1200"),
        (1200.125, "1200.125"),  # a third decimal really typed: kept, so the check refuses it
        (1200.105, "1200.105"),
        (12345678.12, "12345678.12"),
        (-5.5, "-5.5"),
        (1e16, "10000000000000000"),  # never "1E+16"
        (float("nan"), ""),  # an error cell such as #N/A
        (True, "TRUE"),
        (Decimal("1200.10"), "1200.10"),
        (datetime(2026, 1, 1), "2026-01-01"),
        (date(2026, 1, 1), "2026-01-01"),
        ("  1,200.00 ", "  1,200.00 "),  # text stays as typed
    ],
)
def test_a_cell_reads_as_the_text_excel_shows(value, text):
    assert cell_text(value) == text


def test_a_workbook_reads_every_cell_as_text_with_excels_row_numbers():
    data = xlsx(
        [
            ["PBX-MAIN-200", "主控板", 3200, 3480.5, "4,200.00"],
            [None, None, None, None, None],  # a blank row keeps its number
            ["PBX-EXT-16", "分机板", 1180.25, 1280, 1580],
        ]
    )
    upload = read_upload("价格.xlsx", data)
    assert upload.problems == []
    assert upload.rows == [
        (2, {"sku": "PBX-MAIN-200", "price_level1": "3200", "price_level2": "3480.5", "min_resale_price": "4,200.00"}),
        (4, {"sku": "PBX-EXT-16", "price_level1": "1180.25", "price_level2": "1280", "min_resale_price": "1580"}),
    ]


def test_a_float_artefact_stored_by_excel_reads_as_the_number_shown():
    data = xlsx([["PBX-MAIN-200", "主控板", 777.777, 3480, 4200]], raw={"777.777": "1200.1000000000001"})
    assert read_upload("p.xlsx", data).rows[0][1]["price_level1"] == "1200.1"


def test_the_same_digits_typed_as_text_in_a_csv_are_taken_as_typed():
    upload = read_upload("p.csv", csv_bytes([CSV_HEADER, "PBX-MAIN-200,主控板,1200.1000000000001,3480,4200"]))
    assert upload.rows[0][1]["price_level1"] == "1200.1000000000001"  # the check refuses the decimals


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_in_utf8_with_or_without_bom_or_gbk_is_read(encoding):
    data = csv_bytes([CSV_HEADER, 'PBX-MAIN-200,IP 交换机主控板,"1,200.00",1300,1500'], encoding)
    upload = read_upload("价格表.csv", data)
    assert upload.rows == [
        (2, {"sku": "PBX-MAIN-200", "price_level1": "1,200.00", "price_level2": "1300", "min_resale_price": "1500"})
    ]


def test_an_unquoted_thousands_separator_is_reported_on_its_row_not_misread():
    data = csv_bytes([CSV_HEADER, "A,甲,1,200.00,1300,1500", "", "B,乙,100,110,150"])
    upload = read_upload("p.csv", data)
    assert [(p.row, p.column) for p in upload.problems] == [(2, "F")]
    assert "thousands" in upload.problems[0].message
    assert [number for number, _ in upload.rows] == [4]


def test_extra_help_columns_of_a_workbook_are_ignored():
    data = xlsx([["A", "甲", 100, 110, 150, "备注：促销"]])
    upload = read_upload("p.xlsx", data)
    assert upload.problems == []
    assert upload.rows[0][1]["sku"] == "A"


def test_missing_columns_are_reported_on_row_1():
    with pytest.raises(RowsRefused) as refused:
        read_upload("p.csv", csv_bytes(["sku,price,min_resale_price", "A,1,2"]))
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "price_level1"), (1, "price_level2")]


@pytest.mark.parametrize("lines", [["", ""], [CSV_HEADER], [CSV_HEADER, ",,,,", ""]])
def test_a_file_without_price_rows_is_refused_rather_than_emptying_the_draft(lines):
    with pytest.raises(RowsRefused):
        read_upload("p.csv", csv_bytes(lines))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("prices.xlsx", b"sku,price_level1\nA,1\n", "not an Excel workbook"),  # a .txt renamed .xlsx
        ("prices.xlsx", b"", "empty"),
        ("prices.xlsx", b"PK\x03\x04not really a zip", "not an Excel workbook"),
        ("prices.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel 97-2003"),
        ("prices.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password"),
        ("prices.txt", b"sku,price_level1\n", "Upload an Excel workbook (.xlsx) or a CSV file"),
        ("prices", b"sku,price_level1\n", "Upload an Excel workbook (.xlsx) or a CSV file"),
        ("prices.csv", b"PK\x03\x04\x14\x00\x00\x00", "not a CSV text file"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_with_a_clear_message(name, data, message):
    with pytest.raises(UploadRefused) as refused:
        read_upload(name, data)
    assert message in str(refused.value)
    assert refused.value.field == "file"


def test_a_zip_that_is_not_a_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(UploadRefused, match="not an Excel workbook"):
        read_upload("letter.xlsx", buffer.getvalue())


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking_it(monkeypatch):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024  # 64 MB of worksheet in a file of less than 1 MB

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(importing.pd, "read_excel", never)
    with pytest.raises(UploadRefused, match="unsafe"):
        read_upload("prices.xlsx", bomb)


def test_a_zip_that_lies_about_its_sizes_is_refused_when_unpacking_exceeds_them():
    lying = lying_workbook()
    with pytest.raises(UploadRefused, match="could not be read"):
        read_upload("prices.xlsx", lying)


def test_a_zip_of_thousands_of_parts_is_refused():
    with pytest.raises(UploadRefused, match="unsafe"):
        read_upload("prices.xlsx", many_entries())


def test_a_damaged_workbook_is_refused_not_a_crash():
    data = bytearray(xlsx([["A", "甲", 1, 2, 3]]))
    corrupt = bytes(data[:200]) + b"\0" * 50 + bytes(data[250:])
    with pytest.raises(UploadRefused):
        read_upload("p.xlsx", corrupt)


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [f"S{n},名,1,2,3" for n in range(4)]
    with pytest.raises(UploadRefused, match="more than 3 rows"):
        read_upload("p.csv", csv_bytes([CSV_HEADER, *rows]))
    assert len(read_upload("p.csv", csv_bytes([CSV_HEADER, *rows[:3]])).rows) == 3


def test_an_export_escapes_formulas_and_keeps_money_exact():
    import io

    import openpyxl

    sheet = importing.Sheet(
        "Prices",
        ["sku", "name_zh", "name_en", "price_level1"],
        [["=HYPERLINK(1)", "@主控板", "＝1+1", Decimal("1200.10")]],
        frozenset({"price_level1"}),
    )
    book = openpyxl.load_workbook(io.BytesIO(importing.to_xlsx([sheet])))
    cells = list(next(book.active.iter_rows(min_row=2)))
    assert [c.value for c in cells] == ["'=HYPERLINK(1)", "'@主控板", "'＝1+1", 1200.1]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]  # no formula; the price a number
    assert cells[3].number_format == "0.00"
    text = importing.to_csv(sheet).decode("utf-8-sig")
    assert text.splitlines() == ["sku,name_zh,name_en,price_level1", "'=HYPERLINK(1),'@主控板,'＝1+1,1200.10"]
