"""/api/v1/users: user accounts and their roles (docs/rules.md §12); administrators only.

The password is write-only: it is accepted on creation and never returned.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select

from ..accounts import services
from ..accounts.models import User
from ..domain.accounts import MIN_PASSWORD_LENGTH
from ..domain.permissions import may_manage_users
from ..domain.roles import Role
from ..security import allowed
from .blueprint import bp
from .core import (
    BodyModel,
    Email,
    Id,
    OutModel,
    QueryModel,
    Timestamp,
    api_doc,
    errors_on,
    one,
    page_of,
    parse_body,
    parse_query,
    text,
)

Username = text(64, min_length=1)
FullName = text(100)
QueryText = text(100)


class UserIn(BodyModel):
    username: Username
    role: Role
    distributor_id: Id | None = Field(default=None, description="Required for role distributor, else absent.")
    password: str = Field(
        max_length=200,
        json_schema_extra={"writeOnly": True, "minLength": MIN_PASSWORD_LENGTH},
        description="At least 10 characters, not the user name. Never returned.",
    )
    full_name: FullName = ""
    email: Email = ""
    active: bool = True


class UserOut(OutModel):
    id: int
    username: str
    full_name: str
    email: str
    role: Role
    distributor_id: int | None
    active: bool
    created_at: Timestamp
    last_login_at: Timestamp | None


class UserQuery(QueryModel):
    role: Role | None = None
    distributor_id: Id | None = None
    active: bool | None = None
    q: QueryText | None = Field(default=None, description="User name or full name contains this text.")


@bp.get("/users")
@allowed(may_manage_users)
@api_doc(query=UserQuery, response=UserOut, list_of=True)
def list_users() -> Any:
    """List users.

    Ordered by user name.
    """
    query = parse_query(UserQuery)
    statement = select(User).order_by(User.username)
    if query.role:
        statement = statement.where(User.role == query.role)
    if query.distributor_id is not None:
        statement = statement.where(User.distributor_id == query.distributor_id)
    if query.active is not None:
        statement = statement.where(User.active.is_(query.active))
    if query.q:
        pattern = f"%{query.q}%"
        statement = statement.where(User.username.ilike(pattern) | User.full_name.ilike(pattern))
    return page_of(UserOut, statement)


@bp.post("/users")
@allowed(may_manage_users)
@api_doc(body=UserIn, response=UserOut, status=201)
def create_user() -> Any:
    """Add a user.

    A distributor user must name its distributor; head-office users name none. The password is
    write-only: it is never returned.
    """
    data = parse_body(UserIn)
    account = services.UserData(**data.model_dump(exclude={"password"}))
    with errors_on("password"):  # the password rules name no field of their own
        user = services.create_user(account, data.password)
    return one(UserOut, user, 201)
