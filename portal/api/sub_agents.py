"""/api/v1 resources: sub_agents (API.md)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
