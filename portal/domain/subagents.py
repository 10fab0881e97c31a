"""Sub-agents and outlets need head office's approval (docs/rules.md §4; contract §1.3)."""

from __future__ import annotations

from enum import StrEnum

from .errors import N_, DomainError, InvalidValue


class SubAgentStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            SubAgentStatus.REQUESTED: N_("Awaiting decision"),
            SubAgentStatus.APPROVED: N_("Approved"),
            SubAgentStatus.REJECTED: N_("Rejected"),
        }[self]


def check_decision(status: SubAgentStatus, approve: bool, reason: str) -> SubAgentStatus:
    if status is not SubAgentStatus.REQUESTED:
        raise DomainError(N_("This request has already been decided."))
    if not approve and not reason.strip():
        raise InvalidValue(N_("Give the distributor a reason for the rejection."), field="reason")
    return SubAgentStatus.APPROVED if approve else SubAgentStatus.REJECTED
