"""Distributor use cases: create and edit (head office)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import func, select

from ..domain.distributors import DistributorStatus, Level, normalize_credit_code
from ..domain.errors import N_, Duplicate, InvalidValue
from ..extensions import db
from ..regions.models import Region
from ..transactions import transactional
from .models import Distributor


@dataclass(frozen=True)
class DistributorData:
    code: str
    name: str
    credit_code: str
    level: Level
    status: DistributorStatus = DistributorStatus.ACTIVE
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""
    region_code: str | None = None


def _check(data: DistributorData, current: Distributor | None) -> DistributorData:
    credit_code = normalize_credit_code(data.credit_code)
    other = -1 if current is None else current.id
    if db.session.scalar(
        select(func.count())
        .select_from(Distributor)
        .where(func.upper(Distributor.code) == data.code.strip().upper(), Distributor.id != other)
    ):
        raise Duplicate(N_("Another distributor has this code."), field="code")
    if db.session.scalar(
        select(func.count())
        .select_from(Distributor)
        .where(Distributor.credit_code == credit_code, Distributor.id != other)
    ):
        raise Duplicate(N_("Another distributor has this unified social credit code."), field="credit_code")
    if data.region_code and db.session.get(Region, data.region_code) is None:
        raise InvalidValue(N_("There is no region with this code."), field="region_code")
    return DistributorData(
        **{
            **{f.name: getattr(data, f.name) for f in fields(data)},
            "code": data.code.strip().upper(),
            "name": data.name.strip(),
            "credit_code": credit_code,
            "region_code": data.region_code or None,
        }
    )


@transactional
def create_distributor(data: DistributorData) -> Distributor:
    clean = _check(data, None)
    distributor = Distributor(**{f.name: getattr(clean, f.name) for f in fields(clean)})
    db.session.add(distributor)
    return distributor


@transactional
def update_distributor(distributor: Distributor, data: DistributorData) -> Distributor:
    clean = _check(data, distributor)
    for f in fields(clean):
        setattr(distributor, f.name, getattr(clean, f.name))
    return distributor
