"""The access guard's foreign agreements, territories and sub-agent requests. Agreements,
territories and sub-agent requests are made by tests/builders.py's builders."""

from __future__ import annotations

from portal.agreements.models import Agreement, SubAgentRequest, Territory
from portal.distributors.models import Distributor
from portal.extensions import db

from ..builders import (  # noqa: F401  (re-exported: the agreements tests import them from here)
    END,
    START,
    ZHEJIANG,
    active_agreement_of,
    foreign_record,
    make_agreement,
    make_product,
    make_regions,
    make_sub_agent_request,
    make_territory,
)


@foreign_record(Agreement)
def foreign_agreement(other: Distributor) -> Agreement:
    """``other``'s active agreement (one per distributor: a second would overlap the first)."""
    return active_agreement_of(other)


@foreign_record(Territory)
def foreign_territory(other: Distributor) -> Territory:
    agreement = foreign_agreement(other)
    existing = db.session.scalar(db.select(Territory).where(Territory.agreement_id == agreement.id))
    return existing or make_territory(agreement, "330100")


@foreign_record(SubAgentRequest)
def foreign_sub_agent_request(other: Distributor) -> SubAgentRequest:
    return make_sub_agent_request(other)
