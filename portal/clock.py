"""The only place the portal reads the clock (docs/rules.md §2).

Business dates are Asia/Shanghai calendar dates whatever the server's zone; timestamps are stored
in UTC. The domain layer never calls these: services pass the date in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return utcnow().astimezone(BUSINESS_TZ).date()


def to_business_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BUSINESS_TZ)
