"""Benchmark data in bulk (issue 11): years of realistic, consistent history for N × 500 distributors.

    .venv/bin/python bench/generate.py --scale 1 --database-url sqlite:///instance/bench.sqlite3
    flask --app wsgi portal generate --scale 1

Scale 1 is 500 distributors over five years ending today (``portal.clock.today``): their regions
and territories, agreements in two-year terms with quarterly quotas, about 40,000 orders with
200,000 lines, their payments (deposits and balances, some late, some still outstanding, each with
a unique bank reference), shipments and about 500,000 boards, monthly repair batches in every state
with about 100,000 lines, monthly reports with sell-through lines, written notices, price lists and
about 200,000 audit events. Scale 10 is ten times each count; a fraction (0.005) makes a few
distributors for the tests.

Every row goes through the models' tables with bulk INSERTs (SQLAlchemy Core, executemany in chunks
of :data:`CHUNK`, explicit ids; on PostgreSQL the same rows through COPY), not through the session:
no audit tracking and no per-change compliance refresh. The amounts come from the domain's money
functions (``Line.amount``, ``orders.confirm``, ``orders.payment_state``, ``repairs.fee_cap``,
``repairs.batch_fees``), the dates from its date functions (``add_months`` for every warranty end,
``add_days``), and the statuses from the payments and shipments the way the services derive them.
At the end the kept-current quarter figures are filled once by the same refresh the daily command
runs (``compliance.figures.refresh``, a few hundred distributors at a time), every ended quarter is
assessed (:func:`assessments`: the last one waiting for head office's review, the earlier ones
reviewed), the notice counters are set past the numbers used, and on PostgreSQL every id sequence is
moved past the ids written.

Logins (every password is ``portal-demo-2026``, hashed once and shared):

* ``admin`` (administrator), ``sales`` (head-office sales), ``finance`` (head-office finance);
* one distributor user per distributor, named after its code lowercased: ``zj00001``,
  ``gd00002``, … (the province's letters and the distributor's number, from 1).

The generator refuses a database that already has users, distributors, regions or products;
``reset=True`` (``--reset``) first deletes every row of every table.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import click
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection

from .accounts.models import User
from .agreements.models import Agreement, AgreementTerms, Territory, agreement_products
from .assessments.models import Assessment
from .assessments.services import assessment_rows
from .audit.models import AuditEvent
from .boards.models import Board, BoardWindow, Shipment, ShipmentLine
from .boards.tallies import refresh_tallies
from .clock import BUSINESS_TZ, today
from .compliance.figures import refresh
from .compliance.models import QuarterFigures
from .distributors.models import Distributor
from .domain import compliance as rules
from .domain import orders as order_rules
from .domain import repairs as repair_rules
from .domain.agreements import AgreementStatus, Terms
from .domain.assessments import AssessmentOutcome, last_ended_quarter, quarter_name
from .domain.dates import add_days, add_months, quarter_bounds, quarter_of
from .domain.distributors import DistributorStatus, Level
from .domain.money import round_fen
from .domain.notices import NoticeType, notice_number
from .domain.orders import OrderStatus
from .domain.pricing import PriceListStatus
from .domain.regions import RegionLevel, level_of, parent_code
from .domain.repairs import COVERED_CAUSES, BatchStatus, FaultCause, RatingLevel, RepairOutcome
from .domain.reports import ViolationKind, report_due_on
from .domain.roles import Role
from .domain.warranty import Coverage, CoverageClass, post_repair_window, warranty_end
from .extensions import db
from .notices.models import Notice, NoticeCounter
from .orders.models import Order, OrderLine
from .pricing.demo import THIS_YEAR as BASE_PRICES  # first level, second level, minimum resale
from .pricing.models import PriceList, PriceListItem
from .products.demo import DEMO_PRODUCTS
from .products.models import Product
from .receivables.models import Payment
from .regions.models import Region
from .regions.services import cpca_rows
from .repairs.models import RepairBatch, RepairFeePayment, RepairLine, RepairRating
from .repairs.owed import refresh_fees_owed
from .reports.models import MonthlyReport, ReportInventoryLine, ReportSaleLine, Violation
from .transactions import transaction

PASSWORD = "portal-demo-2026"
CHUNK = 5_000
REFRESH_CHUNK = 250  # distributors per refresh of the quarter figures
# Scale 1.
DISTRIBUTORS = 500
ORDERS = 40_000
REPAIR_LINES = 100_000
AUDIT_EVENTS = 200_000
YEARS = 5

ZERO = Decimal("0.00")
BANKS = ("ICBC", "CCB", "BOC", "ABC", "CMB", "BOCOM")
CARRIERS = ("顺丰速运", "德邦物流", "中通快递", "京东物流")
PROVINCE_LETTERS = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL", "23": "HL",
    "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX", "37": "SD", "41": "HA",
    "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI", "50": "CQ", "51": "SC", "52": "GZ",
    "53": "YN", "54": "XZ", "61": "SN", "62": "GS", "63": "QH", "64": "NX", "65": "XJ",
}  # fmt: skip
BRANDS = ("云帆", "启明", "华南", "锦程", "楚天", "恒通", "博远", "联创", "信达", "天成", "汇通", "宏图")
TRADES = ("科技", "智能设备", "电子贸易", "信息技术", "数码", "通信工程")
SURNAMES = ("陈", "王", "李", "赵", "周", "刘", "孙", "吴", "郑", "徐")
GIVEN = ("立新", "婷", "海", "明", "强", "洋", "敏", "军", "芳", "伟", "静", "磊")
STREETS = ("文三路", "科技园", "高新大道", "中山路")
FAULTS = ("无法开机", "端口无响应", "间歇性掉线", "指示灯异常", "通话有杂音", "固件升级失败")


# A batch's steps in order and the state each leads to (domain.repairs.TRANSITIONS).
BATCH_STEPS = (
    ("shipped", BatchStatus.SHIPPED),
    ("received", BatchStatus.RECEIVED),
    ("inspected", BatchStatus.INSPECTED),
    ("repaired", BatchStatus.REPAIRED),
    ("notified", BatchStatus.NOTIFIED),
    ("paid", BatchStatus.PAID),
    ("returned", BatchStatus.RETURNED),
)


class NotEmpty(click.ClickException):
    pass


@dataclass
class Counts:
    """The targets of one scale."""

    distributors: int
    orders: int
    repair_lines: int
    audit_events: int

    @classmethod
    def at(cls, scale: float) -> Counts:
        return cls(
            max(2, round(DISTRIBUTORS * scale)),
            max(20, round(ORDERS * scale)),
            max(10, round(REPAIR_LINES * scale)),
            max(20, round(AUDIT_EVENTS * scale)),
        )


@dataclass
class AgreementPlan:
    id: int
    number: str
    distributor_id: int
    level: Level
    starts_on: date
    ends_on: date
    terminated_on: date | None
    terms: Terms
    regions: list[str]

    @property
    def last_day(self) -> date:
        return add_days(self.terminated_on, -1) if self.terminated_on else self.ends_on

    def binds(self, on: date) -> bool:
        return self.starts_on <= on <= self.last_day


@dataclass
class DistributorPlan:
    id: int
    code: str
    name: str
    region_code: str
    status: DistributorStatus
    level: Level
    user_id: int
    agreements: list[AgreementPlan] = field(default_factory=list)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A business-hours moment of ``day`` (Asia/Shanghai), as the UTC timestamp stored."""
    return datetime.combine(day, time(hour, minute), BUSINESS_TZ).astimezone(UTC)


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_last_day(year: int, month: int) -> date:
    return add_days(date(year + (month == 12), month % 12 + 1, 1), -1)


