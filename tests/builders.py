"""Builders for test data with keyword defaults: the one set every area's tests use. They call the
same services as the portal (create, activate, publish, submit, confirm, pay, ship), so test data
obeys the same rules (docs/architecture.md); a state the services refuse cannot be built here.

Dates: the portal's services take the day they act on, so a builder takes it too (``on``,
``activate_on``, ``published_on``, ``confirm_on``); the ``today`` fixture (tests/conftest.py) fixes
the portal's clock to :data:`TODAY` for the pages that read it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from stdnum.cn import uscc

from portal import clock
from portal.accounts.models import ApiToken, User
from portal.accounts.services import UserData, create_token, create_user
from portal.agreements import services as agreements
from portal.agreements.models import Agreement, SubAgentRequest, Territory
from portal.boards import services as shipping
from portal.boards.models import Shipment
from portal.boards.tallies import refresh_tallies
from portal.config import TestConfig
from portal.distributors.models import Distributor
from portal.distributors.services import DistributorData, create_distributor
from portal.domain.agreements import SEED_TERMS, AgreementStatus, Terms
from portal.domain.dates import add_months
from portal.domain.distributors import Level
from portal.domain.notices import NoticeType
from portal.domain.pricing import Prices
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.notices.services import issue_notice
from portal.orders import services as orders
from portal.orders.models import Order
from portal.pricing import services as pricing
from portal.pricing.models import PriceList
from portal.products.models import Product
from portal.products.services import ProductData, create_product
from portal.receivables import services as payments
from portal.receivables.models import Payment
from portal.regions.models import Region

PASSWORD = "correct-horse-battery"


def app_config(**settings: Any) -> type:
    """TestConfig with these settings, to hand to create_app (Flask-SQLAlchemy reads the database
    URL while the app is created, so changing the config afterwards would be too late)."""
    return type("RunConfig", (TestConfig,), settings)


_serial = itertools.count(1)


def credit_code(n: int) -> str:
    body = f"913301007{n:08d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_distributor(
    *, code: str | None = None, name: str | None = None, level: Level = Level.SECOND, **fields: Any
) -> Distributor:
    n = next(_serial)
    return create_distributor(
        DistributorData(
            code=code or f"D{n:04d}",
            name=name or f"测试经销商{n}有限公司",
            credit_code=fields.pop("credit_code", credit_code(n)),
            level=level,
            **fields,
        )
    )


def make_user(
    *,
    role: Role = Role.SALES,
    username: str | None = None,
    distributor: Distributor | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    n = next(_serial)
    if role is Role.DISTRIBUTOR and distributor is None:
        distributor = make_distributor()
    return create_user(
        UserData(
            username=username or f"{role.value}{n}",
            role=role,
            distributor_id=distributor.id if distributor else None,
            **fields,
        ),
        password,
    )


def make_region(code: str = "330000", name: str = "浙江省", parent_code: str | None = None) -> Region:
    from portal.domain.regions import level_of

    region = Region(code=code, name=name, level=level_of(code), parent_code=parent_code)
    db.session.add(region)
    db.session.commit()
    return region


# GB/T 2260 codes the tests use: provinces, cities, a district.
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


# A province, two of its cities, a district of one, and another province with one of its cities.
ZHEJIANG = ("330000", "330100", "330106", "330200", "320000", "320500")


def region(code: str) -> Region:
    """The region with ``code`` and its ancestors from :data:`REGIONS` (a code not listed there is
    named after itself, without a parent), added once."""
    found = db.session.get(Region, code)
    if found is not None:
        return found
    name, parent = REGIONS.get(code, (f"区域{code}", None))
    if parent:
        region(parent)
    return make_region(code, name, parent)


def make_regions(codes: Sequence[str] = ZHEJIANG) -> list[Region]:
    """The regions of ``codes`` (and their ancestors), each added once."""
    return [region(code) for code in codes]


def make_token(user: User, name: str = "test") -> str:
    return create_token(user, name)


# --- Products and price lists --------------------------------------------------------------------

START, END = date(2026, 1, 1), date(2026, 12, 31)
TODAY = date(2026, 3, 10)  # the portal's "today" under the ``today`` fixture (tests/conftest.py)


def make_product(
    sku: str | None = None,
    *,
    name_zh: str | None = None,
    name_en: str = "Test board",
    category: str = "主控板",
    serialized: bool = True,
    **fields: Any,
) -> Product:
    n = next(_serial)
    return create_product(
        ProductData(
            sku=sku or f"PRD-{n:05d}",
            name_zh=name_zh or f"测试板卡{n}",
            name_en=name_en,
            category=category,
            serialized=serialized,
            **fields,
        )
    )


# Amounts that appear nowhere else, so a page can be searched for them.
LEVEL1, LEVEL2, FLOOR = "1111.11", "2222.22", "3333.33"


def prices(level1: str = LEVEL1, level2: str = LEVEL2, floor: str = FLOOR) -> Prices:
    return Prices(Decimal(level1), Decimal(level2), Decimal(floor))


def make_price_list(
    items: Mapping[Product | str, Prices | tuple[str, str, str]] | None = None,
    *,
    version: str | None = None,
    effective_from: date = START,
    note: str = "",
    published_on: date | None = None,
) -> PriceList:
    """A draft with ``items`` (product or SKU → prices, or (level 1, level 2, floor) as text; by
    default one new product at LEVEL1/LEVEL2/FLOOR), published on ``published_on`` when given (on
    or before its effective date, §6.1.2: publishing issues the notices of the agreements active
    that day)."""
    if items is None:
        items = {make_product(): prices()}
    by_sku = {
        (key if isinstance(key, str) else key.sku): (value if isinstance(value, Prices) else prices(*value))
        for key, value in items.items()
    }
    price_list = pricing.create_price_list(
        pricing.PriceListData(version or f"测试价格表 {next(_serial)}", effective_from, note), items=by_sku
    )
    if published_on is not None:
        pricing.publish_price_list(price_list, published_on, None)
    return price_list


def make_price_list_in_force(**fields: Any) -> PriceList:
    """A list in force on the portal's today: effective 30 days before it, published 40 days before."""
    on = clock.today()
    return make_price_list(effective_from=on - timedelta(days=30), published_on=on - timedelta(days=40), **fields)


