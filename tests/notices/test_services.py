"""Issuing notices of every type (docs/rules.md §11): numbered per year, both languages from the
templates, nothing half-saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.domain.distributors import Level
from portal.domain.notices import NoticeType
from portal.extensions import db
from portal.notices.models import Notice, NoticeCounter
from portal.notices.services import issue_notice

from ..builders import make_agreement, make_distributor, make_price_list, region
from .builders import make_notice


def numbers() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notice.number).order_by(Notice.id)))


def test_numbers_run_on_within_a_year_and_start_again_the_next(app):
    distributor = make_distributor()
    for day in (date(2027, 1, 4), date(2027, 6, 30), date(2027, 12, 31), date(2028, 1, 1), date(2027, 12, 31)):
        make_notice(distributor, issued_on=day)
    assert numbers() == ["TZ-2027-0001", "TZ-2027-0002", "TZ-2027-0003", "TZ-2028-0001", "TZ-2027-0004"]


def test_a_notice_rolled_back_with_its_change_gives_its_number_back(app):
    distributor = make_distributor()
    make_notice(distributor)
    issue_notice(distributor, NoticeType.WARNING, date(2027, 3, 5), message_zh="作废", message_en="void")
    db.session.rollback()  # the change it announced failed: neither is saved
    make_notice(distributor)
    assert numbers() == ["TZ-2027-0001", "TZ-2027-0002"]


def test_a_warning_in_both_languages(app):
    distributor = make_distributor(name="杭州云帆科技有限公司")
    agreement = make_agreement(distributor, number="XS-HZ-2027")
    notice = make_notice(
        distributor,
        agreement=agreement,
        effective_on=date(2027, 3, 12),
        message_zh="请于 10 日内补交月报。\n逾期将另行处理。",
        message_en="Send the report within 10 days.",
    )
    assert notice.title_zh == "警告通知（协议 XS-HZ-2027）"
    assert notice.title_en == "Warning (agreement XS-HZ-2027)"
    assert notice.body_zh == (
        "杭州云帆科技有限公司：\n\n请于 10 日内补交月报。\n逾期将另行处理。\n\n本通知自 2027年3月12日 起生效。"
    )
    assert notice.body_en == (
        "To 杭州云帆科技有限公司:\n\nSend the report within 10 days.\n\nThis notice takes effect on 12 March 2027."
    )
    assert notice.agreement_id == agreement.id


def test_a_warning_without_agreement_or_date_says_neither(app):
    notice = make_notice(make_distributor())
    assert notice.title_zh == "警告通知"
    assert notice.title_en == "Warning"
    assert "生效" not in notice.body_zh
    assert "takes effect" not in notice.body_en


@pytest.mark.parametrize(
    ("level", "zh", "en"),
    [(Level.FIRST, "一级代理商", "first-level agent"), (Level.SECOND, "二级代理商", "second-level agent")],
)
def test_a_new_price_list_notice_names_the_list_its_date_and_the_level(app, level, zh, en):
    distributor = make_distributor(level=Level.SECOND)
    price_list = make_price_list(
        version="2028 年价格表", effective_from=date(2028, 1, 1), published_on=date(2027, 12, 1)
    )
    notice = make_notice(
        distributor,
        notice_type=NoticeType.PRICE_LIST,
        issued_on=date(2027, 12, 1),
        effective_on=price_list.effective_from,
        price_list=price_list,
        level=level.value,
    )
    assert notice.title_zh == "新价格表通知：2028 年价格表"
    assert "自 2028年1月1日 起执行" in notice.body_zh
    assert zh in notice.body_zh
    assert "takes effect on 1 January 2028" in notice.body_en
    assert en in notice.body_en
    assert notice.price_list_id == price_list.id


def test_a_price_list_notice_defaults_to_the_distributors_level(app):
    distributor = make_distributor(level=Level.FIRST)
    price_list = make_price_list(version="2028", effective_from=date(2028, 1, 1), published_on=date(2027, 12, 1))
    notice = make_notice(
        distributor, notice_type=NoticeType.PRICE_LIST, effective_on=price_list.effective_from, price_list=price_list
    )
    assert "一级代理商" in notice.body_zh


def test_a_revocation_lists_each_region_on_its_own_line_and_the_reason(app):
    distributor = make_distributor()
    agreement = make_agreement(distributor, number="XS-1")
    notice = make_notice(
        distributor,
        notice_type=NoticeType.REVOCATION,
        issued_on=date(2027, 1, 31),
        effective_on=date(2027, 2, 28),
        agreement=agreement,
        regions=[region("330100"), region("330200")],
        reason="季度考核未达标",
    )
    assert notice.title_zh == "取消指定区域代理权通知（协议 XS-1）"
    listed = "自 2027年2月28日 起，取消贵公司在以下指定区域的代理权：\n- 330100 杭州市\n- 330200 宁波市\n\n"
    assert listed in notice.body_zh
    assert notice.body_zh.endswith("原因：季度考核未达标")
    assert "- 330100 杭州市\n- 330200 宁波市\n\nUntil that date" in notice.body_en


def test_a_termination_states_the_day_the_agreement_ends(app):
    distributor = make_distributor()
    agreement = make_agreement(distributor, number="XS-9")
    notice = make_notice(
        distributor, notice_type=NoticeType.TERMINATION, effective_on=date(2027, 4, 5), agreement=agreement, reason=""
    )
    assert "协议 XS-9 自 2027年4月5日 起终止。" in notice.body_zh
    assert "原因" not in notice.body_zh
    assert "is terminated from 5 April 2027" in notice.body_en


@pytest.mark.parametrize("notice_type", [NoticeType.REPAIR_FEES, NoticeType.PAYMENT_REMINDER])
def test_money_notices_state_amount_and_due_date(app, notice_type):
    notice = make_notice(
        make_distributor(),
        notice_type=notice_type,
        reference="2027-03",
        amount=Decimal("1234.50"),
        due_on=date(2027, 4, 12),
    )
    assert "¥1,234.50" in notice.body_zh
    assert "2027年4月12日" in notice.body_zh
    assert "¥1,234.50" in notice.body_en
    assert "12 April 2027" in notice.body_en
    assert "2027-03" in notice.title_zh
    assert "2027-03" in notice.title_en


@pytest.mark.parametrize(
    ("notice_type", "context"),
    [
        (NoticeType.WARNING, {"message_zh": "只有中文"}),  # the English text is missing
        (NoticeType.REVOCATION, {"regions": []}),  # no agreement, no effective date
        (NoticeType.PRICE_LIST, {"price_list": object()}),  # no effective date
        (NoticeType.WARNING, {"message_zh": "中", "message_en": "en", "mesage": "typo"}),  # an unknown name
    ],
)
def test_an_incomplete_call_raises_and_takes_no_number(app, notice_type, context):
    distributor = make_distributor()
    with pytest.raises(TypeError):
        issue_notice(distributor, notice_type, date(2027, 3, 5), **context)
    db.session.rollback()
    assert db.session.scalar(select(NoticeCounter.last).where(NoticeCounter.year == 2027)) is None
    assert numbers() == []
