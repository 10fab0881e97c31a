"""Agreements, territories and price lists as plain rows, for the notice and home-page tests.

The agreements and price-list areas are being built alongside; once their builders exist
(tests/agreements/builders.py, tests/pricing/builders.py), these should call them instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.agreements.models import Agreement, AgreementTerms, Territory
from portal.distributors.models import Distributor
from portal.domain.agreements import AgreementStatus, Terms
from portal.domain.pricing import PriceListStatus
from portal.extensions import db
from portal.pricing.models import PriceList, PriceListItem
from portal.products.models import Product
from portal.regions.models import Region

from ..builders import make_region

REGIONS = {
    "330000": ("浙江省", None),
    "330100": ("杭州市", "330000"),
    "330106": ("西湖区", "330100"),
    "330200": ("宁波市", "330000"),
    "320000": ("江苏省", None),
    "320500": ("苏州市", "320000"),
    "320100": ("南京市", "320000"),
    "440000": ("广东省", None),
    "440100": ("广州市", "440000"),
    "440300": ("深圳市", "440000"),
}


def region(code: str) -> Region:
    """The region with ``code`` (and its ancestors), added once."""
    found = db.session.get(Region, code)
    if found is not None:
        return found
    name, parent = REGIONS[code]
    if parent:
        region(parent)
    return make_region(code, name, parent)


def make_agreement(
    distributor: Distributor,
    *,
    number: str = "XS-2027-001",
    status: AgreementStatus = AgreementStatus.ACTIVE,
    starts_on: date = date(2027, 1, 1),
    ends_on: date = date(2027, 12, 31),
    terms: Terms | None = None,
    grants: Sequence[tuple[str, date] | tuple[str, date, date]] = (),
) -> Agreement:
    agreement = Agreement(
        number=number,
        distributor_id=distributor.id,
        level=distributor.level,
        signed_on=starts_on,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    version = AgreementTerms(effective_from=starts_on)
    version.terms = terms or Terms()
    agreement.term_versions.append(version)
    for grant in grants:
        code, granted_on = grant[0], grant[1]
        region(code)
        revoked_effective_on = grant[2] if len(grant) > 2 else None  # type: ignore[misc]
        agreement.territories.append(
            Territory(region_code=code, granted_on=granted_on, revoked_effective_on=revoked_effective_on)
        )
    db.session.add(agreement)
    db.session.commit()
    return agreement


def make_price_list(
    version: str, effective_from: date, *, status: PriceListStatus = PriceListStatus.PUBLISHED
) -> PriceList:
    product = db.session.scalar(select(Product).where(Product.sku == "PBX-MAIN-200"))
    if product is None:
        product = Product(
            sku="PBX-MAIN-200",
            name_zh="IP 交换机主控板 200",
            name_en="IP PBX main control board 200",
            category="主控板",
            serialized=True,
        )
        db.session.add(product)
    price_list = PriceList(version=version, effective_from=effective_from, status=status)
    price_list.items.append(
        PriceListItem(
            product=product,
            price_level1=Decimal("1000.00"),
            price_level2=Decimal("1100.00"),
            min_resale_price=Decimal("1500.00"),
        )
    )
    db.session.add(price_list)
    db.session.commit()
    return price_list
