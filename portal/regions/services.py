"""Loading the region tree: from the cpca package's GB/T 2260 table, or from an uploaded CSV.

An import checks every row first and saves nothing while any row is bad; the report lists every
bad row by its line number (docs/rules.md §4).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import metadata

from sqlalchemy import select

from ..domain.errors import N_, Duplicate, InvalidValue
from ..domain.regions import RegionLevel, ancestor_codes, level_of, normalize_code, parent_code
from ..extensions import db
from ..transactions import transactional
from .models import Region

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RowError:
    line: int
    column: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    longitude: str = ""
    latitude: str = ""


def cpca_rows() -> list[RegionRow]:
    """Provinces, cities and districts from cpca's resources/adcodes.csv (MIT licence)."""
    path = metadata.distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    with open(str(path), encoding="utf-8") as handle:
        return [
            RegionRow(
                code=row["adcode"][:6],
                name=row["name"].strip(),
                longitude=row["longitude"] or "",
                latitude=row["latitude"] or "",
            )
            for row in csv.DictReader(handle)
        ]


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Rows of an uploaded CSV (UTF-8 with or without BOM, or GBK as Chinese Excel writes it)."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [RowError(1, "", N_("The file is not a CSV in UTF-8 or GBK."))]
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip() for c in reader.fieldnames or []}
    missing = {"code", "name"} - columns
    if missing:
        return [], [
            RowError(
                1,
                ", ".join(sorted(missing)),
                N_("The first line must name the columns code, name (and optionally parent_code)."),
            )
        ]
    rows = [
        (number, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
        for number, row in enumerate(reader, start=2)
    ]
    bad = [number for number, cells in rows if any(CONTROL_CHARACTERS.search(f"{k}{v}") for k, v in cells.items())]
    if bad:
        return [], [RowError(number, "", N_("This row contains invisible control characters.")) for number in bad]
    if not rows:
        return [], [RowError(1, "", N_("The file has no rows."))]
    return rows, []


@transactional
def import_regions(rows: list[tuple[int, dict[str, str]]]) -> ImportResult:
    """Create or update regions from CSV rows (code, name, optional parent_code, longitude, latitude)."""
    result = ImportResult()
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    seen: dict[str, int] = {}
    clean: list[tuple[int, RegionRow, str | None]] = []
    for line, row in rows:
        try:
            code = normalize_code(row.get("code", ""))
        except InvalidValue as error:
            result.errors.append(RowError(line, "code", error.message))
            continue
        if code in seen:
            result.errors.append(
                RowError(
                    line, "code", N_("Code %(code)s is also on line %(line)s."), {"code": code, "line": str(seen[code])}
                )
            )
            continue
        seen[code] = line
        name = row.get("name", "")
        if not name or len(name) > 100:
            result.errors.append(RowError(line, "name", N_("Enter a name of at most 100 characters.")))
            continue
        parent = row.get("parent_code") or None
        clean.append((line, RegionRow(code, name, row.get("longitude", ""), row.get("latitude", "")), parent))
    known = set(existing) | set(seen)
    for line, _region_row, parent in clean:
        if parent is not None and parent not in known:
            result.errors.append(
                RowError(line, "parent_code", N_("There is no region with code %(code)s."), {"code": parent})
            )
    if result.errors:
        return result
    _apply([row for _, row, _ in clean], {row.code: p for _, row, p in clean}, existing, result)
    return result


@transactional
def create_region(code: str, name: str, parent: str | None = None) -> Region:
    """Add one region. Its parent must be one of its GB/T 2260 ancestors and exist; left out, it is
    the nearest existing ancestor, as an import does. A code already present is refused (409)."""
    try:
        code = normalize_code(code)
    except InvalidValue as error:
        raise InvalidValue(error.message, field="code", **error.params) from error
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidValue(N_("Enter a name of at most 100 characters."), field="name")
    if db.session.get(Region, code) is not None:
        raise Duplicate(N_("There is already a region with code %(code)s."), field="code", code=code)
    ancestors = ancestor_codes(code)
    known = set(db.session.scalars(select(Region.code).where(Region.code.in_(ancestors))))
    if parent is None:
        parent = parent_code(code, known)
    elif parent not in ancestors:
        raise InvalidValue(
            N_("%(parent)s is not the province or city of %(code)s."), field="parent_code", parent=parent, code=code
        )
    elif parent not in known:
        raise InvalidValue(N_("There is no region with code %(code)s."), field="parent_code", code=parent)
    region = Region(code=code, name=name, level=level_of(code), parent_code=parent)
    db.session.add(region)
    return region


@transactional
def seed_regions() -> ImportResult:
    """Fill or refresh the tree from cpca. Running it twice changes nothing the second time."""
    result = ImportResult()
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    _apply(cpca_rows(), {}, existing, result)
    return result


def _apply(
    rows: list[RegionRow], parents: dict[str, str | None], existing: dict[str, Region], result: ImportResult
) -> None:
    codes = set(existing) | {row.code for row in rows}
    # Parents first, so a foreign key never points at a row not yet written.
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.DISTRICT: 2}
    for row in sorted(rows, key=lambda r: (order[level_of(r.code)], r.code)):
        parent = parents.get(row.code) or parent_code(row.code, codes)
        values = {
            "name": row.name,
            "level": level_of(row.code),
            "parent_code": parent,
            "longitude": row.longitude,
            "latitude": row.latitude,
        }
        region = existing.get(row.code)
        if region is None:
            db.session.add(Region(code=row.code, **values))
            result.created += 1
        elif any(getattr(region, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(region, key, value)
            result.updated += 1
    db.session.flush()
