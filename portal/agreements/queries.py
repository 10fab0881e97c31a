"""The agreements list's query, shared by its page and the plan tests (tests/test_query_plans.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..domain.agreements import AgreementStatus
from ..domain.distributors import Level
from ..security import scoped
from .models import Agreement


def agreements_matching(
    *,
    on: date,
    status: AgreementStatus | None = None,
    distributor_id: int | None = None,
    level: Level | None = None,
    q: str = "",
    user: Any = None,
) -> Select[Any]:
    """Agreements in the caller's scope matching every filter given, the latest start first, each
    with its distributor in the same statement: only the page's distributors are read, never every
    distributor. The order has an index, alone and after the distributor filter."""
    statement = (
        scoped(select(Agreement), Agreement, user)
        .options(joinedload(Agreement.distributor))
        .order_by(Agreement.starts_on.desc(), Agreement.number)
    )
    if status is not None:
        statement = statement.where(Agreement.status_is(status, on))
    if distributor_id is not None:
        statement = statement.where(Agreement.distributor_id == distributor_id)
    if level is not None:
        statement = statement.where(Agreement.level == level)
    if q:
        statement = statement.where(Agreement.number.ilike(f"%{q}%"))
    return statement
