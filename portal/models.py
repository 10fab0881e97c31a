"""Every table, imported in one place so Alembic and create_all see them all."""

from .accounts.models import ApiToken, User
from .audit.models import AuditEvent
from .distributors.models import Distributor
from .regions.models import Region

__all__ = ["ApiToken", "AuditEvent", "Distributor", "Region", "User"]
