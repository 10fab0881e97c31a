"""Builders for test data with keyword defaults. They call the same services as the portal,
so test data obeys the same rules (docs/architecture.md)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from stdnum.cn import uscc

from portal.accounts.models import ApiToken, User
from portal.accounts.services import UserData, create_token, create_user
from portal.config import TestConfig
from portal.distributors.models import Distributor
from portal.distributors.services import DistributorData, create_distributor
from portal.domain.distributors import Level
from portal.domain.roles import Role
from portal.extensions import db
from portal.regions.models import Region

PASSWORD = "correct-horse-battery"


def app_config(**settings: Any) -> type:
    """TestConfig with these settings, to hand to create_app (Flask-SQLAlchemy reads the database
    URL while the app is created, so changing the config afterwards would be too late)."""
    return type("RunConfig", (TestConfig,), settings)


_serial = itertools.count(1)


def credit_code(n: int) -> str:
    body = f"913301007{n:08d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_distributor(
    *, code: str | None = None, name: str | None = None, level: Level = Level.SECOND, **fields: Any
) -> Distributor:
    n = next(_serial)
    return create_distributor(
        DistributorData(
            code=code or f"D{n:04d}",
            name=name or f"测试经销商{n}有限公司",
            credit_code=fields.pop("credit_code", credit_code(n)),
            level=level,
            **fields,
        )
    )


def make_user(
    *,
    role: Role = Role.SALES,
    username: str | None = None,
    distributor: Distributor | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    n = next(_serial)
    if role is Role.DISTRIBUTOR and distributor is None:
        distributor = make_distributor()
    return create_user(
        UserData(
            username=username or f"{role.value}{n}",
            role=role,
            distributor_id=distributor.id if distributor else None,
            **fields,
        ),
        password,
    )


def make_region(code: str = "330000", name: str = "浙江省", parent_code: str | None = None) -> Region:
    from portal.domain.regions import level_of

    region = Region(code=code, name=name, level=level_of(code), parent_code=parent_code)
    db.session.add(region)
    db.session.commit()
    return region


def make_token(user: User, name: str = "test") -> str:
    return create_token(user, name)


# For the access guard: a record of each scoped model that belongs to ``other`` (another
# distributor). A model loaded by @loads on a route a distributor may use must have a builder, or
# tests/test_access.py fails and says so. Areas register theirs in tests/<area>/builders.py with
# @foreign_record(Model); test_access imports every such module.
FOREIGN_RECORDS: dict[type, Callable[[Distributor], Any]] = {}


def foreign_record(model: type) -> Callable[[Callable[[Distributor], Any]], Callable[[Distributor], Any]]:
    def register(builder: Callable[[Distributor], Any]) -> Callable[[Distributor], Any]:
        FOREIGN_RECORDS[model] = builder
        return builder

    return register


@foreign_record(Distributor)
def foreign_distributor(other: Distributor) -> Distributor:
    return other


@foreign_record(ApiToken)
def foreign_api_token(other: Distributor) -> ApiToken:
    owner = make_user(role=Role.DISTRIBUTOR, distributor=other)
    create_token(owner, "theirs")
    return db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == owner.id))
