"""Demo notices: written warnings over the last two years, some acknowledged, some not.

Runs after the price lists and agreements demos (which issue their own notices), so a warning
names the agreement in force on its date where there is one. Nothing is e-mailed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from ..accounts.models import User
from ..clock import BUSINESS_TZ
from ..distributors.models import Distributor
from ..domain.agreements import AgreementStatus
from ..domain.notices import NoticeType
from ..extensions import db
from ..transactions import transactional
from .models import Notice
from .services import issue_notice

# (distributor code, days before today, days until it takes effect or None, acknowledged after days or None,
#  message in Chinese, message in English)
WARNINGS: list[tuple[str, int, int | None, int | None, str, str]] = [
    (
        "HZ001",
        430,
        None,
        2,
        "贵公司上一季度的订货额未达到协议约定的季度订货任务（¥50,000.00）。请在下一季度内补足差额，"
        "否则我方将依照协议第 4.5 条考虑调整贵公司的指定区域。",
        "Your orders last quarter fell short of the quarterly quota of ¥50,000.00 in the agreement. Please make up "
        "the difference next quarter; otherwise we will consider adjusting your territories under clause 4.5.",
    ),
    (
        "SZ002",
        340,
        None,
        5,
        "经核实，贵公司于上月在指定区域以外（广东省深圳市）销售我方产品，违反协议第 3.2 条及第 5.1 条。"
        "请立即停止越区销售，并于 7 日内提交书面说明。",
        "We have found that last month you sold our products outside your territory (Shenzhen, Guangdong), "
        "against clauses 3.2 and 5.1 of the agreement. Stop selling outside your territory at once and send us "
        "a written explanation within 7 days.",
    ),
    (
        "HZ001",
        95,
        7,
        None,
        "贵公司向下级客户销售 16 路模拟分机板（PBX-EXT-16）的价格低于价格表规定的最低转售价格，"
        "违反协议第 5.1 条。请自本通知生效之日起按最低转售价格执行。",
        "You sold the 16-port analogue extension board (PBX-EXT-16) below the minimum resale price of the price "
        "list, against clause 5.1 of the agreement. Please respect the minimum resale price from the day this "
        "notice takes effect.",
    ),
    (
        "SZ002",
        20,
        None,
        None,
        "贵公司上月的月度报表（库存及销售情况）逾期未提交，违反协议第 4.3 条。请于 10 日内补交。",
        "Your monthly report for last month (inventory and sales) is overdue, against clause 4.3 of the "
        "agreement. Please send it within 10 days.",
    ),
    (
        "HZ001",
        6,
        None,
        None,
        "贵公司月报中列出的销售网点“宁波海曙店”未经我方批准，违反协议第 1.3 条。请先在门户中提交下级代理商审批申请。",
        'The outlet "Ningbo Haishu shop" in your monthly report has not been approved by us, against clause 1.3 '
        "of the agreement. Please first request approval for it in the portal.",
    ),
]


def _agreement_on(distributor: Distributor, on: date) -> Any:
    """The distributor's signed agreement whose term includes ``on`` (the latest to start)."""
    signed = [a for a in distributor.agreements if a.status != AgreementStatus.DRAFT and a.starts_on <= on <= a.ends_on]
    return max(signed, key=lambda a: a.starts_on, default=None)


def _acknowledgement_time(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=BUSINESS_TZ).astimezone(UTC)


@transactional
def load(today: date) -> None:
    """Add the demo warnings (skipped for a distributor code the demo does not have)."""
    distributors = {d.code: d for d in db.session.scalars(select(Distributor))}
    sales = db.session.scalar(select(User).where(User.username == "sales"))
    for code, days_ago, effective_in, acknowledged_after, message_zh, message_en in sorted(
        WARNINGS, key=lambda row: -row[1]
    ):
        distributor = distributors.get(code)
        if distributor is None:
            continue
        issued_on = today - timedelta(days=days_ago)
        notice = issue_notice(
            distributor,
            NoticeType.WARNING,
            issued_on,
            effective_on=issued_on + timedelta(days=effective_in) if effective_in is not None else None,
            issued_by_id=sales.id if sales else None,
            agreement=_agreement_on(distributor, issued_on),
            message_zh=message_zh,
            message_en=message_en,
        )
        if acknowledged_after is not None:
            reader = db.session.scalar(select(User).where(User.distributor_id == distributor.id).order_by(User.id))
            notice.acknowledged_at = _acknowledgement_time(issued_on + timedelta(days=acknowledged_after))
            notice.acknowledged_by_id = reader.id if reader else None
    _older_notices_read(today, distributors.values())


def _older_notices_read(today: date, distributors: Iterable[Distributor]) -> None:
    """Notices of the other areas' demos (new price lists, revocations) older than two months were
    read long ago: acknowledge them a few days after their issue, so the inbox looks lived in."""
    readers = {
        d.id: db.session.scalar(select(User.id).where(User.distributor_id == d.id).order_by(User.id))
        for d in distributors
    }
    for notice in db.session.scalars(
        select(Notice).where(
            Notice.type != NoticeType.WARNING,
            Notice.acknowledged_at.is_(None),
            Notice.issued_on < today - timedelta(days=60),
        )
    ):
        if readers.get(notice.distributor_id):
            notice.acknowledged_at = _acknowledgement_time(notice.issued_on + timedelta(days=3))
            notice.acknowledged_by_id = readers[notice.distributor_id]