# --- Agreements -----------------------------------------------------------------------------------


def make_agreement(
    distributor: Distributor | None = None,
    *,
    number: str | None = None,
    level: Level | None = None,
    signed_on: date | None = None,
    starts_on: date = START,
    ends_on: date = END,
    terms: Terms = SEED_TERMS,
    skus: Sequence[str] | None = None,
    products: Sequence[Product] | None = None,
    activate_on: date | None = None,
    grants: Sequence[tuple[str, date]] = (),
) -> Agreement:
    """A draft (or, with ``activate_on``, an active agreement) signed a month before it starts,
    authorising ``products`` (or the SKUs ``skus``; by default one new product), at the
    distributor's level, with the regions of ``grants`` (code, granted on; see :data:`REGIONS`)."""
    distributor = distributor or make_distributor(level=level or Level.SECOND)
    if skus is None:
        skus = [product.sku for product in products] if products is not None else [make_product().sku]
    agreement = agreements.create_agreement(
        agreements.AgreementData(
            number=number or f"XS-T-{next(_serial):05d}",
            distributor_id=distributor.id,
            level=level or distributor.level,
            signed_on=signed_on or add_months(starts_on, -1),
            starts_on=starts_on,
            ends_on=ends_on,
            terms=terms,
            skus=tuple(skus),
        )
    )
    if activate_on is not None:
        agreements.activate_agreement(agreement, activate_on)
    for code, granted_on in grants:
        make_territory(agreement, code, granted_on)
    return agreement


def make_territory(
    agreement: Agreement, region_code: str = "330000", granted_on: date | None = None, on: date | None = None
) -> Territory:
    """``region_code`` granted to ``agreement`` from ``granted_on`` (its first day by default), recorded
    ``on`` (that day by default); the regions of :data:`ZHEJIANG` exist too."""
    make_regions()
    region(region_code)
    granted_on = granted_on or agreement.starts_on
    return agreements.grant_territory(agreement, region_code, granted_on, on or granted_on)


def make_sub_agent_request(
    distributor: Distributor, *, name: str = "西湖区电讯器材门市部", region_code: str = "330106", **fields: Any
) -> SubAgentRequest:
    make_regions()
    return agreements.request_sub_agent(
        distributor.id,
        agreements.SubAgentData(
            name=name,
            region_code=region_code,
            contact_name=fields.pop("contact_name", "张伟"),
            contact_phone=fields.pop("contact_phone", "0571-8765 4321"),
            **fields,
        ),
    )


