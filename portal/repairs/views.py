"""Repair batch pages for distributors: the month's batch, adding boards, shipping, the packing list;
and the batch page everyone with access reads (docs/rules.md §7.2)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
