"""Sub-agents need head office's approval (docs/rules.md §4; contract §1.3)."""

from __future__ import annotations

import pytest

from portal.domain.errors import DomainError, InvalidValue
from portal.domain.subagents import SubAgentStatus, check_decision

REQUESTED, APPROVED, REJECTED = SubAgentStatus.REQUESTED, SubAgentStatus.APPROVED, SubAgentStatus.REJECTED


@pytest.mark.parametrize(
    ("approve", "reason", "expected"),
    [
        (True, "", APPROVED),
        (True, "区域内已有两家网点，同意增加", APPROVED),
        (False, "与现有网点重叠", REJECTED),
    ],
)
def test_a_request_awaiting_a_decision_is_approved_or_rejected(approve, reason, expected):
    assert check_decision(REQUESTED, approve, reason) is expected


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_rejection_needs_a_reason_for_the_distributor(reason):
    with pytest.raises(InvalidValue) as refused:
        check_decision(REQUESTED, False, reason)
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("status", "approve"), [(APPROVED, True), (APPROVED, False), (REJECTED, True), (REJECTED, False)]
)
def test_a_decided_request_is_not_decided_again(status, approve):
    with pytest.raises(DomainError, match="already been decided"):
        check_decision(status, approve, "reason")
