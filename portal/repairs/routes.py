"""Every page module of the repairs area, imported once so their routes join the blueprint."""

from __future__ import annotations

from . import ledger, rating_views, views, workshop  # noqa: F401  (each adds its routes to bp)
from .blueprint import bp

__all__ = ["bp"]
