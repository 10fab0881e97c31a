"""What each role may do (docs/rules.md §12), every permission named once by what it allows.

Routes declare ``@allowed(may_confirm_orders)`` (portal.security), the order steps name the
permission they need (:data:`portal.domain.orders.TRANSITIONS`), code asks ``user.may(...)`` and
templates ``may(permissions.may_confirm_orders)``: no other place lists roles. Giving a role a right
is a change to one line here; finance confirming orders, for example, is

    may_confirm_orders = Permission("may_confirm_orders", {SALES, FINANCE, ADMIN}, ...)

A permission says what a role may do, not on whose records: a distributor user does it on its own
company's records only (the scope, applied by ``@loads`` and ``scoped()`` in portal.security).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .roles import EVERYONE, HEAD_OFFICE, Role

DISTRIBUTOR, SALES, FINANCE, ADMIN = Role.DISTRIBUTOR, Role.SALES, Role.FINANCE, Role.ADMIN


@dataclass(frozen=True, eq=False, init=False)
class Permission:
    """A right and the roles that have it. Each check reads ``roles`` when it runs (nothing keeps a
    copy), and a permission is equal only to itself."""

    name: str
    roles: frozenset[Role]
    description: str

    def __init__(self, name: str, roles: Iterable[Role], description: str = "") -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "description", description)

    def __repr__(self) -> str:
        return f"<Permission {self.name}>"


def may(role: Role, permission: Permission) -> bool:
    """Whether a user with ``role`` has ``permission``."""
    return role in permission.roles


# --- every signed-in user -----------------------------------------------------------------------

may_read = Permission(
    "may_read", EVERYONE, "Read the records in one's scope: the home page, lists, records, their exports."
)
may_manage_own_account = Permission(
    "may_manage_own_account", EVERYONE, "One's own profile, password and API tokens; sign out."
)

# --- head office: sales, finance and administrators ---------------------------------------------

may_read_every_distributor = Permission(
    "may_read_every_distributor",
    HEAD_OFFICE,
    "The distributor list, the region tree and who holds a region, the on-time delivery list.",
)
may_read_receivables = Permission(
    "may_read_receivables", HEAD_OFFICE, "Receivables and overdue lists, and their export."
)
may_read_audit_trail = Permission(
    "may_read_audit_trail", HEAD_OFFICE, "The audit trail: who changed what, when, before and after."
)

# --- head-office sales (and administrators) -----------------------------------------------------

may_manage_distributors = Permission(
    "may_manage_distributors", {SALES, ADMIN}, "Create distributors and change their details."
)
may_manage_agreements = Permission(
    "may_manage_agreements",
    {SALES, ADMIN},
    "Create, change, activate, amend and terminate agreements; grant, revoke and remove territories.",
)
may_decide_sub_agents = Permission(
    "may_decide_sub_agents", {SALES, ADMIN}, "Approve or reject a distributor's sub-agent request (§1.3)."
)
may_manage_products = Permission("may_manage_products", {SALES, ADMIN}, "Create products and change them.")
may_manage_prices = Permission(
    "may_manage_prices", {SALES, ADMIN}, "Draft, import, change, delete and publish price lists (§6.1)."
)
may_confirm_orders = Permission(
    "may_confirm_orders", {SALES, ADMIN}, "Confirm a submitted order, locking its prices (§6.1.2)."
)
may_cancel_confirmed_orders = Permission(
    "may_cancel_confirmed_orders",
    {SALES, ADMIN},
    "Cancel a confirmed order, with a reason (a late deposit, say).",
)
may_ship_orders = Permission(
    "may_ship_orders",
    {SALES, ADMIN},
    "Ship paid orders, report a shipment lost or damaged and ship its replacement (§6.4.1), close a shipped order.",
)
may_issue_notices = Permission("may_issue_notices", {SALES, ADMIN}, "Issue written notices, such as warnings.")

# --- finance (and administrators) ---------------------------------------------------------------

may_book_payments = Permission("may_book_payments", {FINANCE, ADMIN}, "Record and void payments.")

# --- ordering: a distributor, or sales on its behalf --------------------------------------------

may_draft_orders = Permission(
    "may_draft_orders",
    {DISTRIBUTOR, SALES, ADMIN},
    "Draft, change and submit orders; cancel them before confirmation (§6.2.1).",
)

# --- distributors ---------------------------------------------------------------------------------

may_request_sub_agents = Permission(
    "may_request_sub_agents", {DISTRIBUTOR}, "Ask head office to approve a sub-agent (§1.3)."
)
may_acknowledge_notices = Permission(
    "may_acknowledge_notices", {DISTRIBUTOR}, "Acknowledge reading a notice addressed to one's company."
)

# --- administrators -------------------------------------------------------------------------------

may_manage_users = Permission("may_manage_users", {ADMIN}, "Create users, set their roles, deactivate them.")
may_manage_regions = Permission("may_manage_regions", {ADMIN}, "Import and add regions.")

ALL: tuple[Permission, ...] = tuple(value for value in tuple(globals().values()) if isinstance(value, Permission))
