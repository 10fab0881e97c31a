"""/api/v1/violations: the violations found in the monthly reports (docs/rules.md §8; contract §1.3,
§3.2, §5.1), with their evidence. A distributor user lists its own only (§4.4); head office filters
by ``kind``, ``distributor_id``, ``dismissed`` and the dates."""

from __future__ import annotations

from datetime import date as Day
from typing import Any

from pydantic import AliasPath, Field

from ..domain.permissions import may_read
from ..domain.reports import ViolationKind
from ..reports.models import Violation
from ..reports.queries import ViolationFilters, violations_matching
from ..security import allowed
from .blueprint import bp
from .core import Id, Money, OutModel, QueryModel, api_doc, page_of, parse_query


class ViolationOut(OutModel):
    id: int
    distributor_id: int
    agreement_id: int
    report_id: int
    kind: ViolationKind
    date: Day = Field(
        validation_alias="occurred_on", description="The sale's date; the month's last day for an outlet."
    )
    found_on: Day
    detail: str
    customer: str
    region_code: str
    sku: str | None = Field(default=None, validation_alias=AliasPath("product", "sku"))
    quantity: int | None
    unit_price: Money | None
    min_resale_price: Money | None
    outlet_name: str
    dismissed_on: Day | None
    dismiss_reason: str


class ViolationQuery(QueryModel):
    kind: ViolationKind | None = None
    distributor_id: Id | None = None
    dismissed: bool | None = None
    since: Day | None = Field(default=None, description="Violations dated on or after this day.")
    until: Day | None = Field(default=None, description="Violations dated on or before this day.")


@bp.get("/violations")
@allowed(may_read)
@api_doc(query=ViolationQuery, response=ViolationOut, list_of=True)
def list_violations() -> Any:
    """List violations found in monthly reports.

    The latest first, with their evidence. A distributor user sees its own only.
    """
    query = parse_query(ViolationQuery)
    statement = violations_matching(
        ViolationFilters(kind=query.kind, distributor_id=query.distributor_id, dismissed=query.dismissed)
    )
    if query.since is not None:
        statement = statement.where(Violation.occurred_on >= query.since)
    if query.until is not None:
        statement = statement.where(Violation.occurred_on <= query.until)
    return page_of(ViolationOut, statement)
