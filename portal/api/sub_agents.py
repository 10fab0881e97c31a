"""/api/v1/sub-agent-requests: a distributor asks head office to approve a sub-agent or outlet;
head-office sales approves or rejects with a reason (docs/rules.md §4; contract §1.3).

A distributor user lists, reads and files its own requests only; head office sees every request
and filters the queue by ``status``.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field
from sqlalchemy import select

from ..agreements import services
from ..agreements.models import SubAgentRequest
from ..domain.permissions import may_decide_sub_agents, may_read, may_request_sub_agents
from ..domain.subagents import SubAgentStatus
from ..security import allowed, loads, scoped
from .blueprint import bp
from .core import (
    BodyModel,
    Id,
    OutModel,
    QueryModel,
    RegionCode,
    Timestamp,
    api_doc,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

Phone = text(40, pattern=r"[0-9+\-() ]+", message=_l("Use digits, spaces and + - ( ) only."))


class SubAgentRequestIn(BodyModel):
    name: text(200, min_length=1) = Field(description="The sub-agent's or outlet's name.")
    region_code: RegionCode = Field(description="Where it sells (GB/T 2260).")
    contact_name: text(100) = ""
    contact_phone: Phone = ""
    note: text(500) = ""


class DecisionIn(BodyModel):
    decision: Literal["approve", "reject"]
    reason: text(500) = Field(default="", description="Required for a rejection: the distributor reads it.")


class SubAgentRequestOut(OutModel):
    id: int
    distributor_id: int
    name: str
    region_code: str
    contact_name: str
    contact_phone: str
    note: str
    status: SubAgentStatus
    reason: str
    requested_at: Timestamp
    decided_at: Timestamp | None


class SubAgentRequestQuery(QueryModel):
    status: SubAgentStatus | None = None
    distributor_id: Id | None = None


@bp.get("/sub-agent-requests")
@allowed(may_read)
@api_doc(query=SubAgentRequestQuery, response=SubAgentRequestOut, list_of=True)
def list_sub_agent_requests() -> Any:
    """List sub-agent requests.

    Newest first. A distributor user sees only its own; head office filters the queue by status.
    """
    query = parse_query(SubAgentRequestQuery)
    statement = scoped(select(SubAgentRequest), SubAgentRequest).order_by(
        SubAgentRequest.requested_at.desc(), SubAgentRequest.id.desc()
    )
    if query.status:
        statement = statement.where(SubAgentRequest.status == query.status)
    if query.distributor_id:
        statement = statement.where(SubAgentRequest.distributor_id == query.distributor_id)
    return page_of(SubAgentRequestOut, statement)


@bp.post("/sub-agent-requests")
@allowed(may_request_sub_agents)
@api_doc(body=SubAgentRequestIn, response=SubAgentRequestOut, status=201)
def create_sub_agent_request() -> Any:
    """Ask head office to approve a sub-agent or outlet.

    Filed for the caller's own distributor. An unknown region answers 422 on ``region_code``.
    """
    if current_user.distributor_id is None:
        abort(403)
    data = parse_body(SubAgentRequestIn)
    request = services.request_sub_agent(
        current_user.distributor_id, services.SubAgentData(**data.model_dump()), current_user.id
    )
    return one(SubAgentRequestOut, request, 201, Location=url_for("api.get_sub_agent_request", request_id=request.id))


@bp.get("/sub-agent-requests/<int:request_id>")
@allowed(may_read)
@loads(SubAgentRequest, "request_id", as_="sub_agent")
@api_doc(response=SubAgentRequestOut)
def get_sub_agent_request(sub_agent: SubAgentRequest) -> Any:
    """Show one sub-agent request and its decision.

    Another distributor's request answers 404, like a missing one.
    """
    return one(SubAgentRequestOut, sub_agent)


@bp.post("/sub-agent-requests/<int:request_id>/decide")
@allowed(may_decide_sub_agents)
@loads(SubAgentRequest, "request_id", as_="sub_agent")
@api_doc(body=DecisionIn, response=SubAgentRequestOut)
def decide_sub_agent_request(sub_agent: SubAgentRequest) -> Any:
    """Approve or reject a sub-agent request.

    A rejection without a reason answers 422 on ``reason``; a request already decided, 409.
    """
    data = parse_body(DecisionIn)
    services.decide_sub_agent(sub_agent, data.decision == "approve", data.reason, current_user.id)
    return one(SubAgentRequestOut, sub_agent)
