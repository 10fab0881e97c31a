"""Agreement, territory and sub-agent use cases against the database (docs/rules.md §3, §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from portal.agreements import services
from portal.agreements.models import Agreement, AgreementTerms, SubAgentRequest, Territory
from portal.audit.models import AuditEvent
from portal.domain.agreements import SEED_TERMS, AgreementStatus, Terms
from portal.domain.errors import DomainError, Duplicate, InvalidValue
from portal.domain.notices import NoticeType
from portal.domain.subagents import SubAgentStatus
from portal.extensions import db
from portal.notices.models import Notice

from ..builders import make_distributor
from .builders import END, START, make_agreement, make_product, make_regions, make_sub_agent_request, make_territory

D = date


def reloaded(agreement: Agreement) -> Agreement:
    db.session.expire_all()
    return db.session.get(Agreement, agreement.id)


# --- Agreements ---------------------------------------------------------------------------------


def test_a_draft_keeps_every_term_as_a_version_effective_from_its_start(count_rows):
    terms = Terms(quarterly_quota=Decimal("80000.00"), deposit_percent=Decimal("40.00"))
    agreement = make_agreement(terms=terms, skus=(make_product("PBX-A").sku, make_product("PBX-B").sku))

    stored = reloaded(agreement)
    assert stored.status is AgreementStatus.DRAFT
    assert [(v.effective_from, v.terms) for v in stored.term_versions] == [(START, terms)]
    assert [p.sku for p in stored.products] == ["PBX-A", "PBX-B"]
    assert count_rows(AgreementTerms) == 1


def test_numbers_are_unique_whatever_their_case(count_rows):
    make_agreement(number="XS-2026-001")
    with pytest.raises(Duplicate) as refused:
        make_agreement(number="xs-2026-001")
    assert refused.value.field == "number"
    assert count_rows(Agreement) == 1


def test_an_unknown_or_discontinued_product_is_refused(count_rows):
    make_product("OLD-1", active=False)
    with pytest.raises(InvalidValue, match="NOPE"):
        make_agreement(skus=("NOPE",))
    with pytest.raises(InvalidValue, match="OLD-1"):
        make_agreement(skus=("OLD-1",))
    assert count_rows(Agreement) == 0


def test_editing_a_draft_moves_its_terms_with_the_start_and_an_active_one_cannot_be_edited():
    agreement = make_agreement()
    data = services.AgreementData(
        number="XS-NEW",
        distributor_id=agreement.distributor_id,
        level=agreement.level,
        signed_on=D(2026, 2, 1),
        starts_on=D(2026, 2, 1),
        ends_on=D(2027, 1, 31),
        terms=Terms(warranty_months=18),
        skus=tuple(p.sku for p in agreement.products),
    )
    services.update_draft(agreement, data)
    stored = reloaded(agreement)
    assert stored.number == "XS-NEW"
    assert [(v.effective_from, v.terms.warranty_months) for v in stored.term_versions] == [(D(2026, 2, 1), 18)]

    services.activate_agreement(stored, D(2026, 2, 1))
    with pytest.raises(DomainError, match="Only a draft"):
        services.update_draft(stored, data)


def test_activation_refuses_an_overlap_with_another_binding_agreement_of_the_distributor():
    distributor = make_distributor()
    make_agreement(distributor, starts_on=D(2025, 1, 1), ends_on=D(2026, 1, 1), activate_on=D(2025, 1, 1))
    overlapping = make_agreement(distributor)  # 2026-01-01 to 2026-12-31: one shared day
    other_distributor = make_agreement()  # another distributor's: no conflict

    with pytest.raises(DomainError, match="already has an active agreement"):
        services.activate_agreement(overlapping, D(2025, 12, 20))
    assert reloaded(overlapping).status is AgreementStatus.DRAFT
    services.activate_agreement(other_distributor, D(2025, 12, 20))


def test_a_terminated_agreement_no_longer_blocks_the_days_after_its_termination():
    distributor = make_distributor()
    old = make_agreement(distributor, starts_on=D(2025, 1, 1), ends_on=D(2026, 12, 31), activate_on=D(2025, 1, 1))
    services.terminate_agreement(old, D(2025, 11, 30), "区域调整", D(2025, 11, 30))  # effective 2025-12-31
    new = make_agreement(distributor, starts_on=D(2025, 12, 31), ends_on=D(2026, 12, 31))
    too_early = make_agreement(distributor, starts_on=D(2025, 12, 30), ends_on=D(2026, 12, 31))

    with pytest.raises(DomainError):
        services.activate_agreement(too_early, D(2025, 12, 1))
    services.activate_agreement(new, D(2025, 12, 1))


def test_activation_rereads_the_agreement_inside_its_transaction():
    agreement = make_agreement()
    db.session.execute(
        db.update(Agreement)
        .where(Agreement.id == agreement.id)
        .values(status=AgreementStatus.ACTIVE, activated_on=D(2025, 12, 1))
    )  # another request
    db.session.commit()
    set_committed_value(agreement, "status", AgreementStatus.DRAFT)  # what this request read before that

    with pytest.raises(DomainError, match="Only a draft"):
        services.activate_agreement(agreement, START)
    assert reloaded(agreement).activated_on == D(2025, 12, 1)


def test_an_amendment_adds_a_version_and_terms_on_gives_each_day_its_version():
    agreement = make_agreement(activate_on=START)
    amended = Terms(**{**SEED_TERMS.as_dict(), "quarterly_quota": Decimal("80000.00")})

    services.amend_agreement(agreement, D(2026, 7, 1), amended, "第三季度起提高季度任务额", on=D(2026, 6, 15))

    stored = reloaded(agreement)
    assert [v.effective_from for v in stored.term_versions] == [START, D(2026, 7, 1)]
    assert stored.terms_on(D(2026, 6, 30)).quarterly_quota == Decimal("50000.00")
    assert stored.terms_on(D(2026, 7, 1)).quarterly_quota == Decimal("80000.00")
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.table_name == "agreement_terms", AuditEvent.action == "insert")
        .order_by(AuditEvent.id.desc())
    )
    assert event.reason == "第三季度起提高季度任务额"


@pytest.mark.parametrize(
    ("effective_from", "on"),
    [
        (D(2027, 1, 1), D(2026, 6, 1)),  # after the end
        (START, D(2025, 12, 1)),  # on the start
        (D(2026, 5, 1), D(2026, 6, 1)),  # before the day it is recorded
    ],
)
def test_an_amendment_outside_the_term_is_refused_and_nothing_is_saved(count_rows, effective_from, on):
    agreement = make_agreement(activate_on=START)
    with pytest.raises(InvalidValue) as refused:
        services.amend_agreement(agreement, effective_from, SEED_TERMS, "调整", on=on)
    assert refused.value.field == "effective_from"
    assert count_rows(AgreementTerms) == 1


def test_expiry_is_read_off_the_dates_and_the_daily_command_stores_it_once():
    agreement = make_agreement(activate_on=START)
    assert agreement.status_on(END) is AgreementStatus.ACTIVE
    assert agreement.status_on(D(2027, 1, 1)) is AgreementStatus.EXPIRED  # before the command
    assert reloaded(agreement).status is AgreementStatus.ACTIVE

    assert services.expire_agreements(END) == services.ExpiryResult(0, 0)
    assert services.expire_agreements(D(2027, 1, 1)) == services.ExpiryResult(1, 0)
    assert services.expire_agreements(D(2027, 1, 1)) == services.ExpiryResult(0, 0)  # idempotent
    assert reloaded(agreement).status is AgreementStatus.EXPIRED
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.table_name == "agreements", AuditEvent.reason.startswith("expire-agreements")
        )
    ).all()
    assert [(e.changes["status"], e.reason) for e in events] == [
        (["active", "expired"], "expire-agreements 2027-01-01")
    ]


def test_a_termination_issues_a_notice_and_takes_effect_the_notice_months_later(count_rows):
    agreement = make_agreement(activate_on=START)

    notice = services.terminate_agreement(agreement, D(2026, 1, 31), "多次低价竞争", D(2026, 1, 31))

    assert notice.type is NoticeType.TERMINATION
    # §4.5 with Arts. 201-203: the month's notice runs to 28 February, which counts in full.
    assert (notice.issued_on, notice.effective_on) == (D(2026, 1, 31), D(2026, 3, 1))
    assert "多次低价竞争" in notice.body_zh
    stored = reloaded(agreement)
    assert stored.terminated_on == D(2026, 3, 1)
    assert stored.status_on(D(2026, 2, 28)) is AgreementStatus.ACTIVE
    assert stored.status_on(D(2026, 3, 1)) is AgreementStatus.TERMINATED
    assert stored.status is AgreementStatus.ACTIVE  # stored when it takes effect
    assert services.expire_agreements(D(2026, 3, 1)) == services.ExpiryResult(0, 1)
    with pytest.raises(DomainError, match="already notified"):
        services.terminate_agreement(stored, D(2026, 2, 1), "再次", D(2026, 2, 1))
    assert count_rows(Notice) == 1


def test_a_termination_uses_the_notice_months_in_force_on_the_notice_date():
    agreement = make_agreement(activate_on=START)
    services.amend_agreement(
        agreement, D(2026, 3, 1), Terms(revocation_notice_months=3), "通知期改为三个月", on=D(2026, 2, 1)
    )
    notice = services.terminate_agreement(agreement, D(2026, 3, 1), "调整", D(2026, 3, 1))
    assert notice.effective_on == D(2026, 6, 2)  # three months' notice ends 1 June


def test_a_termination_at_once_takes_effect_on_the_notice_date():
    agreement = make_agreement(activate_on=START)
    services.terminate_agreement(agreement, D(2026, 5, 5), "窜货导致终端客户流失", D(2026, 5, 5), at_once=True)
    stored = reloaded(agreement)
    assert stored.status is AgreementStatus.TERMINATED
    assert stored.status_on(D(2026, 5, 4)) is AgreementStatus.ACTIVE


def test_a_termination_after_the_end_or_of_a_draft_or_without_reason_is_refused(count_rows):
    agreement = make_agreement(activate_on=START)
    with pytest.raises(DomainError, match="let it expire"):
        services.terminate_agreement(agreement, D(2026, 12, 15), "调整", D(2026, 12, 15))
    with pytest.raises(InvalidValue):
        services.terminate_agreement(agreement, D(2026, 6, 1), "  ", D(2026, 6, 1))
    with pytest.raises(DomainError, match="Only an active"):
        services.terminate_agreement(make_agreement(), D(2026, 6, 1), "调整", D(2026, 6, 1))
    assert count_rows(Notice) == 0
    assert reloaded(agreement).terminated_on is None


def test_a_notice_dated_after_today_is_refused_by_the_services(zhejiang):
    """docs/api.md: a written notice is dated today at the latest; the page and the API show this message."""
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330000", START)
    with pytest.raises(InvalidValue, match="in the future") as refused:
        services.terminate_agreement(agreement, D(2026, 3, 11), "调整", D(2026, 3, 10))
    assert refused.value.field == "notice_on"
    with pytest.raises(InvalidValue, match="in the future") as refused:
        services.revoke_territories(agreement, ["330000"], D(2026, 3, 11), "调整", today=D(2026, 3, 10))
    assert refused.value.field == "notice_on"
    db.session.rollback()
    assert reloaded(agreement).terminated_on is None
    assert db.session.scalars(select(Notice)).all() == []


# --- Territories --------------------------------------------------------------------------------


@pytest.fixture
def zhejiang(app):
    make_regions()


def test_in_territory_walks_the_region_tree_and_respects_the_revocation_date(zhejiang):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330000", START)  # 浙江省
    services.revoke_territories(
        agreement, ["330000"], D(2026, 1, 31), "调整", today=D(2026, 1, 31)
    )  # effective 2026-03-01

    for day, inside in [(D(2026, 1, 1), True), (D(2026, 2, 28), True), (D(2026, 3, 1), False)]:
        assert services.in_territory(agreement, "330106", day) is inside, day  # 西湖区, in 杭州市, in 浙江省
        assert services.in_territory(agreement, "330100", day) is inside, day  # 杭州市
        assert services.in_territory(agreement, "330000", day) is inside, day
    assert services.in_territory(agreement, "320500", D(2026, 1, 15)) is False  # 苏州市, 江苏省
    assert services.in_territory(agreement, "330106", D(2025, 12, 31)) is False  # before the start


def test_a_city_grant_covers_its_districts_but_not_its_province(zhejiang):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100", D(2026, 3, 1))
    assert services.in_territory(agreement, "330106", D(2026, 3, 1)) is True
    assert services.in_territory(agreement, "330106", D(2026, 2, 28)) is False
    assert services.in_territory(agreement, "330000", D(2026, 3, 1)) is False
    assert services.in_territory(agreement, "330200", D(2026, 3, 1)) is False


def test_nothing_is_inside_an_agreement_that_no_longer_binds(zhejiang):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330000")
    draft = make_agreement()
    make_territory(draft, "330000")
    assert services.in_territory(agreement, "330106", D(2027, 1, 1)) is False  # expired
    assert services.in_territory(draft, "330106", D(2026, 3, 1)) is False  # never activated


def test_a_revocation_of_several_regions_is_one_notice(zhejiang, count_rows):
    agreement = make_agreement(activate_on=START)
    for code in ("330100", "330200", "320500"):
        make_territory(agreement, code)

    notice = services.revoke_territories(
        agreement, ["330100", "330200"], D(2026, 3, 31), "季度考核未达标", today=D(2026, 3, 31)
    )

    assert count_rows(Notice) == 1
    assert notice.type is NoticeType.REVOCATION
    assert notice.effective_on == D(2026, 5, 1)  # the month's notice ends 30 April
    assert "330100" in notice.body_zh
    assert "宁波市" in notice.body_zh
    assert "320500" not in notice.body_zh
    revoked = {t.region_code: t for t in reloaded(agreement).territories}
    assert revoked["330100"].revoked_effective_on == D(2026, 5, 1)
    assert revoked["330100"].revocation_notice_id == notice.id
    assert revoked["320500"].revoked_effective_on is None


@pytest.mark.parametrize("codes", [["330106"], ["330100", "330200"], ["999999"], []])
def test_a_revocation_of_a_region_not_granted_is_refused_and_nothing_changes(zhejiang, count_rows, codes):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    with pytest.raises(InvalidValue) as refused:
        services.revoke_territories(agreement, codes, D(2026, 3, 1), today=D(2026, 3, 1))
    assert refused.value.field == "region_codes"
    assert count_rows(Notice) == 0
    assert db.session.scalar(select(Territory.revoked_effective_on)) is None


def test_a_region_revoked_once_is_not_revoked_again(zhejiang):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    services.revoke_territories(agreement, ["330100"], D(2026, 3, 1), today=D(2026, 3, 1))
    with pytest.raises(InvalidValue, match="330100"):
        services.revoke_territories(agreement, ["330100"], D(2026, 3, 5), today=D(2026, 3, 5))


def test_granting_refuses_a_day_outside_the_term_a_region_held_and_an_expired_agreement(zhejiang, count_rows):
    agreement = make_agreement(activate_on=START)
    make_territory(agreement, "330100")
    with pytest.raises(InvalidValue) as outside:
        services.grant_territory(agreement, "330200", D(2027, 1, 1), D(2026, 3, 1))
    assert outside.value.field == "granted_on"
    with pytest.raises(DomainError, match="already granted"):
        services.grant_territory(agreement, "330100", D(2026, 3, 1), D(2026, 3, 1))
    with pytest.raises(InvalidValue) as unknown:
        services.grant_territory(agreement, "999999", D(2026, 3, 1), D(2026, 3, 1))
    assert unknown.value.field == "region_code"
    with pytest.raises(DomainError, match="draft or active"):
        services.grant_territory(agreement, "330200", D(2026, 3, 1), D(2027, 1, 1))
    assert count_rows(Territory) == 1


def test_a_drafts_region_is_removed_without_notice_an_active_ones_is_not(zhejiang, count_rows):
    draft = make_agreement()
    services.remove_territory(make_territory(draft, "330100"))
    active = make_agreement(activate_on=START)
    territory = make_territory(active, "330100")
    with pytest.raises(DomainError, match="by notice"):
        services.remove_territory(territory)
    assert count_rows(Territory) == 1


def test_other_holders_are_those_of_the_same_region_an_ancestor_or_a_descendant(zhejiang):
    ours = make_agreement(activate_on=START)
    hangzhou = make_territory(ours, "330100")
    province = make_agreement(activate_on=START)
    make_territory(province, "330000")
    district = make_agreement(activate_on=START)
    make_territory(district, "330106")
    same = make_agreement(activate_on=START)
    make_territory(same, "330100")
    elsewhere = make_agreement(activate_on=START)
    make_territory(elsewhere, "330200")
    make_territory(make_agreement(), "330100")  # a draft holds nothing yet

    holders = services.other_holders(ours, [hangzhou], D(2026, 3, 1))

    found = {(h.territory.agreement_id, h.relation) for h in holders[hangzhou.id]}
    assert found == {(province.id, "contains"), (district.id, "inside"), (same.id, "same")}


# --- Sub-agents ---------------------------------------------------------------------------------


def test_a_sub_agent_request_is_approved_or_rejected_once(zhejiang):
    distributor = make_distributor()
    request = make_sub_agent_request(distributor)
    assert request.status is SubAgentStatus.REQUESTED

    with pytest.raises(InvalidValue):
        services.decide_sub_agent(request, False, "")
    services.decide_sub_agent(request, False, "该区域已有网点")
    with pytest.raises(DomainError, match="already been decided"):
        services.decide_sub_agent(request, True)

    stored = db.session.get(SubAgentRequest, request.id)
    assert (stored.status, stored.reason) == (SubAgentStatus.REJECTED, "该区域已有网点")
    assert stored.decided_at is not None


def test_approved_sub_agents_are_listed_for_reports(zhejiang):
    distributor = make_distributor()
    approved = make_sub_agent_request(distributor, name="甲网点")
    make_sub_agent_request(distributor, name="乙网点")
    services.decide_sub_agent(approved, True)
    assert [r.name for r in services.approved_sub_agents(distributor.id)] == ["甲网点"]


def test_a_request_for_an_unknown_region_is_refused(zhejiang, count_rows):
    with pytest.raises(InvalidValue) as refused:
        make_sub_agent_request(make_distributor(), region_code="999999")
    assert refused.value.field == "region_code"
    assert count_rows(SubAgentRequest) == 0


def test_two_overlapping_activations_at_once_let_only_one_through(app, monkeypatch):
    """Both requests read "no other active agreement" unless the check runs under the distributor's
    lock: the delay holds the first inside its check while the second arrives."""
    import threading
    import time

    from portal.domain import agreements as rules

    distributor = make_distributor()
    first = make_agreement(distributor)
    second = make_agreement(distributor, signed_on=D(2025, 12, 1), starts_on=D(2026, 6, 1), ends_on=D(2027, 5, 31))
    ids = [first.id, second.id]
    db.session.commit()

    def slow_check(*args, **kwargs):
        time.sleep(0.3)
        return rules.check_activation(*args, **kwargs)

    monkeypatch.setattr(services, "check_activation", slow_check)
    outcomes: dict[int, str] = {}
    start = threading.Barrier(2)

    def activate(agreement_id: int) -> None:
        with app.app_context():
            start.wait()
            try:
                services.activate_agreement(db.session.get(Agreement, agreement_id), START)
                outcomes[agreement_id] = "active"
            except DomainError as error:
                db.session.rollback()
                outcomes[agreement_id] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=activate, args=(agreement_id,)) for agreement_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == [
        "The distributor already has an active agreement for some of these dates.",
        "active",
    ]
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(Agreement).where(Agreement.status == AgreementStatus.ACTIVE)
        )
        == 1
    )
