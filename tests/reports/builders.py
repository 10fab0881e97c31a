"""Monthly reports for tests, made through the services like every test record
(portal.reports.services), and the access guard's foreign reports and violations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from portal.distributors.models import Distributor
from portal.extensions import db
from portal.reports import services
from portal.reports.models import MonthlyReport, Violation
from portal.reports.services import ReportData

from ..builders import Shop, active_agreement_of, foreign_record, make_regions, make_territory

SUBMITTED_ON = date(2026, 3, 5)  # before February's due day (10 March)


def sale(shop: Shop, **cells: Any) -> dict[str, str]:
    """A sale of one board to a customer in 西湖区 (330106) on 3 February 2026 at the floor (¥1,500)."""
    row = {
        "sold_on": "2026-02-03",
        "customer": "杭州西湖客户",
        "region_code": "330106",
        "sku": shop.board.sku,
        "quantity": "1",
        "unit_price": "1500.00",
        "serials": "",
    }
    return row | {key: str(value) for key, value in cells.items()}


def outlet(name: str = "西湖区电讯器材门市部", kind: str = "sub_agent", region_code: str = "330106") -> dict[str, str]:
    return {"kind": kind, "name": name, "region_code": region_code}


def report_data(
    shop: Shop,
    month: str = "2026-02",
    *,
    sales: Sequence[Mapping[str, Any]] | None = None,
    inventory: Sequence[Mapping[str, Any]] | None = None,
    outlets: Sequence[Mapping[str, Any]] = (),
) -> ReportData:
    return ReportData(
        month=month,
        inventory=list(inventory if inventory is not None else [{"sku": shop.board.sku, "quantity": "5"}]),
        sales=list(sales if sales is not None else [sale(shop)]),
        outlets=list(outlets),
    )


def granted_shop(shop: Shop, region_code: str = "330100") -> Shop:
    """The shop with ``region_code`` (杭州市 by default) granted from its agreement's first day."""
    make_regions()
    if not any(t.region_code == region_code for t in shop.agreement.territories):
        make_territory(shop.agreement, region_code)
    db.session.commit()
    return shop


def make_report(shop: Shop, month: str = "2026-02", *, on: date = SUBMITTED_ON, **lines: Any) -> MonthlyReport:
    """The shop's report of ``month`` submitted ``on`` (one sale inside 杭州市 at the floor by default)."""
    make_regions()
    report = services.submit_report(shop.distributor.id, report_data(shop, month, **lines), today=on)
    db.session.commit()
    return report


@foreign_record(MonthlyReport)
def foreign_report(other: Distributor) -> MonthlyReport:
    existing = db.session.scalar(db.select(MonthlyReport).where(MonthlyReport.distributor_id == other.id).limit(1))
    if existing is not None:
        return existing
    agreement = active_agreement_of(other)
    board = next(product for product in agreement.products if product.serialized)
    shop = Shop(agreement, board, board, None, None, None)  # type: ignore[arg-type]
    # Outside its territory and below the floor, with an unapproved outlet: a violation of each kind.
    return make_report(shop, sales=[sale(shop, region_code="320500", unit_price="1.00")], outlets=[outlet("无名网点")])


@foreign_record(Violation)
def foreign_violation(other: Distributor) -> Violation:
    return foreign_report(other).violations[0]
