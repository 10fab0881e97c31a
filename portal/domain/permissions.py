"""What each role may do (docs/rules.md §12), every permission named once by what it allows.

Routes declare ``@allowed(may_confirm_orders)`` (portal.security), the order steps name the
permission they need (:data:`portal.domain.orders.TRANSITIONS`), code asks ``user.may(...)`` and
templates ``may(permissions.may_confirm_orders)``: no other place lists roles. Giving a role a right
is a change to one line here; finance confirming orders, for example, is

    may_confirm_orders = Permission("may_confirm_orders", {SALES, FINANCE, ADMIN})

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

    def __init__(self, name: str, roles: Iterable[Role]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "roles", frozenset(roles))

    def __repr__(self) -> str:
        return f"<Permission {self.name}>"


def may(role: Role, permission: Permission) -> bool:
    """Whether a user with ``role`` has ``permission``."""
    return role in permission.roles


# One line each, with what it allows above it.

# --- every signed-in user -----------------------------------------------------------------------

#: Read the records in one's scope: the home page, lists, records and their exports.
may_read = Permission("may_read", EVERYONE)
#: One's own profile, password and API tokens; signing out.
may_manage_own_account = Permission("may_manage_own_account", EVERYONE)

# --- head office: sales, finance and administrators ---------------------------------------------

#: The distributor list, the region tree and who holds a region, the on-time delivery list.
may_read_every_distributor = Permission("may_read_every_distributor", HEAD_OFFICE)
#: Receivables and overdue lists, and their export.
may_read_receivables = Permission("may_read_receivables", HEAD_OFFICE)
#: The audit trail: who changed what, when, before and after.
may_read_audit_trail = Permission("may_read_audit_trail", HEAD_OFFICE)

# --- head-office sales (and administrators) -----------------------------------------------------

#: Create distributors and change their details.
may_manage_distributors = Permission("may_manage_distributors", {SALES, ADMIN})
#: Create, change, activate, amend and terminate agreements; grant, revoke and remove territories.
may_manage_agreements = Permission("may_manage_agreements", {SALES, ADMIN})
#: Approve or reject a distributor's sub-agent request (§1.3).
may_decide_sub_agents = Permission("may_decide_sub_agents", {SALES, ADMIN})
#: Create products and change them.
may_manage_products = Permission("may_manage_products", {SALES, ADMIN})
#: Draft, import, change, delete and publish price lists (§6.1).
may_manage_prices = Permission("may_manage_prices", {SALES, ADMIN})
#: Confirm a submitted order, locking its prices (§6.1.2).
may_confirm_orders = Permission("may_confirm_orders", {SALES, ADMIN})
#: Cancel a confirmed order, with a reason (a late deposit, say).
may_cancel_confirmed_orders = Permission("may_cancel_confirmed_orders", {SALES, ADMIN})
#: Ship paid orders, report a shipment lost or damaged and ship its replacement (§6.4.1), close a
#: shipped order.
may_ship_orders = Permission("may_ship_orders", {SALES, ADMIN})
#: Issue written notices, such as warnings.
may_issue_notices = Permission("may_issue_notices", {SALES, ADMIN})
#: Receive, inspect (cause, outcome, fee), repair, notify and ship back repair batches, and enter
#: their return freight (§6.5.4).
may_handle_repairs = Permission("may_handle_repairs", {SALES, ADMIN})
#: Release a batch whose fees are unpaid, so its boards may be shipped back (with a reason, §6.5.4).
may_release_repair_batches = Permission("may_release_repair_batches", {SALES, ADMIN})

#: Dismiss a violation found in a monthly report, with a reason (§8); lock a quarter's reports.
may_review_violations = Permission("may_review_violations", {SALES, ADMIN})
#: Compute the quarterly assessments and review them: met, warning, revoke territories, terminate
#: or promote (§9).
may_review_assessments = Permission("may_review_assessments", {SALES, ADMIN})

# --- finance (and administrators) ---------------------------------------------------------------

#: Record and void payments: order payments and repair-fee payments alike.
may_book_payments = Permission("may_book_payments", {FINANCE, ADMIN})

# --- ordering: a distributor, or sales on its behalf --------------------------------------------

#: Draft, change and submit orders; cancel them before confirmation (§6.2.1).
may_draft_orders = Permission("may_draft_orders", {DISTRIBUTOR, SALES, ADMIN})

# --- distributors -------------------------------------------------------------------------------

#: Ask head office to approve a sub-agent (§1.3).
may_request_sub_agents = Permission("may_request_sub_agents", {DISTRIBUTOR})
#: Acknowledge reading a notice addressed to one's company.
may_acknowledge_notices = Permission("may_acknowledge_notices", {DISTRIBUTOR})
#: Fill the month's repair batch (add and remove boards) and ship it to head office (§6.5.4).
may_send_repair_batches = Permission("may_send_repair_batches", {DISTRIBUTOR})
#: Submit and correct the company's monthly reports: inventory, sell-through, outlets (§4.3, §5.5).
may_submit_reports = Permission("may_submit_reports", {DISTRIBUTOR})
#: Rate head office's service on a returned batch (after-sales management rules).
may_rate_repairs = Permission("may_rate_repairs", {DISTRIBUTOR})

# --- administrators -----------------------------------------------------------------------------

#: Create users, set their roles, deactivate them.
may_manage_users = Permission("may_manage_users", {ADMIN})
#: Import and add regions.
may_manage_regions = Permission("may_manage_regions", {ADMIN})

ALL: tuple[Permission, ...] = tuple(value for value in tuple(globals().values()) if isinstance(value, Permission))
