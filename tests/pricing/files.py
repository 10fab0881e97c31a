"""Upload files for the import tests: workbooks as Excel writes them, CSVs in both encodings,
and the hostile ones (a renamed text file, zip bombs)."""

from __future__ import annotations

import functools
import io
import zipfile
from typing import Any

from openpyxl import Workbook

HEADER = ["sku", "name_zh", "price_level1", "price_level2", "min_resale_price"]


def xlsx(rows: list[list[Any]], header: list[str] | None = None, raw: dict[str, str] | None = None) -> bytes:
    """A workbook whose first sheet holds ``header`` and ``rows`` (None leaves a cell empty; a
    row of Nones is a blank row). ``raw`` replaces text in the sheet's XML: the way to store a
    number exactly as Excel does, such as 1200.1000000000001."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Prices"
    sheet.append(HEADER if header is None else header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if not raw:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                for old, new in raw.items():
                    assert old.encode() in content, old
                    content = content.replace(old.encode(), new.encode())
            target.writestr(entry, content)
    return target_buffer.getvalue()


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


@functools.cache
def zip_bomb(megabytes: int = 64) -> bytes:
    """A small file that declares ``megabytes`` of worksheet (more than the portal unpacks):
    zeros compress a thousandfold. Built once per size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(megabytes):
                sheet.write(chunk)
    return buffer.getvalue()


def many_entries(count: int = 5000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(count):
            archive.writestr(f"xl/media/{n}.xml", "")
    return buffer.getvalue()


def lying_workbook(megabytes: int = 20) -> bytes:
    """A real workbook whose worksheet unpacks to ``megabytes`` while the zip declares 1 KB: the
    directory check passes, so only the unpacking itself can stop it."""
    import struct

    source = zipfile.ZipFile(io.BytesIO(xlsx([["A", "甲", 1, 2, 3]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes * 1024 * 1024))
            target.writestr(entry.filename, content)
    data = bytearray(buffer.getvalue())
    entry = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, entry.header_offset + 22, 1024)  # the local header's size
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, central + 24, 1024)  # the directory's size
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)
