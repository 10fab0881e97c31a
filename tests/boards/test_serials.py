"""Serial numbers typed, pasted or uploaded (CSV in UTF-8 or GBK, Excel), every bad row named."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from portal.boards.serials import read_serial_file, split_serials


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SN-1\nSN-2\r\nSN-3", ["SN-1", "SN-2", "SN-3"]),
        ("sn-1, sn-2,sn-3", ["SN-1", "SN-2", "SN-3"]),
        ("SN-1\tSN-2  SN-3", ["SN-1", "SN-2", "SN-3"]),
        ("SN-1，SN-2、SN-3；SN-4", ["SN-1", "SN-2", "SN-3", "SN-4"]),
        ("\n\n  ,, \n", []),
        ("HZ2025-000123\nHZ2025-000123", ["HZ2025-000123", "HZ2025-000123"]),  # the service names the duplicate
    ],
)
def test_typed_or_pasted_serials_are_split_on_lines_commas_spaces_and_tabs(text, expected):
    assert split_serials(text) == expected


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_csv_with_a_serial_column():
    result = read_serial_file(b"serial\nsn-1\nSN-2\n", "serials.csv")
    assert (result.rows, result.problems, result.has_sku) == ([(2, None, "SN-1"), (3, None, "SN-2")], [], False)


def test_a_gbk_csv_as_chinese_excel_writes_it_with_sku_and_serial():
    data = "型号,序列号,备注\nPBX-EXT-16,HZ2025-000001,第一块\npbx-ext-16,HZ2025-000002,\n".encode("gbk")
    result = read_serial_file(data, "序列号.csv")
    assert result.problems == []
    assert result.has_sku
    assert result.serials_for("PBX-EXT-16") == ["HZ2025-000001", "HZ2025-000002"]


def test_an_excel_workbook_with_numbers_as_serials():
    result = read_serial_file(xlsx([["SKU", "Serial"], ["PBX-EXT-16", 123456], ["PBX-EXT-16", 7.0]]), "a.xlsx")
    assert result.problems == []
    assert result.serials_for("PBX-EXT-16") == ["123456", "7"]


def test_every_bad_row_is_listed_with_its_line():
    result = read_serial_file(b"sku,serial\nPBX-EXT-16,SN-1\n\nPBX-EXT-16,\n,SN-3\n", "a.csv")
    assert [(p.line, p.message) for p in result.problems] == [
        (4, "Line %(line)s has no serial number."),
        (5, "Line %(line)s has no SKU."),
    ]
    assert result.rows == [(2, "PBX-EXT-16", "SN-1")]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls"),
        (b"PK\x03\x04 not really a workbook", "broken.xlsx"),
        (b"\xff\xfe\xfa", "weird.csv"),
    ],
)
def test_a_file_that_is_neither_csv_nor_excel_is_refused(data, filename):
    result = read_serial_file(data, filename)
    assert [p.message for p in result.problems] == [
        "The file is neither a CSV (UTF-8 or GBK) nor an Excel workbook (.xlsx)."
    ]
    assert result.rows == []


def test_a_file_without_a_serial_column_says_what_the_first_line_must_name():
    result = read_serial_file(b"number\nSN-1\n", "a.csv")
    assert [p.message for p in result.problems] == ["The first line must name the columns: serial, and optionally sku."]


def test_an_empty_file_is_refused():
    assert read_serial_file(b"", "a.csv").problems[0].message == "The file is empty."
    assert read_serial_file(b"serial\n", "a.csv").problems[0].message == "The file has no serial numbers."
