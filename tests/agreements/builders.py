"""Territories and sub-agent requests for tests, made through the portal's services (so they obey
the same rules), and the foreign records of the access guard. Agreements are made by
tests/builders.py's ``make_agreement``."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.agreements import services
from portal.agreements.models import Agreement, SubAgentRequest, Territory
from portal.distributors.models import Distributor
from portal.extensions import db
from portal.regions.models import Region

from ..builders import (  # noqa: F401  (re-exported: the agreements tests import them from here)
    END,
    START,
    active_agreement_of,
    foreign_record,
    make_agreement,
    make_product,
    make_region,
)

# A province, two of its cities, a district of one, and another province (GB/T 2260).
ZHEJIANG_TREE = [
    ("330000", "浙江省", None),
    ("330100", "杭州市", "330000"),
    ("330106", "西湖区", "330100"),
    ("330200", "宁波市", "330000"),
    ("320000", "江苏省", None),
    ("320500", "苏州市", "320000"),
]


def make_regions(rows: list[tuple[str, str, str | None]] = ZHEJIANG_TREE) -> list[Region]:
    """The regions of ``rows`` that do not exist yet (idempotent)."""
    made = []
    for code, name, parent in rows:
        region = db.session.get(Region, code) or make_region(code, name, parent)
        made.append(region)
    return made


def make_territory(
    agreement: Agreement, region_code: str = "330000", granted_on: date | None = None, on: date | None = None
) -> Territory:
    make_regions()
    if db.session.get(Region, region_code) is None:
        make_region(region_code, f"区域{region_code}")
    granted_on = granted_on or agreement.starts_on
    return services.grant_territory(agreement, region_code, granted_on, on or granted_on)


def make_sub_agent_request(
    distributor: Distributor, *, name: str = "西湖区电讯器材门市部", region_code: str = "330106", **fields: Any
) -> SubAgentRequest:
    make_regions()
    return services.request_sub_agent(
        distributor.id,
        services.SubAgentData(
            name=name,
            region_code=region_code,
            contact_name=fields.pop("contact_name", "张伟"),
            contact_phone=fields.pop("contact_phone", "0571-8765 4321"),
            **fields,
        ),
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
