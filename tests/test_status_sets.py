"""Every set of statuses a page or a query needs is named once, in the domain module of its enum
(``portal.domain.orders.SHIPPABLE``, ``portal.domain.agreements.TAKES_TERRITORIES`` …), and used
everywhere: a new status then changes one line. This test fails on a set, tuple or list of status
members written out anywhere else, in Python or in a template."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENUMS = (
    "OrderStatus|AgreementStatus|PriceListStatus|SubAgentStatus|DistributorStatus|NoticeType|DeliveryState"
    "|BatchStatus|FaultCause|RepairOutcome|CoverageClass|FeeAgeing"
)
# "(X.A, …", "[X.A, …", "{X.A, …": a collection of two or more members written out (not a call).
SPELLED_OUT = re.compile(rf"(?<![\w)\]])[(\[{{]\s*(?:{ENUMS})\.\w+\s*,")
# A template comparing a status with strings: "status.value in ('draft', 'active')".
TEMPLATE_SET = re.compile(r"status(?:_on\([^)]*\))?\.value\s+(?:not\s+)?in\s*[(\[]")


def test_no_status_set_is_spelled_out_outside_the_domain():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "portal").rglob("*.py"))
        if "domain" not in path.relative_to(ROOT / "portal").parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SPELLED_OUT.search(line)
    ]
    assert found == [], "name the set in portal/domain and use the name"


def test_no_template_spells_a_set_of_statuses():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TEMPLATE_SET.search(line)
    ]
    assert found == [], "use the domain's named sets (order_rules.SHIPPABLE …)"