class Writer:
    """Buffers rows per table and writes them in chunks of executemany INSERTs. A flush writes every
    buffer in the metadata's dependency order, so a row's parents are always written before it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.buffers: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.written: dict[str, int] = defaultdict(int)
        self.order = {table: index for index, table in enumerate(db.metadata.sorted_tables)}
        self.pending = 0

    def add(self, table: Any, row: dict[str, Any]) -> None:
        table = getattr(table, "__table__", table)
        self.buffers[table].append(row)
        self.pending += 1

    def maybe_flush(self) -> None:
        """Called between whole records (an order with its lines, payments, shipments and boards),
        never in the middle of one, so every row written has its parents."""
        if self.pending >= 4 * CHUNK:
            self.flush()

    def flush(self) -> None:
        for table in sorted(self.buffers, key=self.order.__getitem__):
            rows = self.buffers[table]
            if self.connection.dialect.name == "postgresql":
                self._copy(table, rows)
            else:
                for start in range(0, len(rows), CHUNK):
                    self.connection.execute(insert(table), rows[start : start + CHUNK])
            self.written[table.name] += len(rows)
        self.buffers.clear()
        self.pending = 0

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """PostgreSQL: the same rows through COPY, twice as fast as executemany here; each value
        goes through its column type's bind processor (Money to fen, enums to their values)."""
        columns = list(table.c)
        dialect = self.connection.dialect
        processors = [column.type._cached_bind_processor(dialect) for column in columns]
        names = ", ".join(f'"{column.name}"' for column in columns)
        cursor = self.connection.connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        process(row.get(column.name)) if process else row.get(column.name)
                        for column, process in zip(columns, processors, strict=True)
                    ]
                )


class Ids:
    """The next explicit id per table (the database starts empty)."""

    def __init__(self) -> None:
        self.counters: dict[str, Iterator[int]] = defaultdict(lambda: itertools.count(1))

    def __call__(self, name: str) -> int:
        return next(self.counters[name])


