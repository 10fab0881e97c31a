"""Repair fees for finance: booking and voiding payments against a batch, the repair-fee ledger with
ageing and withheld batches, and its Excel export (docs/rules.md §7.2)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
