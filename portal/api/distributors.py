"""/api/v1/distributors: head office manages them; a distributor user sees its own company only.

Writes go through :mod:`portal.distributors.services`, so the API refuses what the pages refuse
(a bad or duplicate credit code, an unknown region) with the same messages.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Annotated, Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from ..distributors import services
from ..distributors.models import Distributor
from ..distributors.queries import distributors_matching
from ..domain.distributors import DistributorStatus, Level, normalize_credit_code
from ..domain.permissions import may_manage_distributors, may_read
from ..domain.regions import CODE_PATTERN
from ..security import allowed, loads
from .blueprint import bp
from .core import (
    UNSENT,
    BodyModel,
    Email,
    OutModel,
    PatchModel,
    QueryModel,
    Timestamp,
    api_doc,
    domain_checked,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

Code = text(20, min_length=1, pattern=r"[A-Za-z0-9-]+", message=_l("Use letters, digits and hyphens only."))
Name = text(200, min_length=1)
# 18 letters and digits (GB 32100-2015); the check character is the domain's to verify.
CreditCode = Annotated[
    text(18, min_length=1, pattern="[0-9A-Za-z]{18}", message=_l("A unified social credit code has 18 characters.")),
    domain_checked(normalize_credit_code),
]
ContactName = text(100)
Phone = text(40, pattern=r"[0-9+\-() ]+", message=_l("Use digits, spaces and + - ( ) only."))
Address = text(300)
RegionCode = text(6, pattern=CODE_PATTERN, message=_l("A region code has six digits (GB/T 2260), such as 330100."))
QueryText = text(100)


class DistributorIn(BodyModel):
    code: Code
    name: Name
    credit_code: CreditCode = Field(description="Unified social credit code (统一社会信用代码), 18 chars.")
    level: Level
    status: DistributorStatus = DistributorStatus.ACTIVE
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    contact_email: Email = ""
    address: Address = ""
    region_code: RegionCode | None = None


class DistributorPatch(PatchModel):
    """Only the fields sent change. ``null`` is refused except for ``region_code`` (clears it)."""

    code: Code = UNSENT
    name: Name = UNSENT
    credit_code: CreditCode = UNSENT
    level: Level = UNSENT
    status: DistributorStatus = UNSENT
    contact_name: ContactName = UNSENT
    contact_phone: Phone = UNSENT
    contact_email: Email = UNSENT
    address: Address = UNSENT
    region_code: RegionCode | None = None


class DistributorOut(OutModel):
    id: int
    code: str
    name: str
    credit_code: str
    level: Level
    status: DistributorStatus
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    region_code: str | None
    created_at: Timestamp


class DistributorQuery(QueryModel):
    level: Level | None = None
    status: DistributorStatus | None = None
    region_code: QueryText | None = None
    q: QueryText | None = Field(default=None, description="Name or code contains this text.")


@bp.get("/distributors")
@allowed(may_read)
@api_doc(query=DistributorQuery, response=DistributorOut, list_of=True)
def list_distributors() -> Any:
    """List distributors.

    Ordered by code. A distributor user sees only its own company.
    """
    query = parse_query(DistributorQuery)
    statement = distributors_matching(level=query.level, status=query.status, region_code=query.region_code, q=query.q)
    return page_of(DistributorOut, statement)


@bp.post("/distributors")
@allowed(may_manage_distributors)
@api_doc(body=DistributorIn, response=DistributorOut, status=201)
def create_distributor() -> Any:
    """Add a distributor.

    The code and the unified social credit code must be new (409 `duplicate`, naming the field).
    """
    data = parse_body(DistributorIn)
    distributor = services.create_distributor(services.DistributorData(**data.model_dump()))
    return one(DistributorOut, distributor, 201, Location=url_for("api.get_distributor", distributor_id=distributor.id))


@bp.get("/distributors/<int:distributor_id>")
@allowed(may_read)
@loads(Distributor, "distributor_id")
@api_doc(response=DistributorOut)
def get_distributor(distributor: Distributor) -> Any:
    """Show one distributor.

    Another distributor's record answers 404, like a missing one.
    """
    return one(DistributorOut, distributor)


@bp.patch("/distributors/<int:distributor_id>")
@allowed(may_manage_distributors)
@loads(Distributor, "distributor_id")
@api_doc(body=DistributorPatch, response=DistributorOut)
def update_distributor(distributor: Distributor) -> Any:
    """Change a distributor.

    Only the fields sent change; the others keep their values.
    """
    changes = parse_body(DistributorPatch).model_dump(exclude_unset=True)
    current = services.DistributorData(
        **{f.name: getattr(distributor, f.name) for f in fields(services.DistributorData)}
    )
    services.update_distributor(distributor, replace(current, **changes))
    return one(DistributorOut, distributor)