class Generator:
    def __init__(self, connection: Connection, scale: float, *, on: date, seed: int, progress: bool) -> None:
        self.w = Writer(connection)
        self.connection = connection
        self.counts = Counts.at(scale)
        self.today = on
        self.random = random.Random(seed)
        self.ids = Ids()
        self.progress = progress
        self.start = date(on.year - YEARS, on.month, 1)
        self.notice_sequences: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self.bank_references = itertools.count(1)
        self.serials = itertools.count(1)
        # The story below writes about 235,000 events at scale 1; keep this share of them.
        self.audit_share = min(1.0, self.counts.audit_events / (235_000 * scale))

    # --- small helpers ---------------------------------------------------------------------------

    def bar(self, items: Any, label: str) -> Iterator[Any]:
        """``items``, with a progress bar of the phase (none in the tests)."""
        if not self.progress:
            yield from items
            return
        with click.progressbar(list(items), label=f"{label:<24}", show_pos=True, width=30) as bar:
            yield from bar

    def reference(self, day: date) -> str:
        return f"{self.random.choice(BANKS)}{day:%Y%m%d}{next(self.bank_references):08d}"

    def audit(
        self, at: datetime, actor: tuple[int | None, str], action: str, table: str, record: int, changes: Any
    ) -> None:
        if self.random.random() >= self.audit_share:
            return
        self.w.add(
            AuditEvent,
            {
                "id": self.ids("audit_events"),
                "at": at,
                "actor_id": actor[0],
                "actor_name": actor[1],
                "action": action,
                "table_name": table,
                "record_id": str(record),
                "changes": changes,
                "reason": "",
            },
        )

    def notice(
        self,
        kind: NoticeType,
        distributor: DistributorPlan,
        issued_on: date,
        title: tuple[str, str],
        *,
        agreement_id: int | None = None,
        price_list_id: int | None = None,
        effective_on: date | None = None,
    ) -> int:
        notice_id = self.ids("notices")
        sequence = next(self.notice_sequences[issued_on.year])
        acknowledged = issued_on + timedelta(days=self.random.randint(0, 6))
        read = acknowledged <= self.today and self.random.random() < 0.85
        self.w.add(
            Notice,
            {
                "id": notice_id,
                "number": notice_number(issued_on.year, sequence),
                "year": issued_on.year,
                "sequence": sequence,
                "type": kind,
                "distributor_id": distributor.id,
                "issued_on": issued_on,
                "effective_on": effective_on,
                "title_zh": title[0],
                "title_en": title[1],
                "body_zh": f"{distributor.name}：{title[0]}。",
                "body_en": f"To {distributor.code}: {title[1]}.",
                "agreement_id": agreement_id,
                "price_list_id": price_list_id,
                "issued_by_id": self.sales_id,
                "created_at": _at(issued_on, 9),
                "acknowledged_at": _at(acknowledged, 15) if read else None,
                "acknowledged_by_id": distributor.user_id if read else None,
                "emailed_at": _at(issued_on, 9, 5),
            },
        )
        return notice_id

    # --- the phases ------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self.regions()
        self.catalogue()
        self.people()
        self.history()
        self.w.flush()
        self.counters()
        return dict(self.w.written)

    def regions(self) -> None:
        rows = cpca_rows()
        codes = {row.code for row in rows}
        depth = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.DISTRICT: 2}
        self.cities: list[tuple[str, str]] = []
        self.districts: dict[str, list[str]] = defaultdict(list)
        names = {}
        for row in self.bar(sorted(rows, key=lambda r: (depth[level_of(r.code)], r.code)), "regions"):
            level = level_of(row.code)
            parent = parent_code(row.code, codes)
            names[row.code] = row.name
            self.w.add(
                Region,
                {
                    "code": row.code,
                    "name": row.name,
                    "level": level,
                    "parent_code": parent,
                    "longitude": row.longitude,
                    "latitude": row.latitude,
                },
            )
            if level is RegionLevel.CITY and row.code[:2] in PROVINCE_LETTERS:
                self.cities.append((row.code, row.name))
            elif level is RegionLevel.DISTRICT and parent and level_of(parent) is RegionLevel.CITY:
                self.districts[parent].append(row.code)
        self.w.flush()

    def catalogue(self) -> None:
        """The demo products, one published price list a year (each year's prices 3% above the
        last's), next year's draft, and the head-office users."""
        self.products: list[tuple[int, str, bool]] = []
        for sku, name_zh, name_en, category, serialized in DEMO_PRODUCTS:
            product_id = self.ids("products")
            self.products.append((product_id, sku, serialized))
            self.w.add(
                Product,
                {
                    "id": product_id,
                    "sku": sku,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "category": category,
                    "serialized": serialized,
                    "active": True,
                },
            )
        someone = User(role=Role.ADMIN)  # never added to a session: only its hash is kept
        someone.set_password(PASSWORD)
        self.hash = someone.password_hash
        staff = [
            ("admin", Role.ADMIN, "系统管理员 Admin"),
            ("sales", Role.SALES, "刘洋 (销售)"),
            ("finance", Role.FINANCE, "孙敏 (财务)"),
        ]
        self.staff: dict[str, tuple[int, str]] = {}
        for username, role, full_name in staff:
            user_id = self.ids("users")
            self.staff[username] = (user_id, username)
            self.w.add(User, self._user(user_id, username, role, full_name, None, self.start))
        self.sales_id = self.staff["sales"][0]
        # price list id by year, and the prices: (list id, product id) -> (level1, level2, floor)
        self.lists: dict[int, int] = {}
        self.prices: dict[int, dict[int, tuple[Decimal, Decimal, Decimal]]] = {}
        for year in range(self.start.year, self.today.year + 2):
            list_id = self.ids("price_lists")
            factor = Decimal("1.03") ** (year - self.today.year)
            draft = year > self.today.year
            published_on = date(year - 1, 12, 10)
            self.w.add(
                PriceList,
                {
                    "id": list_id,
                    "version": f"{year} 价格表" + ("（草稿）" if draft else ""),
                    "effective_from": date(year, 1, 1),
                    "status": PriceListStatus.DRAFT if draft else PriceListStatus.PUBLISHED,
                    "note": "年度价格表（附件一）。",
                    "created_at": _at(date(year - 1, 12, 1)),
                    "published_at": None if draft else _at(published_on),
                    "published_by_id": None if draft else self.sales_id,
                },
            )
            prices = {}
            for product_id, sku, _ in self.products:
                level1, level2, floor = (
                    round_fen(Decimal(v) * factor).quantize(Decimal("1")) for v in BASE_PRICES[sku]
                )
                prices[product_id] = (Decimal(level1), Decimal(level2), Decimal(floor))
                self.w.add(
                    PriceListItem,
                    {
                        "id": self.ids("price_list_items"),
                        "price_list_id": list_id,
                        "product_id": product_id,
                        "price_level1": prices[product_id][0],
                        "price_level2": prices[product_id][1],
                        "min_resale_price": prices[product_id][2],
                    },
                )
            if not draft:
                self.lists[year] = list_id
                self.prices[year] = prices
        self.w.flush()

    def _user(
        self, user_id: int, username: str, role: Role, full_name: str, distributor_id: int | None, since: date
    ) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": username,
            "full_name": full_name,
            "email": f"{username}@example.cn",
            "role": role,
            "distributor_id": distributor_id,
            "active": True,
            "password_hash": self.hash,
            "session_version": 1,
            "last_login_at": None,
            "created_at": _at(since, 9),
        }

    def price(self, on: date, product_id: int, level: Level) -> Decimal:
        level1, level2, _ = self.prices[on.year][product_id]
        return level1 if level is Level.FIRST else level2

    def people(self) -> None:
        """Distributors, their agreements (two-year terms from a start in the first year, the
        last one running today; a few distributors closed, their last agreement terminated),
        territories and one user each."""
        rnd = self.random
        self.distributors: list[DistributorPlan] = []
        for number in self.bar(range(1, self.counts.distributors + 1), "distributors"):
            city, city_name = rnd.choice(self.cities)
            code = f"{PROVINCE_LETTERS[city[:2]]}{number:05d}"
            roll = rnd.random()
            status = (
                DistributorStatus.CLOSED
                if roll < 0.02
                else DistributorStatus.SUSPENDED
                if roll < 0.04
                else DistributorStatus.ACTIVE
            )
            level = Level.FIRST if rnd.random() < 0.35 else Level.SECOND
            onboarded = add_months(self.start, rnd.randint(0, 11))
            plan = DistributorPlan(
                self.ids("distributors"),
                code,
                f"{city_name.removesuffix('市')}{rnd.choice(BRANDS)}{rnd.choice(TRADES)}有限公司",
                city,
                status,
                level,
                0,
            )
            contact = rnd.choice(SURNAMES) + rnd.choice(GIVEN)
            self.w.add(
                Distributor,
                {
                    "id": plan.id,
                    "code": code,
                    "name": plan.name,
                    "credit_code": f"91{city}MA{number:07d}{'ABCDEFGHJK'[number % 10]}",
                    "level": level,
                    "status": status,
                    "contact_name": contact,
                    "contact_phone": f"0{rnd.randint(10, 999)}-{rnd.randint(2000, 8999)} {rnd.randint(1000, 9999)}",
                    "contact_email": f"{code.lower()}@example.cn",
                    "address": f"{city_name}{rnd.choice(STREETS)} {rnd.randint(1, 999)} 号",
                    "region_code": city,
                    "created_at": _at(add_days(onboarded, -30)),
                },
            )
            plan.user_id = self.ids("users")
            self.w.add(User, self._user(plan.user_id, code.lower(), Role.DISTRIBUTOR, contact, plan.id, onboarded))
            self._agreements(plan, onboarded)
            self.distributors.append(plan)
        self.w.flush()

    def _agreements(self, plan: DistributorPlan, onboarded: date) -> None:
        rnd = self.random
        starts_on = onboarded
        territory = [plan.region_code, *rnd.sample(self.districts.get(plan.region_code, []), k=0)]
        districts = self.districts.get(plan.region_code, [])
        if districts:
            territory = [plan.region_code, rnd.choice(districts)] if rnd.random() < 0.3 else [plan.region_code]
        term = 1
        while starts_on <= self.today:
            ends_on = add_days(add_months(starts_on, 24), -1)
            last = ends_on >= self.today
            terminated_on = None
            if last and plan.status is DistributorStatus.CLOSED:
                terminated_on = add_days(self.today, -rnd.randint(30, 200))
                terminated_on = max(terminated_on, add_days(starts_on, 40))
                if terminated_on > self.today:
                    terminated_on = None
            quota = Decimal(rnd.choice((40_000, 60_000, 80_000, 100_000))) * (2 if plan.level is Level.FIRST else 1)
            terms = Terms(first_order_min=Decimal("20000.00"), quarterly_quota=Decimal(quota).quantize(Decimal("0.01")))
            agreement = AgreementPlan(
                self.ids("agreements"),
                f"XS-{starts_on.year}-{plan.code}-{term}",
                plan.id,
                plan.level,
                starts_on,
                ends_on,
                terminated_on,
                terms,
                territory,
            )
            signed_on = add_days(starts_on, -rnd.randint(7, 30))
            if terminated_on is not None:
                status = AgreementStatus.TERMINATED
            else:
                status = AgreementStatus.ACTIVE if ends_on >= self.today else AgreementStatus.EXPIRED
            self.w.add(
                Agreement,
                {
                    "id": agreement.id,
                    "number": agreement.number,
                    "distributor_id": plan.id,
                    "level": plan.level,
                    "signed_on": signed_on,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "status": status,
                    "activated_on": signed_on,
                    "terminated_on": terminated_on,
                    "created_at": _at(signed_on),
                },
            )
            self.w.add(
                AgreementTerms,
                {
                    "id": self.ids("agreement_terms"),
                    "agreement_id": agreement.id,
                    "effective_from": starts_on,
                    "note": "",
                    **terms.as_dict(),
                },
            )
            for product_id, _, _ in self.products:
                self.w.add(agreement_products, {"agreement_id": agreement.id, "product_id": product_id})
            for region in territory:
                self.w.add(
                    Territory,
                    {
                        "id": self.ids("territories"),
                        "agreement_id": agreement.id,
                        "region_code": region,
                        "granted_on": starts_on,
                        "revoked_on": None,
                        "revoked_effective_on": None,
                        "revocation_notice_id": None,
                    },
                )
            self.audit(
                _at(signed_on),
                self.staff["sales"],
                "insert",
                "agreements",
                agreement.id,
                {"number": [None, agreement.number]},
            )
            plan.agreements.append(agreement)
            if terminated_on is not None:
                break
            starts_on = add_days(ends_on, 1)
            term += 1

    def history(self) -> None:
        days = sum(
            (min(a.last_day, self.today) - a.starts_on).days + 1 for d in self.distributors for a in d.agreements
        )
        months = days / 30.44
        self.orders_per_month = self.counts.orders / max(months, 1)
        # A batch's lines average 6.5; a distributor ships one in this share of its months.
        self.batch_share = min(1.0, self.counts.repair_lines / 6.5 / max(months, 1))
        for plan in self.bar(self.distributors, "orders, boards, repairs"):
            boards: list[tuple[int, date, date, Decimal, int]] = []
            for agreement in plan.agreements:
                self._price_notices(plan, agreement)
                self._orders(plan, agreement, boards)
            self._repairs(plan, boards)
            self._reports(plan)
            self.w.maybe_flush()
            if plan.agreements[-1].terminated_on is not None:
                agreement = plan.agreements[-1]
                assert agreement.terminated_on is not None
                issued = add_months(agreement.terminated_on, -1)
                self.notice(
                    NoticeType.TERMINATION,
                    plan,
                    min(issued, self.today),
                    ("协议终止通知", "Notice of termination"),
                    agreement_id=agreement.id,
                    effective_on=agreement.terminated_on,
                )

    def _price_notices(self, plan: DistributorPlan, agreement: AgreementPlan) -> None:
        for year, list_id in self.lists.items():
            published_on = date(year - 1, 12, 10)
            if agreement.binds(published_on) and published_on <= self.today:
                self.notice(
                    NoticeType.PRICE_LIST,
                    plan,
                    published_on,
                    (f"{year} 年价格表", f"The {year} price list"),
                    agreement_id=agreement.id,
                    price_list_id=list_id,
                    effective_on=date(year, 1, 1),
                )

    # --- orders, payments, shipments, boards ------------------------------------------------------

    def _orders(self, plan: DistributorPlan, agreement: AgreementPlan, boards: list[Any]) -> None:
        rnd = self.random
        last = min(agreement.last_day, self.today)
        first_order = True
        for year, month in _months(agreement.starts_on, last):
            lo = max(date(year, month, 1), agreement.starts_on)
            hi = min(_month_last_day(year, month), last)
            expected = self.orders_per_month * ((hi - lo).days + 1) / _month_last_day(year, month).day
            whole = int(expected)
            count = whole + (rnd.random() < expected - whole)
            if first_order:
                count = max(count, 1)
            days = sorted(lo + timedelta(days=rnd.randint(0, (hi - lo).days)) for _ in range(count))
            for day in days:
                self._order(plan, agreement, day, first_order, boards)
                self.w.maybe_flush()
                first_order = False

    def _order(self, plan: DistributorPlan, agreement: AgreementPlan, on: date, first: bool, boards: list[Any]) -> None:
        rnd, today = self.random, self.today
        order_id = self.ids("orders")
        distributor_user = (plan.user_id, plan.code.lower())
        # The story's dates; a step later than today has not happened yet.
        age = (today - on).days
        # One order in fifty is cancelled before head office confirms it, one in fifty confirmed
        # and cancelled when its deposit never came.
        roll = 1.0 if first else rnd.random()
        submitted_on: date | None = on if (first or age > 1 or rnd.random() < 0.5) else None
        # Confirmed within two days, never after the agreement's last day; not yet when after today.
        confirm_on = min(add_days(on, rnd.randint(0, 2)), agreement.last_day) if submitted_on else None
        if confirm_on is not None and confirm_on > today:
            confirm_on = None
        lines = self._lines(agreement, confirm_on or on, first)
        total = order_rules.order_total(line for _, _, line in lines)
        row: dict[str, Any] = {
            "id": order_id,
            "number": f"PO-{on.year}-{order_id:06d}",
            "distributor_id": plan.id,
            "agreement_id": agreement.id,
            "period": f"{on.year}-{on.month:02d}",
            "wanted_delivery_on": add_days(on, 30),
            "notes": "",
            "status": OrderStatus.DRAFT,
            "is_first_order": False,
            "total": total,
            "price_list_id": None,
            "confirmed_on": None,
            "deposit_amount": None,
            "balance_amount": None,
            "deposit_due_on": None,
            "paid_amount": ZERO,
            "deposit_paid_on": None,
            "paid_in_full_on": None,
            "delivery_due_on": None,
            "shipped_on": None,
            "submitted_on": submitted_on,
            "cancelled_on": None,
            "cancel_reason": "",
            "reminder_notice_id": None,
            "created_at": _at(on, 9, rnd.randint(0, 59)),
            "created_by_id": plan.user_id,
        }
        self.audit(
            row["created_at"],
            distributor_user,
            "insert",
            "orders",
            order_id,
            {"number": [None, row["number"]], "total": [None, f"{total:.2f}"]},
        )
        shipped: dict[int, int] = {}
        if submitted_on is not None:
            row["status"] = OrderStatus.SUBMITTED
        cancel_on = add_days(on, rnd.randint(0, 3))
        if roll < 0.02 and cancel_on <= today:
            row.update(status=OrderStatus.CANCELLED, cancelled_on=cancel_on, cancel_reason="客户取消采购计划")
        elif confirm_on is not None:
            shipped = self._confirm(plan, agreement, row, lines, confirm_on, first, roll < 0.04, boards)
        for product_id, _, line in lines:
            self.w.add(
                OrderLine,
                {
                    "id": self.ids("order_lines"),
                    "order_id": order_id,
                    "product_id": product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "amount": line.amount,
                    "shipped_quantity": shipped.get(product_id, 0),
                },
            )
        self.w.add(Order, row)

    def _lines(
        self, agreement: AgreementPlan, priced_on: date, first: bool
    ) -> list[tuple[int, bool, order_rules.Line]]:
        """Three to seven products, priced from the list in force on the day (the confirmation day
        once confirmed) for the agreement's level; the first order reaches the first-order minimum
        (§2.1)."""
        rnd = self.random
        chosen = sorted(rnd.sample(self.products, k=rnd.randint(3, 7)), key=lambda p: p[0])
        lines = []
        for product_id, _, serialized in chosen:
            quantity = rnd.randint(1, 5) if serialized else rnd.randint(1, 4)
            price = self.price(priced_on, product_id, agreement.level)
            lines.append((product_id, serialized, order_rules.Line(quantity, price)))
        if first:
            product_id, serialized, line = lines[0]
            while order_rules.order_total(line for _, _, line in lines) < agreement.terms.first_order_min:
                line = order_rules.Line(line.quantity + 2, line.unit_price)
                lines[0] = (product_id, serialized, line)
        return lines

    def _confirm(
        self,
        plan: DistributorPlan,
        agreement: AgreementPlan,
        row: dict[str, Any],
        lines: list[tuple[int, bool, order_rules.Line]],
        confirm_on: date,
        first: bool,
        never_paid: bool,
        boards: list[Any],
    ) -> dict[int, int]:
        """Confirmation (§6.3.1: deposit and balance split by the domain), the payments, the status
        they give (orders.status_from_payments), then the shipments; returns the units shipped."""
        terms, total = agreement.terms, row["total"]
        confirmation = order_rules.confirm(
            total,
            is_first_order=first,
            deposit_percent=terms.deposit_percent,
            deposit_due_days=terms.deposit_due_days,
            confirmed_on=confirm_on,
        )
        row.update(
            status=OrderStatus.CONFIRMED,
            is_first_order=first,
            price_list_id=self.lists[confirm_on.year],
            confirmed_on=confirm_on,
            deposit_amount=confirmation.deposit_amount,
            balance_amount=confirmation.balance_amount,
            deposit_due_on=confirmation.deposit_due_on,
        )
        self.audit(
            _at(confirm_on, 11),
            self.staff["sales"],
            "update",
            "orders",
            row["id"],
            {"status": ["submitted", "confirmed"]},
        )
        payments = self._payments(plan, row["id"], confirm_on, confirmation, never_paid)
        state = order_rules.payment_state(
            [order_rules.Payment(amount, received) for amount, received in payments],
            deposit=confirmation.deposit_amount,
            total=total,
            confirmed_on=confirm_on,
        )
        status = order_rules.status_from_payments(OrderStatus.CONFIRMED, state)
        row.update(
            status=status,
            paid_amount=state.paid_amount,
            deposit_paid_on=state.deposit_paid_on,
            paid_in_full_on=state.paid_in_full_on,
            delivery_due_on=order_rules.delivery_due_on(state, terms.delivery_days),
        )
        cancel_on = add_days(confirmation.deposit_due_on, self.random.randint(5, 12))
        if never_paid and cancel_on <= self.today:
            row.update(status=OrderStatus.CANCELLED, cancelled_on=cancel_on, cancel_reason="定金逾期未付")
        if status is OrderStatus.PAID_IN_FULL:
            return self._shipments(plan, agreement, row, lines, state, boards)
        return {}

    def _payments(
        self,
        plan: DistributorPlan,
        order_id: int,
        confirmed_on: date,
        confirmation: order_rules.Confirmation,
        never: bool,
    ) -> list[tuple[Decimal, date]]:
        """The deposit (mostly within its 3 days, one in seven late, sometimes in two parts) and the
        balance (mostly within the delivery term, some late); what falls after today is still owed."""
        rnd, today = self.random, self.today
        paid: list[tuple[Decimal, date]] = []
        if never:
            return paid
        late = rnd.random() < 0.15
        deposit_on = add_days(confirmed_on, rnd.randint(4, 12) if late else rnd.randint(0, 3))
        parts = [confirmation.deposit_amount]
        if confirmation.deposit_amount > 1000 and rnd.random() < 0.1:
            half = round_fen(confirmation.deposit_amount / 2)
            parts = [half, confirmation.deposit_amount - half]
        for index, amount in enumerate(parts):
            day = add_days(deposit_on, index * 2)
            if day <= today:
                paid.append((amount, day))
        if confirmation.balance_amount > 0 and len(paid) == len(parts):
            balance_on = add_days(deposit_on, rnd.randint(31, 60) if rnd.random() < 0.1 else rnd.randint(3, 28))
            if balance_on <= today:
                paid.append((confirmation.balance_amount, balance_on))
        finance = self.staff["finance"]
        for amount, day in paid:
            payment_id = self._payment(plan, order_id, amount, day, _at(day, 16), finance[0])
            self.audit(_at(day, 16), finance, "insert", "payments", payment_id, {"amount": [None, f"{amount:.2f}"]})
        if paid and rnd.random() < 0.01:  # a payment keyed twice and voided the same day
            amount, day = paid[0]
            self._payment(
                plan,
                order_id,
                amount,
                day,
                _at(day, 16, 30),
                finance[0],
                voided_at=_at(day, 17),
                voided_by_id=finance[0],
                void_reason="重复录入",
            )
        return paid

    def _payment(
        self,
        plan: DistributorPlan,
        order_id: int,
        amount: Decimal,
        day: date,
        recorded_at: datetime,
        recorded_by_id: int,
        **voided: Any,
    ) -> int:
        """One payment row with a bank reference of its own (live unless ``voided`` says otherwise)."""
        payment_id = self.ids("payments")
        row = {
            "id": payment_id,
            "order_id": order_id,
            "distributor_id": plan.id,
            "amount": amount,
            "received_on": day,
            "bank_reference": self.reference(day),
            "payer": plan.name,
            "recorded_at": recorded_at,
            "recorded_by_id": recorded_by_id,
            "voided_at": None,
            "voided_by_id": None,
            "void_reason": "",
        }
        self.w.add(Payment, row | voided)
        return payment_id

    def _shipments(
        self,
        plan: DistributorPlan,
        agreement: AgreementPlan,
        order: dict[str, Any],
        lines: list[tuple[int, bool, order_rules.Line]],
        state: order_rules.PaymentState,
        boards: list[Any],
    ) -> dict[int, int]:
        """One shipment (one in ten: two) from the day it is paid in full, mostly before the delivery
        due date; what ships after today has not shipped yet."""
        rnd, today = self.random, self.today
        assert state.paid_in_full_on is not None
        due: date = order["delivery_due_on"]
        first_on = max(
            state.paid_in_full_on, add_days(due, rnd.randint(-20, 0) if rnd.random() < 0.9 else rnd.randint(1, 12))
        )
        plans: list[tuple[date, dict[int, int]]] = []
        if rnd.random() < 0.1 and any(line.quantity > 1 for _, _, line in lines):
            part = {p: line.quantity // 2 for p, _, line in lines if line.quantity // 2}
            rest = {p: line.quantity - part.get(p, 0) for p, _, line in lines}
            plans = [(first_on, part), (add_days(first_on, rnd.randint(7, 20)), {p: q for p, q in rest.items() if q})]
        else:
            plans = [(first_on, {p: line.quantity for p, _, line in lines})]
        shipped: dict[int, int] = defaultdict(int)
        prices = {p: line.unit_price for p, _, line in lines}
        serialized = {p: s for p, s, _ in lines}
        last_on = None
        for ship_on, quantities in plans:
            if ship_on > today:
                break
            shipment_id = self.ids("shipments")
            self.w.add(
                Shipment,
                {
                    "id": shipment_id,
                    "order_id": order["id"],
                    "shipped_on": ship_on,
                    "carrier": rnd.choice(CARRIERS),
                    "tracking_number": f"SF{shipment_id:012d}",
                    "replaces_shipment_id": None,
                    "lost_or_damaged": False,
                    "loss_note": "",
                    "created_at": _at(ship_on, 14),
                },
            )
            self.audit(
                _at(ship_on, 14),
                self.staff["sales"],
                "insert",
                "shipments",
                shipment_id,
                {"order_id": [None, order["id"]]},
            )
            end = warranty_end(ship_on, agreement.terms.warranty_months)  # add_months(shipped_on, 15)
            for product_id, quantity in quantities.items():
                self.w.add(
                    ShipmentLine,
                    {
                        "id": self.ids("shipment_lines"),
                        "shipment_id": shipment_id,
                        "product_id": product_id,
                        "quantity": quantity,
                    },
                )
                shipped[product_id] += quantity
                if not serialized[product_id]:
                    continue
                for _ in range(quantity):
                    board_id = self.ids("boards")
                    self.w.add(
                        Board,
                        {
                            "id": board_id,
                            "serial": f"SN{ship_on.year}-{next(self.serials):08d}",
                            "product_id": product_id,
                            "distributor_id": plan.id,
                            "order_id": order["id"],
                            "shipment_id": shipment_id,
                            "shipped_on": ship_on,
                            "warranty_end": end,
                            "unit_price": prices[product_id],
                        },
                    )
                    boards.append((board_id, ship_on, end, prices[product_id], product_id))
            last_on = ship_on
        if last_on is not None:
            every = all(shipped[p] == line.quantity for p, _, line in lines)
            if every:
                closed = (today - last_on).days > 60 and rnd.random() < 0.9
                order.update(status=OrderStatus.CLOSED if closed else OrderStatus.SHIPPED, shipped_on=last_on)
            else:
                order.update(status=OrderStatus.PARTLY_SHIPPED)
        return shipped

    # --- repair batches ---------------------------------------------------------------------------

    def _repairs(self, plan: DistributorPlan, boards: list[Any]) -> None:
        """A batch in about half the months once boards are out: shipped in the first ten days
        (some late), received, inspected, repaired within 30 days (some late), notified, paid
        (some late, some outstanding), returned and rated; the recent ones in every state."""
        rnd = self.random
        if not boards:
            return
        boards.sort(key=lambda b: b[1])
        available: list[Any] = []
        position = 0
        for agreement in plan.agreements:
            last = min(agreement.last_day, self.today)
            for year, month in _months(agreement.starts_on, last):
                first_day = date(year, month, 1)
                if first_day < agreement.starts_on:
                    continue
                while position < len(boards) and boards[position][1] < first_day:
                    available.append(boards[position])
                    position += 1
                current = (year, month) == (self.today.year, self.today.month)
                if not available or not (current or rnd.random() < self.batch_share):
                    continue
                count = min(len(available), rnd.randint(1, 12))
                chosen = []
                for _ in range(count):
                    index = rnd.randrange(len(available))
                    available[index], available[-1] = available[-1], available[index]
                    chosen.append(available.pop())
                self._batch(plan, agreement, year, month, chosen)
                self.w.maybe_flush()

    def _batch_story(self, terms: Terms, first_day: date) -> tuple[dict[str, date], dict[str, date]]:
        """Every step's planned date, and those that have happened by today: shipped in the first
        days of the month (one in twelve late), received, inspected, repaired within the turnaround
        (one in ten late), notified, paid (one in seven late; recent ones sometimes still owed),
        returned once paid."""
        rnd, today = self.random, self.today
        late_ship = rnd.random() < 0.08
        window = terms.repair_batch_window_days
        shipped_on = add_days(first_day, rnd.randint(window, window + 9) if late_ship else rnd.randint(0, window - 1))
        received_on = add_days(shipped_on, rnd.randint(2, 6))
        turnaround = terms.repair_turnaround_days
        late_repair = rnd.random() < 0.1
        repaired_on = add_days(
            received_on, rnd.randint(turnaround + 1, turnaround + 10) if late_repair else rnd.randint(8, turnaround - 2)
        )
        notified_on = add_days(repaired_on, rnd.randint(0, 2))
        plan = {
            "shipped": shipped_on,
            "received": received_on,
            "inspected": add_days(received_on, rnd.randint(2, (repaired_on - received_on).days)),
            "repaired": repaired_on,
            "notified": notified_on,
        }
        # Fees notified in the last four months are sometimes still unpaid (withheld once overdue).
        if not ((today - notified_on).days < 120 and rnd.random() < 0.25):
            paid_on = add_days(notified_on, rnd.randint(8, 25) if rnd.random() < 0.15 else rnd.randint(1, 7))
            plan |= {"paid": paid_on, "returned": add_days(paid_on, rnd.randint(1, 4))}
        happened = {name: day for name, day in plan.items() if day <= today}
        return plan, happened

    def _repair_line(
        self, batch_id: int, agreement: AgreementPlan, board: Any, happened: dict[str, date]
    ) -> tuple[dict[str, Any], repair_rules.InspectedLine | None]:
        """A line: its coverage class on the batch's shipping date (domain.repairs.classify) once
        shipped; once inspected a cause, an outcome and a fee within the cap (domain.repairs.fee_cap)."""
        rnd = self.random
        board_id, board_shipped_on, board_end, sale_price, product_id = board
        row: dict[str, Any] = dict.fromkeys(
            (
                "coverage_class",
                "cause",
                "outcome",
                "charged",
                "fee",
                "fee_basis",
                "fee_cap",
                "cap_price",
                "cap_percent",
                "inspected_on",
            )
        )
        row |= {
            "id": self.ids("repair_lines"),
            "batch_id": batch_id,
            "board_id": board_id,
            "fault_description": rnd.choice(FAULTS),
            "freight_share": ZERO,
        }
        if "shipped" not in happened:
            return row, None
        coverage_class = repair_rules.classify(Coverage(board_shipped_on, board_end, ()), happened["shipped"])
        row["coverage_class"] = coverage_class
        if "inspected" not in happened:
            return row, None
        inspected_on = happened["inspected"]
        cause = (
            rnd.choice([c for c in FaultCause if c in COVERED_CAUSES])
            if rnd.random() < 0.75
            else rnd.choice(list(FaultCause))
        )
        outcome = rnd.choices(list(RepairOutcome), (85, 10, 5))[0]
        cap = repair_rules.fee_cap(
            coverage_class=coverage_class,
            cause=cause,
            outcome=outcome,
            agent_price=self.price(inspected_on, product_id, agreement.level),
            sale_price=sale_price,
            cap_percent=agreement.terms.repair_fee_cap_percent,
        )
        fee = ZERO
        if cap.takes_a_fee:
            cost = Decimal(rnd.randint(80, 600))
            fee = cost if cap.cap is None else min(cost, cap.cap)
        row |= {
            "cause": cause,
            "outcome": outcome,
            "charged": cap.charged,
            "fee": fee,
            "fee_basis": cap.basis,
            "fee_cap": cap.cap,
            "cap_price": cap.price,
            "cap_percent": cap.percent,
            "inspected_on": inspected_on,
        }
        return row, repair_rules.InspectedLine(coverage_class, cause, outcome, fee)

    def _batch(self, plan: DistributorPlan, agreement: AgreementPlan, year: int, month: int, chosen: list[Any]) -> None:
        rnd, terms = self.random, agreement.terms
        month_name = f"{year}-{month:02d}"
        first_day = date(year, month, 1)
        story, happened = self._batch_story(terms, first_day)
        batch_id = self.ids("repair_batches")
        lines = [self._repair_line(batch_id, agreement, board, happened) for board in chosen]
        row: dict[str, Any] = {
            "id": batch_id,
            "number": f"FX-{plan.code}-{month_name}",
            "distributor_id": plan.id,
            "agreement_id": agreement.id,
            "month": month_name,
            "carrier": "",
            "tracking_number": "",
            "shipped_late": False,
            "turnaround_late": False,
            "return_carrier": "",
            "return_tracking_number": "",
            "return_freight": ZERO,
            "freight_charged": ZERO,
            "fees_total": sum((line["fee"] or ZERO for line, _ in lines), ZERO),
            "paid_amount": ZERO,
            "released": False,
            "release_reason": "",
            "created_at": _at(first_day, 9),
            "created_by_id": plan.user_id,
        }
        row |= dict.fromkeys(
            ("shipped_on", "received_on", "repair_due_on", "inspected_on", "repaired_on", "notified_on", "notice_id")
            + (
                "fees_due_on",
                "returned_on",
                "paid_on",
                "withheld_on",
                "reminder_notice_id",
                "released_on",
                "released_by_id",
            )
        )
        row["amount_due"] = row["fees_total"]
        row |= {f"{name}_on": day for name, day in happened.items() if name != "paid"}
        if "shipped" in happened:
            row |= {
                "carrier": rnd.choice(CARRIERS),
                "tracking_number": f"FX{batch_id:010d}",
                "shipped_late": not repair_rules.shipped_in_window(story["shipped"], terms.repair_batch_window_days),
            }
        if "received" in happened:
            row["repair_due_on"] = repair_rules.repair_due_on(story["received"], terms.repair_turnaround_days)
        if "repaired" in happened:
            row["turnaround_late"] = repair_rules.turnaround_is_late(
                story["received"], story["repaired"], terms.repair_turnaround_days
            )
        if "notified" in happened:
            self._notify(plan, agreement, row, lines, story, happened)
        status, since = BatchStatus.OPEN, first_day
        for name, state in BATCH_STEPS:
            if name in happened:
                status, since = state, happened[name]
        row |= {"status": status, "status_since": since}
        if row["returned_on"] is not None:
            row |= {"return_carrier": rnd.choice(CARRIERS), "return_tracking_number": f"HB{batch_id:010d}"}
        self.w.add(RepairBatch, row)
        self.audit(
            _at(first_day, 9),
            (plan.user_id, plan.code.lower()),
            "insert",
            "repair_batches",
            batch_id,
            {"month": [None, month_name]},
        )
        for line, _ in lines:
            self.w.add(RepairLine, line)
        self._after_return(plan, agreement, row, [line for line, _ in lines])

    def _notify(
        self,
        plan: DistributorPlan,
        agreement: AgreementPlan,
        row: dict[str, Any],
        lines: list[tuple[dict[str, Any], repair_rules.InspectedLine | None]],
        story: dict[str, date],
        happened: dict[str, date],
    ) -> None:
        """The fees notice (domain.repairs.batch_fees: fees and the return freight shared by the
        lines that pay it), the fees' due date, and what the payments say (paid at once when
        nothing is owed; withheld with one reminder once overdue)."""
        terms, notified_on = agreement.terms, story["notified"]
        return_freight = Decimal(self.random.randint(20, 90))
        fees = repair_rules.batch_fees(return_freight, [found for _, found in lines if found is not None])
        for (line, _), share in zip(lines, fees.freight, strict=True):
            line["freight_share"] = share
        fees_due_on = repair_rules.fees_due_on(notified_on, terms.repair_fee_due_days)
        row |= {
            "return_freight": return_freight,
            "fees_total": fees.fees_total,
            "freight_charged": fees.freight_charged,
            "amount_due": fees.amount_due,
            "fees_due_on": fees_due_on,
            "notice_id": self.notice(
                NoticeType.REPAIR_FEES,
                plan,
                notified_on,
                (f"返修批次 {row['month']} 维修完成及费用通知", f"Repair batch {row['month']}: repaired, fees due"),
                agreement_id=agreement.id,
            ),
        }
        if fees.amount_due <= 0:  # a notice of nothing owed is paid at once (status_from_payments)
            happened["paid"] = min(happened.get("paid", notified_on), notified_on)
            row["paid_on"] = notified_on
        elif "paid" in happened:
            row |= {"paid_amount": fees.amount_due, "paid_on": happened["paid"]}
        elif fees_due_on < self.today:
            row["withheld_on"] = add_days(fees_due_on, 1)
            row["reminder_notice_id"] = self.notice(
                NoticeType.PAYMENT_REMINDER,
                plan,
                row["withheld_on"],
                (f"返修批次 {row['month']} 维修费催缴", f"Repair batch {row['month']}: fees overdue"),
                agreement_id=agreement.id,
            )
        if "paid" not in happened:
            happened.pop("returned", None)
            row["returned_on"] = None

    def _after_return(
        self, plan: DistributorPlan, agreement: AgreementPlan, row: dict[str, Any], lines: list[dict[str, Any]]
    ) -> None:
        """The fee payment, the post-repair windows of the boards repaired out of coverage
        (domain.repairs.post_repair_window from the return date) and, seven times in ten, a rating."""
        rnd, terms = self.random, agreement.terms
        if row["paid_amount"] > 0:
            self.w.add(
                RepairFeePayment,
                {
                    "id": self.ids("repair_fee_payments"),
                    "batch_id": row["id"],
                    "distributor_id": plan.id,
                    "amount": row["paid_amount"],
                    "received_on": row["paid_on"],
                    "bank_reference": self.reference(row["paid_on"]),
                    "payer": plan.name,
                    "recorded_at": _at(row["paid_on"], 16),
                    "recorded_by_id": self.staff["finance"][0],
                    "voided_at": None,
                    "voided_by_id": None,
                    "void_reason": "",
                },
            )
        returned_on = row["returned_on"]
        if returned_on is None:
            return
        for line in lines:
            if line["outcome"] is RepairOutcome.REPAIRED and line["coverage_class"] is CoverageClass.OUT_OF_WARRANTY:
                window = post_repair_window(returned_on, terms.post_repair_warranty_months)
                self.w.add(
                    BoardWindow,
                    {
                        "id": self.ids("board_windows"),
                        "board_id": line["board_id"],
                        "starts_on": window.starts_on,
                        "ends_on": window.ends_on,
                        "repair_line_id": line["id"],
                    },
                )
        rated_on = add_days(returned_on, rnd.randint(2, 10))
        if rated_on <= self.today and rnd.random() < 0.7:
            levels = list(RatingLevel)
            self.w.add(
                RepairRating,
                {
                    "id": self.ids("repair_ratings"),
                    "batch_id": row["id"],
                    "distributor_id": plan.id,
                    **{
                        item: rnd.choices(levels, (5, 8, 3, 1))[0]
                        for item in ("attitude", "skill", "timeliness", "promises")
                    },
                    "comment": "",
                    "rated_on": rated_on,
                    "rated_by_id": plan.user_id,
                    "created_at": _at(rated_on, 11),
                },
            )

    # --- monthly reports --------------------------------------------------------------------------

    def _reports(self, plan: DistributorPlan) -> None:
        """A report of each month the agreement bound, due on the 10th of the next month: most on
        time, some late, a few never sent; two inventory lines and three sell-through lines, at or
        above the minimum resale price, in the territory (one report in a hundred has a sale below
        it, found as a violation)."""
        rnd, today = self.random, self.today
        serialized = [p for p, _, s in self.products if s]
        for agreement in plan.agreements:
            for year, month in _months(agreement.starts_on, min(agreement.last_day, today)):
                month_end = _month_last_day(year, month)
                if not agreement.binds(month_end) or month_end >= today:
                    continue
                due_on = report_due_on(year, month, agreement.terms.monthly_report_due_day)
                roll = rnd.random()
                if roll < 0.03:
                    continue  # never sent
                submitted_on = (
                    add_days(due_on, rnd.randint(1, 15)) if roll < 0.12 else add_days(due_on, -rnd.randint(0, 8))
                )
                submitted_on = max(submitted_on, add_days(month_end, 1))
                if submitted_on > today:
                    continue
                report_id = self.ids("monthly_reports")
                month_name = f"{year}-{month:02d}"
                self.w.add(
                    MonthlyReport,
                    {
                        "id": report_id,
                        "distributor_id": plan.id,
                        "agreement_id": agreement.id,
                        "month": month_name,
                        "due_on": due_on,
                        "submitted_on": submitted_on,
                        "submitted_at": _at(submitted_on, 17),
                        "submitted_by_id": plan.user_id,
                        "late": submitted_on > due_on,
                        "corrected_at": None,
                        "corrections": 0,
                        "note": "",
                    },
                )
                for product_id in rnd.sample(serialized, 2):
                    self.w.add(
                        ReportInventoryLine,
                        {
                            "id": self.ids("report_inventory_lines"),
                            "report_id": report_id,
                            "product_id": product_id,
                            "quantity": rnd.randint(0, 40),
                        },
                    )
                below = rnd.random() < 0.01
                for index, product_id in enumerate(rnd.sample(serialized, 3)):
                    sold_on = date(year, month, rnd.randint(1, month_end.day))
                    floor = self.prices[year][product_id][2]
                    price = round_fen(floor * Decimal(rnd.choice(("1.00", "1.05", "1.10", "1.20", "1.30"))))
                    if below and index == 0:
                        price = round_fen(floor * Decimal("0.90"))
                    customer = f"{rnd.choice(BRANDS)}{rnd.choice(('酒店', '医院', '学校', '物业', '工厂'))}"
                    region = rnd.choice(agreement.regions)
                    quantity = rnd.randint(1, 8)
                    self.w.add(
                        ReportSaleLine,
                        {
                            "id": self.ids("report_sale_lines"),
                            "report_id": report_id,
                            "sold_on": sold_on,
                            "customer": customer,
                            "region_code": region,
                            "product_id": product_id,
                            "quantity": quantity,
                            "unit_price": price,
                            "serials": "",
                        },
                    )
                    if below and index == 0:
                        self.w.add(
                            Violation,
                            {
                                "id": self.ids("violations"),
                                "distributor_id": plan.id,
                                "agreement_id": agreement.id,
                                "report_id": report_id,
                                "kind": ViolationKind.BELOW_PRICE,
                                "occurred_on": sold_on,
                                "found_on": submitted_on,
                                "customer": customer,
                                "region_code": region,
                                "product_id": product_id,
                                "quantity": quantity,
                                "unit_price": price,
                                "min_resale_price": floor,
                                "outlet_name": "",
                                "detail": "",
                                "dismissed_on": None,
                                "dismissed_at": None,
                                "dismissed_by_id": None,
                                "dismiss_reason": "",
                            },
                        )
                self.audit(
                    _at(submitted_on, 17),
                    (plan.user_id, plan.code.lower()),
                    "insert",
                    "monthly_reports",
                    report_id,
                    {"month": [None, month_name]},
                )

    def counters(self) -> None:
        """The notice counters past every number used, so the next notice issued gets a new one."""
        for year, sequence in sorted(self.notice_sequences.items()):
            last = next(sequence) - 1
            self.connection.execute(insert(NoticeCounter), [{"year": year, "last": last}])
            self.w.written["notice_counters"] += 1


#: Tables whose rows make a database "not empty" for the generator.
KEY_TABLES = (User, Distributor, Region, Product)


def is_empty() -> bool:
    return all(db.session.scalar(select(func.count()).select_from(model)) == 0 for model in KEY_TABLES)


def delete_everything() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(delete(table))


def _move_sequences(connection: Connection) -> None:
    """PostgreSQL: every id sequence past the ids written explicitly, so the next insert works."""
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                    f"FROM {table.name}"
                )
            )


