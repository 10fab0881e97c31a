"""The access guard's foreign notice. Notices are made by tests/builders.py's ``make_notice``."""

from __future__ import annotations

from portal.distributors.models import Distributor
from portal.notices.models import Notice

from ..builders import foreign_record, make_notice  # noqa: F401  (re-exported)


@foreign_record(Notice)
def foreign_notice(other: Distributor) -> Notice:
    return make_notice(other)
