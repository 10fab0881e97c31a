"""/api/v1 resources: boards (API.md)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
