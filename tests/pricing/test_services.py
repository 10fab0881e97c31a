"""Price list use cases: publishing with its written notices, the list in force, the
distributor's level, and imports that save everything or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.agreements import services as agreement_services
from portal.audit.models import AuditEvent
from portal.domain.distributors import Level
from portal.domain.errors import DomainError, Duplicate
from portal.domain.notices import NoticeType
from portal.domain.pricing import PriceListStatus, RowsRefused
from portal.extensions import db
from portal.notices.models import Notice
from portal.pricing import services
from portal.pricing.models import PriceList, PriceListItem

from ..agreements.builders import make_agreement
from ..builders import make_distributor
from ..products.builders import make_product
from .builders import make_price_list, prices
from .files import csv_bytes, xlsx, zip_bomb

pytestmark = pytest.mark.usefixtures("app")

ON = date(2026, 3, 2)


def stored(price_list: PriceList) -> PriceList:
    db.session.expire_all()
    return db.session.get(PriceList, price_list.id)


# --- Publishing and the notices -----------------------------------------------------------------


def test_publishing_notifies_every_distributor_with_an_active_agreement_at_its_level(count_rows):
    first = make_agreement(make_distributor(name="一级公司"), level=Level.FIRST, activate_on=date(2026, 1, 1))
    second = make_agreement(make_distributor(name="二级公司"), level=Level.SECOND, activate_on=date(2026, 1, 1))
    make_agreement(make_distributor(name="草稿公司"))  # a draft agreement: no notice
    make_agreement(
        make_distributor(name="过期公司"),
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        activate_on=date(2025, 1, 1),
    )  # ended before the publish date: no notice
    make_distributor(name="无协议公司")  # no agreement at all: no notice
    price_list = make_price_list(effective_from=date(2026, 4, 1))

    notices = services.publish_price_list(price_list, ON, None)

    assert stored(price_list).status is PriceListStatus.PUBLISHED
    assert stored(price_list).published_at is not None
    assert sorted(n.distributor.name for n in notices) == ["一级公司", "二级公司"]
    assert count_rows(Notice) == 2
    by_name = {n.distributor.name: n for n in db.session.scalars(select(Notice))}
    for name, agreement in (("一级公司", first), ("二级公司", second)):
        notice = by_name[name]
        assert notice.type is NoticeType.PRICE_LIST
        assert notice.issued_on == ON
        assert notice.effective_on == date(2026, 4, 1)
        assert notice.price_list_id == price_list.id
        assert notice.agreement_id == agreement.id
        assert price_list.version in notice.title_en
    assert "first-level" in by_name["一级公司"].body_en
    assert "second-level" in by_name["二级公司"].body_en


def test_an_agreement_that_starts_later_is_notified_and_a_terminated_one_is_not():
    later = make_agreement(
        make_distributor(name="下月公司"),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        signed_on=date(2026, 2, 1),
        activate_on=ON,
    )
    ended = make_agreement(make_distributor(name="解约公司"), activate_on=date(2026, 1, 1))
    agreement_services.terminate_agreement(ended, date(2026, 2, 1), "窜货", date(2026, 2, 1), at_once=True)
    price_list = make_price_list(effective_from=date(2026, 4, 1))
    notices = services.publish_price_list(price_list, ON, None)
    assert [n.agreement_id for n in notices] == [later.id]


@pytest.mark.parametrize("case", ["published", "empty", "effective_date_passed", "behind_a_later_list"])
def test_a_refused_publish_changes_nothing_and_issues_no_notice(case, count_rows):
    make_agreement(make_distributor(), activate_on=date(2026, 1, 1))
    if case == "published":
        price_list = make_price_list(effective_from=date(2026, 4, 1), published_on=ON)
    elif case == "empty":
        price_list = make_price_list(effective_from=date(2026, 4, 1), items={})
    elif case == "effective_date_passed":
        price_list = make_price_list(effective_from=ON - timedelta(days=1))
    else:
        make_price_list(effective_from=date(2026, 7, 1), published_on=ON)
        price_list = make_price_list(effective_from=date(2026, 4, 1))
    notices_before, status_before = count_rows(Notice), stored(price_list).status

    with pytest.raises(DomainError):
        services.publish_price_list(price_list, ON, None)
    db.session.rollback()

    assert count_rows(Notice) == notices_before
    assert stored(price_list).status is status_before


def test_the_publish_is_in_the_audit_trail():
    price_list = make_price_list(effective_from=date(2026, 4, 1))
    services.publish_price_list(price_list, ON, None)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "price_lists", AuditEvent.action == "update")
    ).all()
    assert [e.changes["status"] for e in events] == [["draft", "published"]]


# --- The list in force, superseded, previous ----------------------------------------------------


def test_the_list_in_force_and_the_previous_list_follow_the_published_dates():
    old = make_price_list(version="2025", effective_from=date(2025, 1, 1), published_on=date(2024, 12, 1))
    new = make_price_list(version="2026", effective_from=date(2026, 1, 1), published_on=date(2025, 12, 1))
    draft = make_price_list(version="2027", effective_from=date(2027, 1, 1))

    assert services.list_in_force(date(2024, 12, 31)) is None
    assert services.list_in_force(date(2025, 12, 31)).id == old.id
    assert services.list_in_force(date(2026, 1, 1)).id == new.id
    assert services.list_in_force(date(2027, 6, 1)).id == new.id  # a draft is never in force
    assert services.previous_list(draft).id == new.id
    assert services.previous_list(new).id == old.id
    assert services.previous_list(old) is None
    assert services.status_of(old, date(2026, 1, 1)) is PriceListStatus.SUPERSEDED
    assert services.status_of(old, date(2025, 12, 31)) is PriceListStatus.PUBLISHED


def test_a_distributor_sees_the_level_of_its_agreement_in_force_else_its_own():
    distributor = make_distributor(level=Level.SECOND)
    assert services.distributor_level(distributor.id, ON) is Level.SECOND
    make_agreement(distributor, level=Level.FIRST, activate_on=date(2026, 1, 1))
    assert services.distributor_level(distributor.id, ON) is Level.FIRST
    assert services.distributor_level(distributor.id, date(2027, 1, 1)) is Level.SECOND  # after its end


# --- Drafts and their items ---------------------------------------------------------------------


def test_a_version_is_unique_whatever_its_case(count_rows):
    make_price_list(version="2027 价格表")
    with pytest.raises(Duplicate):
        make_price_list(version="2027 价格表")
    assert count_rows(PriceList) == 1


def test_a_published_list_cannot_be_changed():
    price_list = make_price_list(effective_from=date(2026, 4, 1), published_on=ON)
    item = price_list.items[0]
    with pytest.raises(DomainError, match="Only a draft"):
        services.save_item(price_list, item.product.sku, prices("1.00", "1.00", "1.00"), item)
    with pytest.raises(DomainError, match="Only a draft"):
        services.delete_item(item)
    with pytest.raises(DomainError, match="Only a draft"):
        services.import_items(price_list, "p.csv", b"")


def test_a_new_draft_can_start_from_another_lists_items():
    source = make_price_list(items={make_product().sku: prices(), make_product().sku: prices()})
    copy = services.create_price_list(services.PriceListData("副本", date(2027, 1, 1)), copy_from=source)
    assert services.prices_of(copy.id) == services.prices_of(source.id)
    assert len(services.prices_of(copy.id)) == 2


# --- Imports ------------------------------------------------------------------------------------


def test_an_import_replaces_the_drafts_items_changing_only_what_differs(count_rows):
    kept, changed, dropped, added = (make_product(sku=s) for s in ("KEEP-1", "CHG-1", "DROP-1", "ADD-1"))
    draft = make_price_list(
        items={
            "KEEP-1": prices("100", "110", "150"),
            "CHG-1": prices("200", "220", "300"),
            "DROP-1": prices("300", "330", "400"),
        }
    )
    data = xlsx([["KEEP-1", "", 100, 110, 150], ["chg-1", "", 210.5, 231, 300], ["ADD-1", "", 50, 55, 70]])

    changes = services.import_items(draft, "prices.xlsx", data)

    assert changes == services.ItemChanges(added=1, updated=1, removed=1, unchanged=1)
    assert services.prices_of(draft.id) == {
        "KEEP-1": prices("100", "110", "150"),
        "CHG-1": prices("210.50", "231", "300"),
        "ADD-1": prices("50", "55", "70"),
    }
    update = db.session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "price_list_items", AuditEvent.action == "update")
    ).one()
    assert update.changes == {"price_level1": ["200.00", "210.50"], "price_level2": ["220.00", "231.00"]}


def _items(draft: PriceList) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    db.session.expire_all()
    return {
        i.product.sku: (i.price_level1, i.price_level2, i.min_resale_price)
        for i in db.session.scalars(select(PriceListItem).where(PriceListItem.price_list_id == draft.id))
    }


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("p.xlsx", xlsx([["GOOD-1", "", 1, 2, 3], ["NOPE-9", "", 1, 2, 3]])),  # one bad row among good ones
        ("p.csv", csv_bytes(["sku,price_level1,price_level2,min_resale_price", "GOOD-1,1,2,3", "GOOD-1,1,2,3"])),
        ("p.csv", csv_bytes(["sku,price_level1,price_level2,min_resale_price", "GOOD-1,1,200.00,2,3"])),
        ("p.xlsx", b"not a workbook"),
        ("p.xlsx", zip_bomb()),
    ],
)
def test_an_import_with_any_bad_row_saves_nothing(name, data, count_rows):
    make_product(sku="GOOD-1")
    before = make_product(sku="BEFORE-1")
    draft = make_price_list(items={before.sku: prices()})
    items_before, events_before = _items(draft), count_rows(AuditEvent)

    with pytest.raises(DomainError):
        services.import_items(draft, name, data)
    db.session.rollback()

    assert _items(draft) == items_before
    assert count_rows(AuditEvent) == events_before


def test_every_bad_row_is_reported_in_row_order():
    make_product(sku="GOOD-1")
    data = csv_bytes(
        [
            "sku,price_level1,price_level2,min_resale_price",
            "GOOD-1,1,2,3",
            "NOPE,1,2,3",
            "GOOD-1,1,2,1",
            "X,1,200.00,2,3",
        ]
    )
    draft = make_price_list(items={})
    with pytest.raises(RowsRefused) as refused:
        services.import_items(draft, "p.csv", data)
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (3, "sku"),
        (4, "sku"),
        (4, "min_resale_price"),
        (5, "E"),
    ]


def test_an_inactive_product_cannot_be_priced():
    make_product(sku="OLD-1", active=False)
    draft = make_price_list(items={})
    with pytest.raises(RowsRefused) as refused:
        services.save_item(draft, "old-1", prices())
    assert refused.value.problems[0].message == "Product %(sku)s is inactive and cannot be priced."
