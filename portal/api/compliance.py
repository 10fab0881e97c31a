"""/api/v1/compliance (docs/rules.md §10; docs/api.md): one distributor's figures of one quarter,
both ways, read from the kept-current quarter figures: the distributor's side (attainment, deposits,
repair fees, reports and batches on time, violations by kind, the score) and head office's towards
it (deliveries on time, price notices before they took effect, service timeliness and customer
satisfaction against their targets 0.90 and 0.85).

A distributor reads its own figures only: ``distributor_id`` defaults to its own, and another's
answers 404, as for a distributor that does not exist. Head office reads any distributor's, or,
naming none, every distributor's figures added up.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from flask import abort, jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from ..clock import today
from ..compliance.queries import QuarterRange, distributor_quarters
from ..distributors.models import Distributor
from ..domain.compliance import Figures, quarter_label
from ..domain.permissions import may_read, may_read_every_distributor
from ..domain.repairs import ServiceFigure
from ..extensions import db
from ..security import allowed, current_user_may, scoped
from .blueprint import bp
from .core import Id, Money, QueryModel, api_doc, parse_query

QUARTER_PATTERN = "^20[0-9]{2}-Q[1-4]$"
Share = Annotated[
    Decimal,
    Field(description="A share from 0 to 1, four decimals (0.8571 is 85.71%)."),
]


class ComplianceQuery(QueryModel):
    distributor_id: Id | None = Field(
        default=None,
        description="A distributor: its own (the default). Head office: any; left out, every distributor added up.",
    )
    quarter: Annotated[str, Field(pattern=QUARTER_PATTERN, description="YYYY-Qn; default the current quarter.")] | (
        None
    ) = None


class Rate(BaseModel):
    due: int = Field(description="How many were due (counted once decided: met, or missed by its date).")
    on_time: int
    rate: Decimal | None = Field(description="on_time / due, four decimals; null when nothing was due.")


class ServiceTarget(BaseModel):
    count: int = Field(description="How many met it.")
    total: int
    rate: Decimal | None = Field(description="count / total, four decimals; null with nothing to count.")
    target: Decimal
    met: bool | None = Field(description="Whether the rate reaches the target; null with nothing to count.")


class Violations(BaseModel):
    cross_territory: int
    below_price: int
    unapproved_sub_agent: int
    total: int


class ComplianceOut(BaseModel):
    distributor_id: int | None = Field(description="Null: every distributor's figures added up (head office).")
    quarter: str
    quota: Money
    ordered_amount: Money
    attainment: Decimal | None = Field(description="ordered / quota (1.25 is 125%); null for a zero quota.")
    deposits: Rate
    repair_fees: Rate
    reports: Rate
    batches_in_window: Rate
    violations: Violations
    score: Decimal = Field(description="The compliance score, 0-100, two decimals (docs/rules.md §10).")
    deliveries: Rate = Field(description="Head office: orders shipped by their delivery due date.")
    price_notices: Rate = Field(description="Head office: price-list notices issued before the list took effect.")
    service_timeliness: ServiceTarget = Field(description="Batches repaired within the turnaround; target 0.90.")
    customer_satisfaction: ServiceTarget = Field(description="Rating answers satisfied or better; target 0.85.")


def _rate(on_time: int, due: int) -> dict[str, Any]:
    return {"due": due, "on_time": on_time, "rate": Figures.rate(on_time, due)}


def _target(figure: ServiceFigure | None, target: Decimal) -> dict[str, Any]:
    if figure is None:
        return {"count": 0, "total": 0, "rate": None, "target": target, "met": None}
    return {"count": figure.count, "total": figure.total, "rate": figure.rate, "target": target, "met": figure.met}


def compliance_answer(distributor_id: int | None, quarter: str, f: Figures) -> dict[str, Any]:
    from ..domain.repairs import SATISFACTION_TARGET, TIMELINESS_TARGET

    attained = f.attainment
    return {
        "distributor_id": distributor_id,
        "quarter": quarter,
        "quota": f.quota,
        "ordered_amount": f.ordered_amount,
        "attainment": None if attained is None else attained.quantize(Decimal("0.0001")),
        "deposits": _rate(f.deposits_on_time, f.deposits_due),
        "repair_fees": _rate(f.fees_on_time, f.fees_due),
        "reports": _rate(f.reports_on_time, f.reports_due),
        "batches_in_window": _rate(f.batches_in_window, f.batches_shipped),
        "violations": {
            "cross_territory": f.violations_cross_territory,
            "below_price": f.violations_below_price,
            "unapproved_sub_agent": f.violations_unapproved_sub_agent,
            "total": f.violations,
        },
        "score": f.score,
        "deliveries": _rate(f.orders_on_time, f.orders_due),
        "price_notices": _rate(f.price_notices_before, f.price_notices),
        "service_timeliness": _target(f.service_timeliness, TIMELINESS_TARGET),
        "customer_satisfaction": _target(f.customer_satisfaction, SATISFACTION_TARGET),
    }


@bp.get("/compliance")
@allowed(may_read)
@api_doc(query=ComplianceQuery, response=ComplianceOut, not_found=True)
def get_compliance() -> Any:
    """Show the compliance figures of one distributor for one quarter.

    Both ways (docs/rules.md §10), as kept current from the orders, payments, batches, ratings,
    notices and reports. A distributor reads its own only (another's distributor_id: 404); head
    office reads any, or, without distributor_id, every distributor's figures added up.
    """
    query = parse_query(ComplianceQuery)
    distributor_id = query.distributor_id or current_user.distributor_id
    every = current_user_may(may_read_every_distributor)
    if distributor_id is None and not every:
        abort(404)  # a distributor user linked to no distributor has no figures
    if distributor_id is not None:
        scope = scoped(db.select(Distributor.id).where(Distributor.id == distributor_id), Distributor)
        if db.session.scalar(scope) is None:
            abort(404)  # another distributor's, or none: the same answer
    on: date = today()
    quarter = query.quarter or quarter_label(on)
    rows = distributor_quarters(distributor_id, QuarterRange(quarter, quarter))
    figures = rows[0][1] if rows else Figures()
    answer = ComplianceOut.model_validate(compliance_answer(distributor_id, quarter, figures))
    return jsonify(answer.model_dump(mode="json"))
