"""Demo price lists: two years of published lists and next year's draft, for the demo products.

Published through the same service as the pages, so distributors with an active agreement at the
time receive their written notices (the agreements' demo runs after this one, so there may be none).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import User
from ..clock import BUSINESS_TZ
from ..domain.pricing import Prices
from ..extensions import db
from ..products.models import Product
from . import services
from .models import PriceList

# sku: (first-level agent price, second-level agent price, minimum resale price), last year's list.
LAST_YEAR = {
    "PBX-MAIN-200": ("3200.00", "3480.00", "4200.00"),
    "PBX-EXT-16": ("1180.00", "1280.00", "1580.00"),
    "PBX-TRK-8": ("960.00", "1050.00", "1290.00"),
    "PBX-VOIP-32": ("2650.00", "2880.00", "3500.00"),
    "PBX-PWR-01": ("420.00", "460.00", "580.00"),
    "PHN-DSK-310": ("268.00", "298.00", "380.00"),
    "ACC-CBL-RJ": ("180.00", "198.00", "260.00"),
}
# This year's review: most prices up, the VoIP board down, the conference phone new.
THIS_YEAR = {
    **LAST_YEAR,
    "PBX-MAIN-200": ("3300.00", "3590.00", "4350.00"),
    "PBX-EXT-16": ("1220.00", "1320.00", "1630.00"),
    "PBX-VOIP-32": ("2520.00", "2740.00", "3380.00"),
    "PHN-DSK-310": ("275.00", "306.00", "390.00"),
    "PHN-CON-900": ("1380.00", "1520.00", "1880.00"),
}
# Next year's draft: the cable box is dropped, the main board and the trunk board go up.
NEXT_YEAR = {
    **{sku: prices for sku, prices in THIS_YEAR.items() if sku != "ACC-CBL-RJ"},
    "PBX-MAIN-200": ("3400.00", "3700.00", "4480.00"),
    "PBX-TRK-8": ("990.00", "1080.00", "1330.00"),
}


def _prices(table: dict[str, tuple[str, str, str]], known: set[str]) -> dict[str, Prices]:
    return {sku: Prices(*(Decimal(v) for v in values)) for sku, values in table.items() if sku in known}


def _at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), BUSINESS_TZ)


def load(today: date) -> None:
    if db.session.scalar(select(PriceList.id).limit(1)) is not None:
        return
    known = set(db.session.scalars(select(Product.sku)))
    sales = db.session.scalar(select(User.id).where(User.username == "sales"))
    year = today.year
    plans = [
        (f"{year - 1} 价格表", date(year - 1, 1, 1), LAST_YEAR, date(year - 2, 12, 10), "年度价格表（附件一）。"),
        (
            f"{year} 价格表",
            date(year, 1, 1),
            THIS_YEAR,
            date(year - 1, 12, 12),
            "年度调价：主控板、分机板、话机上调，VoIP 网关板下调，新增会议电话。",
        ),
    ]
    for version, effective_from, table, published_on, note in plans:
        price_list = services.create_price_list(
            services.PriceListData(version, effective_from, note), items=_prices(table, known)
        )
        services.publish_price_list(price_list, published_on, sales, at=_at_ten(published_on))
    services.create_price_list(
        services.PriceListData(f"{year + 1} 价格表（草稿）", date(year + 1, 1, 1), "明年调价草案，待审核。"),
        items=_prices(NEXT_YEAR, known),
    )
