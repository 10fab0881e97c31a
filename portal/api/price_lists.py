"""/api/v1 resources: price_lists (API.md)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
