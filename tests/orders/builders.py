"""Builders for orders: an active agreement with authorised products and a published price list,
then orders taken through the real services."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from portal.agreements.models import Agreement, AgreementTerms
from portal.distributors.models import Distributor
from portal.domain.agreements import AgreementStatus, Terms
from portal.domain.distributors import Level
from portal.domain.pricing import PriceListStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Board, Order, Payment, Shipment
from portal.pricing.models import PriceList, PriceListItem
from portal.products.models import Product

from ..builders import foreign_record, make_distributor

_n = itertools.count(1)
START = date(2026, 1, 1)


def make_product(sku: str | None = None, *, serialized: bool = True) -> Product:
    product = Product(sku=sku or f"SKU-{next(_n):05d}", name_zh="测试板卡", name_en="Test board", serialized=serialized)
    db.session.add(product)
    db.session.commit()
    return product


def make_price_list(prices: dict[Product, tuple[str, str, str]], effective_from: date = START) -> PriceList:
    price_list = PriceList(version=f"PL-{next(_n)}", effective_from=effective_from, status=PriceListStatus.PUBLISHED)
    price_list.items = [
        PriceListItem(product_id=p.id, price_level1=Decimal(a), price_level2=Decimal(b), min_resale_price=Decimal(c))
        for p, (a, b, c) in prices.items()
    ]
    db.session.add(price_list)
    db.session.commit()
    return price_list


def make_active_agreement(
    distributor: Distributor | None = None,
    *,
    products: list[Product],
    level: Level = Level.SECOND,
    terms: Terms | None = None,
    starts_on: date = START,
    ends_on: date = date(2027, 12, 31),
) -> Agreement:
    distributor = distributor or make_distributor(level=level)
    agreement = Agreement(
        number=f"XY-{next(_n):05d}",
        distributor_id=distributor.id,
        level=level,
        signed_on=starts_on,
        starts_on=starts_on,
        ends_on=ends_on,
        status=AgreementStatus.ACTIVE,
    )
    version = AgreementTerms(effective_from=starts_on)
    version.terms = terms or Terms()
    agreement.term_versions = [version]
    agreement.products = products
    db.session.add(agreement)
    db.session.commit()
    return agreement


def make_order(
    agreement: Agreement,
    quantities: dict[Product, int],
    *,
    on: date = date(2026, 3, 1),
    submit: bool = False,
    confirm_on: date | None = None,
) -> Order:
    order = services.create_order(
        agreement, [services.LineRequest(p.id, q) for p, q in quantities.items()], on=on, created_by_id=None
    )
    if submit or confirm_on:
        services.submit_order(order, Role.DISTRIBUTOR, on)
    if confirm_on:
        services.confirm_order(order, Role.SALES, confirm_on, today=confirm_on)
    return db.session.get(Order, order.id)


@foreign_record(Order)
def foreign_order(other: Distributor) -> Order:
    product = make_product()
    make_price_list({product: ("100.00", "120.00", "150.00")})
    agreement = make_active_agreement(other, products=[product])
    return make_order(agreement, {product: 1})


@foreign_record(Payment)
def foreign_payment(other: Distributor) -> Payment:
    product = make_product()
    make_price_list({product: ("60000.00", "60000.00", "70000.00")})
    agreement = make_active_agreement(other, products=[product])
    order = make_order(agreement, {product: 1}, confirm_on=date(2026, 3, 2))
    return services.record_payment(
        order,
        amount=Decimal("100.00"),
        received_on=date(2026, 3, 3),
        bank_reference=f"REF-{next(_n)}",
        payer="x",
        recorded_by_id=None,
        today=date(2026, 3, 3),
    )


def shipped_order(other: Distributor) -> tuple[Order, Shipment]:
    product = make_product()
    make_price_list({product: ("60000.00", "60000.00", "70000.00")})
    agreement = make_active_agreement(other, products=[product])
    order = make_order(agreement, {product: 1}, confirm_on=date(2026, 3, 2))
    services.record_payment(
        order,
        amount=Decimal("60000.00"),
        received_on=date(2026, 3, 3),
        bank_reference=f"REF-{next(_n)}",
        payer="x",
        recorded_by_id=None,
        today=date(2026, 3, 3),
    )
    shipment = services.ship_order(
        order,
        [services.ShipmentLineRequest(product.id, 1, [f"SN{next(_n):08d}"])],
        shipped_on=date(2026, 3, 4),
        role=Role.SALES,
        today=date(2026, 3, 4),
    )
    return order, shipment


@foreign_record(Shipment)
def foreign_shipment(other: Distributor) -> Shipment:
    return shipped_order(other)[1]


@foreign_record(Board)
def foreign_board(other: Distributor) -> Board:
    return shipped_order(other)[1].boards[0]