def generate(
    scale: float,
    *,
    reset: bool = False,
    seed: int = 2026,
    progress: bool = True,
    echo: Callable[[str], None] = click.echo,
) -> dict[str, int]:
    """Fill the (empty) database at ``scale`` and return the rows written per table."""
    if scale <= 0:
        raise click.BadParameter("must be more than 0", param_hint="--scale")
    db.session.remove()
    empty = is_empty()
    db.session.remove()  # ends the session's transaction: SQLite lets one writer at a time
    if not empty:
        if not reset:
            raise NotEmpty(
                "The database is not empty: benchmark data goes into an empty database only "
                "(--reset deletes every row first)."
            )
        delete_everything()
    db.session.remove()
    on = today()
    with db.engine.begin() as connection:
        written = Generator(connection, scale, on=on, seed=seed, progress=progress).run()
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
    echo("Quarter figures …")
    # The daily command's full refresh, a few hundred distributors at a time (bounded memory at 10×).
    distributor_ids = db.session.scalars(select(Distributor.id).order_by(Distributor.id)).all()
    db.session.remove()
    written["quarter_figures"] = 0
    for start in range(0, len(distributor_ids), REFRESH_CHUNK):
        with transaction():
            written["quarter_figures"] += refresh(distributor_ids=distributor_ids[start : start + REFRESH_CHUNK], on=on)
    with transaction():  # the daily command's recount of the tallies kept per due day
        written["delivery_days"] = refresh_tallies(db.session(), None)
        written["repair_fees_owed"] = refresh_fees_owed(db.session(), None)
    db.session.remove()
    echo("Assessments …")
    written["assessments"] = assessments(on)
    db.session.remove()
    return written


