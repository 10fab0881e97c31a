"""The JSON API under /api/v1 (docs/api.md).

Authentication is a bearer token only (``web.load_user_from_token``); the session cookie is never
read here, so the API needs no CSRF token. Each resource has its own module; every route carries
an access rule from :mod:`portal.security` and an :func:`~portal.api.core.api_doc` annotation
from which :mod:`portal.api.openapi` builds the OpenAPI document.
"""

from . import (  # noqa: F401  (each adds its routes to bp)
    agreements,
    assessments,
    boards,
    compliance,
    deliveries,
    distributors,
    notices,
    openapi,
    orders,
    payments,
    price_lists,
    products,
    receivables,
    regions,
    repair_batches,
    repair_fees,
    repair_ratings,
    reports,
    shipments,
    sub_agents,
    users,
    violations,
)
from .blueprint import bp

__all__ = ["bp"]
