"""Every page module of the reports area, imported once so their routes join the blueprint."""

from __future__ import annotations

from . import views  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
