"""The distributor list's one query, shared by the pages and the API, and the one query behind
every distributor drop-down."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from ..domain.distributors import DistributorStatus, Level
from ..extensions import db
from ..security import scoped
from .models import Distributor


def distributors_matching(
    *,
    level: Level | None = None,
    status: DistributorStatus | None = None,
    region_code: str | None = None,
    q: str | None = None,
    user: Any = None,
) -> Select[Any]:
    """Distributors in the caller's scope that match every filter given, ordered by code."""
    statement = scoped(select(Distributor), Distributor, user).order_by(Distributor.code)
    if level:
        statement = statement.where(Distributor.level == level)
    if status:
        statement = statement.where(Distributor.status == status)
    if region_code:
        statement = statement.where(Distributor.region_code == region_code)
    if q:
        pattern = f"%{q}%"
        statement = statement.where(Distributor.name.ilike(pattern) | Distributor.code.ilike(pattern))
    return statement


def distributor_choices() -> list[Any]:
    """Head office's distributor drop-downs and filters: id, code and name of every distributor,
    ordered by code (one query)."""
    return list(
        db.session.execute(select(Distributor.id, Distributor.code, Distributor.name).order_by(Distributor.code))
    )
