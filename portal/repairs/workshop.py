"""Head office's repair pages: the work queue and the steps after receipt — receive, inspect each
line, return freight, repaired, notify, ship back (docs/rules.md §7.2)."""

from __future__ import annotations

from .blueprint import bp  # noqa: F401
