"""Who may use which route, declared on the view and enforced in one place.

Every view carries an :class:`AccessRule`, set by an intent-named decorator:

    @public                                   anyone, signed in or not
    @allowed(may_confirm_orders)              signed-in users whose role has this permission
    @loads(Distributor, "distributor_id")     fetch the record named in the URL, scoped

The permissions, and the roles that have them, are named once in portal.domain.permissions; the
rule keeps the permission itself and reads its roles at each request. Code asks
``current_user.may(permission)`` and templates ``may(permissions.may_confirm_orders)``.

:func:`enforce_access` runs before every request. A view without a rule is refused (deny by
default) and ``tests/test_access.py`` fails for it. ``@loads`` is the one distributor-scope
mechanism: for a distributor user the record is fetched with the model's
``distributor_scope(distributor_id)`` clause, so another distributor's record answers 404 exactly
like a missing one; the view receives the loaded record instead of the id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from .db import MAX_ID
from .domain.permissions import Permission, may
from .domain.roles import Role
from .extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["AccessRule", "Loader", "allowed", "current_user_may", "loads", "public", "rule_of", "scoped"]


@dataclass(frozen=True)
class Loader:
    model: Any
    arg: str
    by: str = "id"
    as_: str = ""

    @property
    def target(self) -> str:
        return self.as_ or self.model.__name__.lower()


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    permission: Permission | None = None
    loaders: tuple[Loader, ...] = field(default=())

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may use the route, read off its permission now (none without one)."""
        return self.permission.roles if self.permission is not None else frozenset()

    def allows(self, role: Role) -> bool:
        return self.permission is not None and may(role, self.permission)


def rule_of(view: Callable[..., Any]) -> AccessRule | None:
    return getattr(view, "access_rule", None)


def _set_rule(view: F, rule: AccessRule) -> F:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Anyone may use this view, signed in or not (login page, health check, static files)."""
    return _set_rule(view, replace(rule_of(view) or AccessRule(), public=True))


def allowed(permission: Permission) -> Callable[[F], F]:
    """Signed-in users whose role has ``permission`` may use this view; others get 403."""

    def decorate(view: F) -> F:
        return _set_rule(view, replace(rule_of(view) or AccessRule(), permission=permission))

    return decorate


def current_user_may(permission: Permission) -> bool:
    """Whether the signed-in user has ``permission`` (False when signed out): templates' ``may``."""
    return bool(current_user.is_authenticated and current_user.may(permission))


def loads(model: Any, arg: str, *, by: str = "id", as_: str = "") -> Callable[[F], F]:
    """Fetch ``model`` whose ``by`` column equals the URL's ``arg`` and pass it to the view.

    Distributor users only find records inside their own distributor's scope; everyone else
    (and anything missing) gets 404.
    """

    def decorate(view: F) -> F:
        rule = rule_of(view) or AccessRule()
        return _set_rule(view, replace(rule, loaders=(Loader(model, arg, by, as_), *rule.loaders)))

    return decorate


def scope_clause(model: Any, user: Any) -> Any:
    """The WHERE clause that keeps a user inside its own distributor, or None for head office.

    A model whose records belong to one user (API tokens) defines ``access_scope(user)`` instead.
    """
    own = getattr(model, "access_scope", None)
    if own is not None:
        return own(user)
    if user.is_head_office:
        return None
    scope = getattr(model, "distributor_scope", None)
    if scope is None:
        raise TypeError(f"{model.__name__} has no distributor_scope; distributor users cannot load it")
    return scope(user.distributor_id)


def sees_every(model: Any, user: Any = None) -> bool:
    """Whether the caller's scope of ``model`` is every record (head office): the summaries kept for
    the whole network (repairs.ledger_queries.grand_totals) answer only then."""
    return scope_clause(model, user or current_user) is None


def scoped(statement: Any, model: Any, user: Any = None) -> Any:
    """Apply the caller's distributor scope to a SELECT on ``model`` (lists use this)."""
    clause = scope_clause(model, user or current_user)
    return statement if clause is None else statement.where(clause)


def enforce_access() -> Any:
    if request.endpoint is None:  # no route matched: Flask answers 404/405 itself
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = rule_of(view) if view else None
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not rule.allows(current_user.role):
        abort(403)
    args = request.view_args if request.view_args is not None else {}
    for loader in rule.loaders:
        value = args.get(loader.arg)
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            abort(404)  # cannot exist, and the query would fail on PostgreSQL's integer column
        column = getattr(loader.model, loader.by)
        statement = select(loader.model).where(column == value)
        clause = scope_clause(loader.model, current_user)
        if clause is not None:
            statement = statement.where(clause)
        record = db.session.scalar(statement)
        if record is None:
            abort(404)
        args.pop(loader.arg, None)
        args[loader.target] = record
    return None
