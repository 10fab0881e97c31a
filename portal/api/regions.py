"""/api/v1/regions: the GB/T 2260 region tree (docs/rules.md §4).

Regions are public reference data: every signed-in role may read them, distributor users too
(their monthly reports name the region of each sale). Only an administrator adds one.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select

from ..domain.permissions import may_manage_regions, may_read
from ..domain.regions import RegionLevel
from ..regions import services
from ..regions.models import Region
from ..security import allowed
from .blueprint import bp
from .core import (
    BodyModel,
    OutModel,
    QueryModel,
    RegionCode,
    api_doc,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

RegionName = text(100, min_length=1)
QueryText = text(100)


class RegionIn(BodyModel):
    code: RegionCode = Field(description="GB/T 2260 code, six digits (a 12-digit code is cut to six).")
    name: RegionName
    parent_code: RegionCode | None = Field(
        default=None, description="The province or city above it; left out, the nearest existing ancestor."
    )


class RegionOut(OutModel):
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


class RegionQuery(QueryModel):
    parent_code: QueryText | None = Field(default=None, description="Only the regions right under this one.")
    level: RegionLevel | None = None
    q: QueryText | None = Field(default=None, description="Name contains, or code starts with, this text.")


@bp.get("/regions")
@allowed(may_read)
@api_doc(query=RegionQuery, response=RegionOut, list_of=True)
def list_regions() -> Any:
    """List regions.

    Ordered by code. Any signed-in role may read them, distributor users too: they are reference data.
    """
    query = parse_query(RegionQuery)
    statement = select(Region).order_by(Region.code)
    if query.parent_code:
        statement = statement.where(Region.parent_code == query.parent_code)
    if query.level:
        statement = statement.where(Region.level == query.level)
    if query.q:
        statement = statement.where(Region.name.contains(query.q) | Region.code.startswith(query.q))
    return page_of(RegionOut, statement)


@bp.post("/regions")
@allowed(may_manage_regions)
@api_doc(body=RegionIn, response=RegionOut, status=201)
def create_region() -> Any:
    """Add a region.

    A code that exists already answers 409. The parent must be the province or city the code
    starts with; left out, it is the nearest one that exists.
    """
    data = parse_body(RegionIn)
    region = services.create_region(data.code, data.name, data.parent_code)
    return one(RegionOut, region, 201)
