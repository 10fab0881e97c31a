"""Quarterly assessments (docs/rules.md §9): computed for every agreement after a quarter ends,
reviewed by head-office sales with one outcome, then frozen with the figures they were based on."""