def assessments(on: date) -> int:
    """Every ended quarter of the five years assessed as ``compute-assessments`` would on ``on``
    (assessments.services.assessment_rows, its §10 figures read from the kept-current table just
    filled by the same computation), each quarter's rows in bulk. All but the last ended quarter are
    reviewed, as head office would have, with the outcome "met" ten days after the quarter ended (a
    review that issues nothing); the last waits for its review."""
    last = last_ended_quarter(on)
    year, quarter = quarter_of(date(on.year - YEARS, on.month, 1))
    sales_id = db.session.scalar(select(User.id).where(User.username == "sales"))
    figures = [getattr(QuarterFigures, name) for name in ("agreement_id", *rules.MONEY_COLUMNS, *rules.COUNT_COLUMNS)]
    written = 0
    while (year, quarter) <= last:
        name = quarter_name(year, quarter)
        conduct = {
            row.agreement_id: rules.Figures.of(row).as_json()
            for row in db.session.execute(select(*figures).where(QuarterFigures.quarter == name))
        }
        rows = assessment_rows(year, quarter, on, conduct)
        if (year, quarter) < last:
            reviewed_on = add_days(quarter_bounds(year, quarter)[1], 10)
            for row in rows:
                row |= {
                    "outcome": AssessmentOutcome.MET,
                    "reviewed_on": reviewed_on,
                    "reviewed_at": _at(reviewed_on, 11),
                    "reviewed_by_id": sales_id,
                    "computed_on": reviewed_on,
                }
        with transaction():
            if rows:
                db.session.execute(insert(Assessment), rows)
        written += len(rows)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return written


def print_summary(written: dict[str, int], echo: Callable[[str], None] = click.echo) -> None:
    echo("Rows written:")
    for name, count in sorted(written.items()):
        echo(f"  {name:<24} {count:>10,}")
    echo(f"Logins (password {PASSWORD}): admin, sales, finance; distributors: their code lowercased, e.g.")
    codes = db.session.scalars(select(User.username).where(User.role == Role.DISTRIBUTOR).order_by(User.id).limit(3))
    echo("  " + ", ".join(codes))
