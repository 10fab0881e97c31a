"""Every page module of the compliance area, imported once so their routes join the blueprint."""

from __future__ import annotations

from .blueprint import bp

__all__ = ["bp"]
