"""Demo agreements, territories and sub-agent requests, made through the services so every rule holds.

Dates are relative to ``today`` (the year before, this year, the next), so the demo looks the same
whenever it is loaded: agreements of both levels, one amended, one expired, one terminated by notice,
a draft for next year; overlapping territories (浙江省 to HZ001 and 杭州市 to SZ002 too);
sub-agent requests awaiting a decision, approved and rejected.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..accounts.models import User
from ..distributors.models import Distributor
from ..domain.agreements import SEED_TERMS, Terms
from ..domain.distributors import Level
from ..extensions import db
from ..products.demo import DEMO_SKUS
from ..products.models import Product
from ..regions.models import Region
from . import services
from .models import Agreement

BOARDS = tuple(sku for sku in DEMO_SKUS if sku.startswith("PBX-"))


def _terms(**changes: object) -> Terms:
    return Terms(**{**SEED_TERMS.as_dict(), **changes})


def _agreement(
    code: str,
    number: str,
    level: Level,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    skus: tuple[str, ...],
    terms: Terms = SEED_TERMS,
    *,
    activate: bool = True,
) -> Agreement:
    distributor = db.session.scalar(select(Distributor).where(Distributor.code == code))
    assert distributor is not None, code
    agreement = services.create_agreement(
        services.AgreementData(
            number=number,
            distributor_id=distributor.id,
            level=level,
            signed_on=signed_on,
            starts_on=starts_on,
            ends_on=ends_on,
            terms=terms,
            skus=skus,
        )
    )
    if activate:
        services.activate_agreement(agreement, max(starts_on, signed_on))
    return agreement


def _grant(agreement: Agreement, *codes: str, on: date | None = None) -> None:
    for code in codes:
        if db.session.get(Region, code) is not None:
            granted_on = on or agreement.starts_on
            services.grant_territory(agreement, code, granted_on, granted_on)


def _user_id(username: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.username == username))


def load(today: date) -> None:
    if db.session.scalar(select(Agreement.id).limit(1)) is not None:
        return
    known = set(db.session.scalars(select(Product.sku)))
    skus = tuple(sku for sku in DEMO_SKUS if sku in known)
    boards = tuple(sku for sku in BOARDS if sku in known)
    y = today.year
    sales = _user_id("sales")

    # HZ001, first level: a two-year agreement for all of Zhejiang, amended for its second year.
    hz = _agreement(
        "HZ001",
        f"XS-{y - 1}-001",
        Level.FIRST,
        date(y - 2, 12, 18),
        date(y - 1, 1, 1),
        date(y, 12, 31),
        skus,
        _terms(quarterly_quota=Decimal("100000.00"), delivery_days=20),
    )
    _grant(hz, "330000")
    services.amend_agreement(
        hz,
        date(y, 1, 1),
        _terms(quarterly_quota=Decimal("120000.00"), delivery_days=20, deposit_percent=Decimal("25.00")),
        "第二年续约补充协议：季度任务额提高至 12 万元，定金比例降至 25%",
        on=date(y - 1, 12, 15),
    )

    # SZ002, second level: Suzhou, and Hangzhou too (inside HZ001's Zhejiang: never exclusive, §1.2).
    sz = _agreement(
        "SZ002", f"XS-{y}-002", Level.SECOND, date(y - 1, 12, 10), date(y, 1, 1), date(y, 12, 31), boards[:4]
    )
    _grant(sz, "320500", "330100")

    # SZ003, first level: Shenzhen, Guangzhou and Dongguan (Dongguan is revoked after an assessment:
    # portal/assessments/demo.py).
    gd = _agreement(
        "SZ003", f"XS-{y - 1}-003", Level.FIRST, date(y - 1, 6, 20), date(y - 1, 7, 1), date(y + 1, 6, 30), skus
    )
    _grant(gd, "440300", "440100", "441900")

    # CD004, second level: last year's agreement terminated by notice, this year's active, next year's draft.
    old = _agreement(
        "CD004",
        f"XS-{y - 1}-004",
        Level.SECOND,
        date(y - 2, 12, 20),
        date(y - 1, 1, 1),
        date(y - 1, 12, 31),
        boards[:3],
    )
    _grant(old, "510100")
    services.terminate_agreement(
        old, date(y - 1, 9, 30), "擅自发展未经批准的下级代理商（第 1.3 条）", today, issued_by_id=sales
    )
    cd = _agreement(
        "CD004", f"XS-{y}-004", Level.SECOND, date(y - 1, 12, 20), date(y, 1, 1), date(y, 12, 31), boards[:3]
    )
    _grant(cd, "510100")
    draft = _agreement(
        "CD004",
        f"XS-{y + 1}-004",
        Level.SECOND,
        date(y + 1, 1, 1),
        date(y + 1, 1, 1),
        date(y + 1, 12, 31),
        boards,
        activate=False,
    )
    _grant(draft, "510000")

    # WH005 (now suspended): an agreement that expired at the end of last year.
    wh = _agreement(
        "WH005",
        f"XS-{y - 2}-005",
        Level.SECOND,
        date(y - 3, 12, 15),
        date(y - 2, 1, 1),
        date(y - 1, 12, 31),
        boards[:2],
    )
    _grant(wh, "420100")
    services.expire_agreements(today)  # what the daily command would have stored by now

    # Sub-agents and outlets (§1.3): one of each state, and one awaiting head office's decision.
    hz_agent, sz_agent = _user_id("hz-agent"), _user_id("sz-agent")
    approved = services.request_sub_agent(
        hz.distributor_id,
        services.SubAgentData(
            "杭州西湖区通讯器材门市部", "330106", "周敏", "0571-8702 3310", "西湖区文三路门店，主营集团电话"
        ),
        hz_agent,
    )
    services.decide_sub_agent(approved, True, "位于贵公司指定区域内，同意", sales)
    rejected = services.request_sub_agent(
        hz.distributor_id,
        services.SubAgentData("上海浦东电讯服务部", "310115", "钱峰", "021-5080 1122", "拟拓展上海客户"),
        hz_agent,
    )
    services.decide_sub_agent(rejected, False, "上海市不在贵公司的指定区域内（第 1.3、3.2 条）", sales)
    services.request_sub_agent(
        hz.distributor_id,
        services.SubAgentData("宁波海曙通信设备经营部", "330203", "孙立", "0574-8730 6655", "宁波地区二级网点"),
        hz_agent,
    )
    services.request_sub_agent(
        sz.distributor_id,
        services.SubAgentData("苏州虎丘区企业通信服务中心", "320505", "吴倩", "0512-6825 0901"),
        sz_agent,
    )
