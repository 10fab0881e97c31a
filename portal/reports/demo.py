"""Demo monthly reports and violations (docs/rules.md §8), made through the services so every rule
holds. Dates are relative to ``today``: every ended month of every agreement that bound a demo
distributor (three years in all), reported on time, late now and then, and last month left to report
(not yet due, or missing once its due day has passed); 成都锦程 (CD004) leaves a month out now and
then. 杭州云帆 (HZ001) reports its approved outlet and, once, one nobody approved; 武汉楚天 (WH005)
sold outside its territory and below the floor in the autumn of its agreement's last year, and head
office dismisses one of those violations; one report is corrected.

``portal.demo.load_demo`` calls :func:`load` after the orders and repair batches."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..accounts.models import User
from ..agreements.models import Agreement
from ..distributors.models import Distributor
from ..domain import reports as rules
from ..domain.agreements import AgreementStatus
from ..domain.dates import add_months
from ..domain.errors import DomainError
from ..extensions import db
from ..pricing.services import item_of, list_in_force
from ..transactions import transaction
from . import services
from .models import MonthlyReport, Violation
from .queries import due_on_of

log = logging.getLogger(__name__)

MONTHS = 6
#: Each distributor's customers: (name, region code) inside its territory.
CUSTOMERS = {
    "HZ001": [("杭州西湖数码城", "330106"), ("宁波海曙电讯商行", "330203"), ("温州鹿城通信公司", "330302")],
    "SZ002": [("苏州姑苏通讯器材行", "320508"), ("杭州拱墅办公设备部", "330105")],
    "SZ003": [("深圳南山科技园客户", "440305"), ("广州天河通讯城", "440106")],
    "CD004": [("成都武侯电讯公司", "510107"), ("成都锦江酒店管理公司", "510104")],
    "WH005": [("武汉江岸电讯公司", "420102"), ("武昌办公设备部", "420106")],
}
OUTSIDE = ("长沙五一广场商户", "430102")  # outside WH005's Wuhan


def _price(product_id: int, on: date) -> Decimal:
    """10% above the floor in force on ``on`` (¥1,000.00 when no list prices the product)."""
    price_list = list_in_force(on)
    item = item_of(price_list.id, product_id) if price_list is not None else None
    floor = item.min_resale_price if item is not None else Decimal("1000.00")
    return (floor * Decimal("1.10")).quantize(Decimal("0.01"))


def _sale(
    sku: str, product_id: int, on: date, customer: tuple[str, str], quantity: int, **cells: str
) -> dict[str, str]:
    row = {
        "sold_on": on.isoformat(),
        "customer": customer[0],
        "region_code": customer[1],
        "sku": sku,
        "quantity": str(quantity),
        "unit_price": f"{_price(product_id, on):.2f}",
        "serials": "",
    }
    return row | cells


def _report(distributor: Distributor, year: int, month: int, back: int) -> services.ReportData | None:
    agreement = services.agreement_of_month(distributor.id, year, month)
    if agreement is None or not agreement.products:
        return None
    products = list(agreement.products)
    customers = CUSTOMERS[distributor.code]
    first = date(year, month, 1)
    sales = [
        _sale(
            products[i % len(products)].sku,
            products[i % len(products)].id,
            first + timedelta(days=3 + 7 * i),
            customers[i % len(customers)],
            2 + (i + back) % 4,
        )
        for i in range(3)
    ]
    outlets = []
    if distributor.code == "HZ001":
        outlets.append({"kind": "outlet", "name": "杭州西湖区通讯器材门市部", "region_code": "330106"})
        if back == 3:
            outlets.append({"kind": "sub_agent", "name": "宁波海曙通信设备经营部", "region_code": "330203"})
    if distributor.code == "WH005" and month in (9, 10) and year == agreement.ends_on.year:
        product = products[0]
        sales.append(_sale(product.sku, product.id, first + timedelta(days=20), OUTSIDE, 5))  # cross-territory
        floor_price = _price(product.id, first) / Decimal("1.10")
        sales.append(
            _sale(
                product.sku,
                product.id,
                first + timedelta(days=21),
                customers[0],
                10,
                unit_price=f"{floor_price * Decimal('0.85'):.2f}",
            )  # below the floor
        )
    inventory = [{"sku": p.sku, "quantity": str(10 + 3 * n)} for n, p in enumerate(products)]
    return services.ReportData(rules.month_name(year, month), inventory, sales, outlets)


def _months(first: date, last: date) -> list[tuple[int, int]]:
    """The calendar months from ``first``'s to ``last``'s, both included."""
    months = []
    month = date(first.year, first.month, 1)
    while month <= last:
        months.append((month.year, month.month))
        month = add_months(month, 1)
    return months


def load(today: date) -> None:
    """The demo's reports (nothing when a report exists already)."""
    if db.session.scalar(select(MonthlyReport.id).limit(1)) is not None:
        return
    sales_id = db.session.scalar(select(User.id).where(User.username == "sales"))
    distributors = db.session.scalars(
        select(Distributor).where(Distributor.code.in_(CUSTOMERS)).order_by(Distributor.code)
    )
    this_month = date(today.year, today.month, 1)
    last_reported = add_months(this_month, -2)  # last month is left to report
    with transaction():
        for distributor in distributors:
            starts = db.session.scalar(
                select(func.min(Agreement.starts_on)).where(
                    Agreement.distributor_id == distributor.id, Agreement.status != AgreementStatus.DRAFT
                )
            )
            if starts is None:
                continue
            for year, month in _months(starts, last_reported):
                back = (this_month.year - year) * 12 + this_month.month - month
                if distributor.code == "CD004" and back % 9 == 5:
                    continue  # a month CD004 never reported: missing
                data = _report(distributor, year, month, back)
                if data is None:
                    continue
                agreement = services.agreement_of_month(distributor.id, year, month)
                assert agreement is not None
                due_on = due_on_of(agreement, year, month)
                late = (back == 4 and distributor.code == "HZ001") or back % 7 == 3
                submitted_on = due_on + timedelta(days=4) if late else due_on - timedelta(days=2 + back % 3)
                try:
                    with transaction():
                        report = services.submit_report(distributor.id, data, today=submitted_on)
                        if distributor.code == "HZ001" and back == 3:
                            services.correct_report(
                                report, data, today=submitted_on + timedelta(days=5), reason="补报库存"
                            )
                except DomainError as error:
                    log.info("demo report %s of %s left out: %s", data.month, distributor.code, error)
        first = db.session.scalar(
            select(Violation)
            .where(Violation.kind == rules.ViolationKind.CROSS_TERRITORY)
            .order_by(Violation.id)
            .limit(1)
        )
        if first is not None:
            services.dismiss_violation(
                first,
                "客户为本公司武汉项目的长沙分部，货物已核实在武汉安装",
                today=first.found_on + timedelta(days=3),
                dismissed_by_id=sales_id,
            )
