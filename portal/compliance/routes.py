"""Every page module of the compliance area, imported once so their routes join the blueprint."""

from __future__ import annotations

from . import views  # noqa: F401  (adds its routes to bp)
from .blueprint import bp

__all__ = ["bp"]