def make_active_agreement(
    distributor: Distributor | None = None,
    *,
    products: Sequence[Product],
    level: Level = Level.SECOND,
    terms: Terms = SEED_TERMS,
    starts_on: date = START,
    ends_on: date = date(2027, 12, 31),
) -> Agreement:
    """An agreement activated on its first day (level 2 by default), authorising ``products``."""
    return make_agreement(
        distributor,
        products=products,
        level=level,
        terms=terms,
        starts_on=starts_on,
        ends_on=ends_on,
        activate_on=starts_on,
    )


# --- Orders, payments, shipments ------------------------------------------------------------------


def make_order(
    agreement: Agreement,
    quantities: Mapping[Product, int],
    *,
    on: date = date(2026, 3, 1),
    submit: bool = False,
    confirm_on: date | None = None,
) -> Order:
    """A draft drafted ``on`` (submitted that day with ``submit``, confirmed by sales on
    ``confirm_on`` when given)."""
    order = orders.create_order(
        agreement, [orders.LineRequest(p.id, q) for p, q in quantities.items()], on=on, created_by_id=None
    )
    if submit or confirm_on:
        orders.submit_order(order, Role.DISTRIBUTOR, on)
    if confirm_on:
        orders.confirm_order(order, Role.SALES, confirm_on, today=confirm_on)
    return db.session.get(Order, order.id)


def pay(
    order: Order,
    amount: str | Decimal,
    on: date,
    reference: str | None = None,
    *,
    payer: str = "杭州云帆",
    today: date | None = None,
) -> Payment:
    """Finance books ``amount`` received ``on`` (booked that day unless ``today`` says later)."""
    return payments.record_payment(
        order,
        amount=Decimal(amount),
        received_on=on,
        bank_reference=reference or f"REF-{next(_serial)}",
        payer=payer,
        recorded_by_id=None,
        today=today or on,
    )


def ship(order: Order, lines: Mapping[Product, Sequence[str] | int], *, on: date, **details: str) -> Shipment:
    """Sales ships ``lines`` (a serialized product's serials, or a quantity of another) ``on``,
    with the ``carrier`` and ``tracking_number`` of ``details``."""
    requests = [
        shipping.ShipmentLineRequest(product.id, units, ())
        if isinstance(units, int)
        else shipping.ShipmentLineRequest(product.id, len(units), list(units))
        for product, units in lines.items()
    ]
    return shipping.ship_order(order, requests, shipped_on=on, role=Role.SALES, today=on, **details)


def insert_orders(agreements: Sequence[Agreement], numbers: Iterable[int], **columns: Any) -> None:
    """Orders PO-BULK-000000… (one per number ``n``), spread round-robin over ``agreements``, written
    straight into the table in one INSERT. Only for the tests that measure a page at 1,000 orders:
    through the services they would take minutes. A column's value may be a function of ``n``. The
    delivery tallies kept per due day are then recounted, as the bench generator does after its bulk
    load (boards.tallies)."""
    rows = []
    for n in numbers:
        agreement = agreements[n % len(agreements)]
        values = {name: value(n) if callable(value) else value for name, value in columns.items()}
        rows.append(
            {
                "number": f"PO-BULK-{n:06d}",
                "distributor_id": agreement.distributor_id,
                "agreement_id": agreement.id,
                **values,
            }
        )
    db.session.execute(insert(Order), rows)
    refresh_tallies(db.session(), None)
    db.session.commit()


@dataclass
class Shop:
    """An active level-2 agreement from :data:`START` authorising a serialized board (¥1,200 at
    level 2) and a cable (¥12), both in a list published on START; with the distributor's user
    (``agent``), a sales and a finance user of head office."""

    agreement: Agreement
    board: Product
    cable: Product
    agent: User
    sales: User
    finance: User

    @property
    def distributor(self) -> Distributor:
        return self.agreement.distributor

    def order(
        self,
        boards: int = 50,
        cables: int = 0,
        *,
        on: date | None = None,
        confirm_on: date | None = date(2026, 3, 5),
    ) -> Order:
        """An order of ``boards`` boards and ``cables`` cables, drafted and submitted ``on`` (by
        default 1 March, or the confirmation day if earlier) and confirmed on ``confirm_on`` (a draft
        when None). The agreement's first one is paid 100% up front, later ones 30%."""
        quantities = {self.board: boards, **({self.cable: cables} if cables else {})}
        first_day = date(2026, 3, 1)
        if on is None:
            on = min(confirm_on, first_day) if confirm_on else first_day
        return make_order(self.agreement, quantities, on=on, confirm_on=confirm_on)

    def paid_order(
        self,
        boards: int = 50,
        cables: int = 0,
        *,
        confirm_on: date = date(2026, 3, 2),
        paid_on: date = date(2026, 3, 3),
    ) -> Order:
        """An order confirmed on ``confirm_on`` and paid in full on ``paid_on``: ready to ship."""
        order = self.order(boards, cables, confirm_on=confirm_on)
        pay(order, order.total, paid_on, today=TODAY)
        return order

    def ship(self, order: Order, serials: Sequence[str], on: date = date(2026, 3, 4)) -> Shipment:
        return ship(order, {self.board: serials}, on=on)

    def elsewhere(self) -> Shop:
        """The same products under another distributor's agreement."""
        agreement = make_active_agreement(products=[self.board, self.cable])
        agent = make_user(role=Role.DISTRIBUTOR, distributor=agreement.distributor)
        return Shop(agreement, self.board, self.cable, agent, self.sales, self.finance)


def make_shop(distributor: Distributor | None = None, *, terms: Terms = SEED_TERMS) -> Shop:
    board, cable = make_product("PBX-EXT-16"), make_product("ACC-CBL", serialized=False)
    make_price_list({board: ("1000.00", "1200.00", "1500.00"), cable: ("10.00", "12.00", "15.00")}, published_on=START)
    agreement = make_active_agreement(distributor, products=[board, cable], terms=terms)
    return Shop(
        agreement,
        board,
        cable,
        make_user(role=Role.DISTRIBUTOR, distributor=agreement.distributor),
        make_user(role=Role.SALES),
        make_user(role=Role.FINANCE),
    )


def active_agreement_of(distributor: Distributor) -> Agreement:
    """The distributor's active agreement, made (as a :func:`make_shop`) the first time: a second
    would overlap the first. For the access guard's foreign records, which share it."""
    existing = db.session.scalar(
        select(Agreement).where(Agreement.distributor_id == distributor.id, Agreement.status == AgreementStatus.ACTIVE)
    )
    return existing or make_shop(distributor).agreement


# --- Notices ----------------------------------------------------------------------------------------


def make_notice(
    distributor: Distributor,
    *,
    issued_on: date = date(2027, 3, 5),
    notice_type: NoticeType = NoticeType.WARNING,
    message_zh: str = "贵公司三月份月报逾期未交，请于本月内补交。",
    message_en: str = "Your March report is overdue; please send it this month.",
    **kwargs: Any,
) -> Notice:
    """A committed warning (by default) to ``distributor``, issued through the same service as the
    portal (numbered, rendered, audited); other types take their own context."""
    if notice_type is NoticeType.WARNING:
        kwargs.setdefault("message_zh", message_zh)
        kwargs.setdefault("message_en", message_en)
    notice = issue_notice(distributor, notice_type, issued_on, **kwargs)
    db.session.commit()
    return notice


# For the access guard: a record of each scoped model that belongs to ``other`` (another
# distributor). A model loaded by @loads on a route a distributor may use must have a builder, or
# tests/test_access.py fails and says so. Areas register theirs in tests/<area>/builders.py with
# @foreign_record(Model); test_access imports every such module.
FOREIGN_RECORDS: dict[type, Callable[[Distributor], Any]] = {}


def foreign_record(model: type) -> Callable[[Callable[[Distributor], Any]], Callable[[Distributor], Any]]:
    def register(builder: Callable[[Distributor], Any]) -> Callable[[Distributor], Any]:
        FOREIGN_RECORDS[model] = builder
        return builder

    return register


@foreign_record(Distributor)
def foreign_distributor(other: Distributor) -> Distributor:
    return other


@foreign_record(ApiToken)
def foreign_api_token(other: Distributor) -> ApiToken:
    owner = make_user(role=Role.DISTRIBUTOR, distributor=other)
    create_token(owner, "theirs")
    return db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == owner.id))
