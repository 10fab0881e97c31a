"""Price list pages per role (docs/rules.md §5, §12): head office drafts, imports and publishes;
finance reads; a distributor sees published lists only, with its own level's price only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from portal.clock import today
from portal.domain.distributors import Level
from portal.domain.pricing import PriceListStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.notices.models import Notice
from portal.pricing import services
from portal.pricing.models import PriceList, PriceListItem

from ..agreements.builders import make_agreement
from ..builders import make_distributor, make_user
from ..products.builders import make_product
from .builders import FLOOR, LEVEL1, LEVEL2, make_price_list, prices
from .files import csv_bytes, xlsx, zip_bomb

TODAY = today()
HEADER = "sku,price_level1,price_level2,min_resale_price"


def shown(amount: str) -> str:
    """An amount as the pages show it: ¥1,111.11."""
    whole, fen = amount.split(".")
    return f"¥{int(whole):,}.{fen}"


def stored(price_list: PriceList) -> PriceList:
    db.session.expire_all()
    return db.session.get(PriceList, price_list.id)


def published(**kwargs) -> PriceList:
    """A list in force today."""
    return make_price_list(effective_from=TODAY - timedelta(days=30), published_on=TODAY - timedelta(days=40), **kwargs)


def distributor_user(level: Level):
    distributor = make_distributor(level=level)
    return make_user(role=Role.DISTRIBUTOR, distributor=distributor)


# --- Head office at work ------------------------------------------------------------------------


def test_sales_drafts_a_list_prices_items_and_publishes_it_with_notices(login, count_rows):
    make_product(sku="PBX-MAIN-200", name_zh="IP 交换机主控板", name_en="IP PBX main board")
    make_product(sku="PBX-EXT-16")
    make_agreement(
        make_distributor(name="杭州云帆"),
        level=Level.FIRST,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
        activate_on=TODAY - timedelta(days=10),
    )
    client = login(make_user(role=Role.SALES))

    response = client.post(
        "/pricing/new",
        data={
            "version": "明年价格表",
            "effective_from": (TODAY + timedelta(days=40)).isoformat(),
            "note": "年度调价",
            "copy_from": "",
        },
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(PriceList).where(PriceList.version == "明年价格表"))
    item_url = f"/pricing/{draft.id}/items/new"
    assert (
        client.post(
            item_url,
            data={
                "sku": "pbx-main-200",
                "price_level1": "3,200.00",
                "price_level2": "3480",
                "min_resale_price": "4200.5",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            item_url, data={"sku": "PBX-EXT-16", "price_level1": "1", "price_level2": "2", "min_resale_price": "3"}
        ).status_code
        == 302
    )
    items = {i.product.sku: i for i in db.session.scalars(select(PriceListItem))}
    assert client.post(f"/pricing/items/{items['PBX-EXT-16'].id}/delete").status_code == 302
    blank = client.post(
        f"/pricing/items/{items['PBX-MAIN-200'].id}/edit",
        data={"price_level1": " ", "price_level2": "3480", "min_resale_price": "4200.50"},
    )
    assert blank.status_code == 422  # spaces are no price
    assert "Enter an amount." in blank.get_data(as_text=True)
    assert (
        client.post(
            f"/pricing/items/{items['PBX-MAIN-200'].id}/edit",
            data={"price_level1": "3300", "price_level2": "3480", "min_resale_price": "4200.50"},
        ).status_code
        == 302
    )

    page = client.get(f"/pricing/{draft.id}").get_data(as_text=True)
    assert "IP PBX main board" in page
    assert "¥3,300.00" in page
    assert "¥4,200.50" in page
    assert ">PBX-EXT-16</td>" not in page
    assert ">PBX-MAIN-200</td>" in page
    confirm = client.get(f"/pricing/{draft.id}/publish").get_data(as_text=True)
    assert "杭州云帆" in confirm  # who will receive the notice
    response = client.post(f"/pricing/{draft.id}/publish")
    assert response.status_code == 302
    assert "1 written notices issued" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored(draft).status is PriceListStatus.PUBLISHED
    assert count_rows(Notice) == 1


def test_a_bad_price_is_explained_on_its_field_the_typed_value_stays_and_nothing_is_saved(login, count_rows):
    make_product(sku="PBX-MAIN-200")
    draft = make_price_list(items={})
    client = login(make_user(role=Role.SALES))
    response = client.post(
        f"/pricing/{draft.id}/items/new",
        data={"sku": "PBX-MAIN-200", "price_level1": "3200.123", "price_level2": "3480", "min_resale_price": "100"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter at most two decimals" in page
    assert 'value="3200.123"' in page
    assert count_rows(PriceListItem) == 0
    response = client.post(
        f"/pricing/{draft.id}/items/new",
        data={"sku": "NOPE-1", "price_level1": "3200", "price_level2": "3480", "min_resale_price": "100"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown SKU NOPE-1." in page
    assert "The minimum resale price is below an agent price." in page
    assert count_rows(PriceListItem) == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("behind_a_later_list", "is already published; this one must take effect later"),
        ("effective_date_passed", "which has passed: a list is published on or before its effective date."),
    ],
)
def test_a_publish_a_rule_forbids_is_explained_and_changes_nothing(login, count_rows, case, message):
    make_agreement(
        make_distributor(),
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
        activate_on=TODAY - timedelta(days=10),
    )
    if case == "behind_a_later_list":
        make_price_list(effective_from=TODAY + timedelta(days=60), published_on=TODAY)
        draft = make_price_list(effective_from=TODAY + timedelta(days=30))
    else:
        draft = make_price_list(effective_from=TODAY - timedelta(days=1))
    notices = count_rows(Notice)
    client = login(make_user(role=Role.SALES))

    confirm = client.get(f"/pricing/{draft.id}/publish").get_data(as_text=True)
    response = client.post(f"/pricing/{draft.id}/publish")

    assert message in confirm
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert stored(draft).status is PriceListStatus.DRAFT
    assert count_rows(Notice) == notices


def test_an_empty_draft_cannot_be_published(login):
    draft = make_price_list(items={})
    client = login(make_user(role=Role.ADMIN))
    response = client.post(f"/pricing/{draft.id}/publish")
    assert response.status_code == 409
    assert "An empty price list cannot be published." in response.get_data(as_text=True)


def test_a_published_list_cannot_be_edited(login):
    price_list = published()
    client = login(make_user(role=Role.SALES))
    for url in (
        f"/pricing/{price_list.id}/edit",
        f"/pricing/{price_list.id}/items/new",
        f"/pricing/items/{price_list.items[0].id}/edit",
    ):
        assert client.get(url).status_code == 409
    assert client.post(f"/pricing/{price_list.id}/delete").status_code == 409
    assert db.session.get(PriceList, price_list.id) is not None


def test_sales_deletes_a_draft_after_confirming(login, count_rows):
    draft = make_price_list(version="作废草稿", items={make_product().sku: prices(), make_product().sku: prices()})
    client = login(make_user(role=Role.SALES))
    confirm = client.get(f"/pricing/{draft.id}/delete").get_data(as_text=True)
    assert "Delete the draft price list 作废草稿 and its 2 items?" in confirm
    assert count_rows(PriceList) == 1
    assert client.post(f"/pricing/{draft.id}/delete").status_code == 302
    assert count_rows(PriceList) == 0
    assert count_rows(PriceListItem) == 0


def test_finance_reads_every_list_but_changes_none(login):
    draft = make_price_list()
    client = login(make_user(role=Role.FINANCE))
    page = client.get(f"/pricing/{draft.id}").get_data(as_text=True)
    assert shown(LEVEL1) in page
    assert shown(LEVEL2) in page
    assert client.get("/pricing/").status_code == 200
    assert client.get(f"/pricing/{draft.id}/export.xlsx").status_code == 200
    for method, url in (
        ("GET", "/pricing/new"),
        ("GET", f"/pricing/{draft.id}/edit"),
        ("POST", f"/pricing/{draft.id}/publish"),
        ("POST", f"/pricing/{draft.id}/import"),
        ("GET", f"/pricing/{draft.id}/template.xlsx"),
    ):
        assert client.open(url, method=method).status_code == 403
    assert stored(draft).status is PriceListStatus.DRAFT


def test_the_list_shows_derived_statuses_and_filters_on_them(login):
    old = make_price_list(
        version="旧表", effective_from=TODAY - timedelta(days=400), published_on=TODAY - timedelta(days=410)
    )
    current = make_price_list(
        version="现行表", effective_from=TODAY - timedelta(days=30), published_on=TODAY - timedelta(days=40)
    )
    make_price_list(version="草稿表", effective_from=TODAY + timedelta(days=30))
    client = login(make_user(role=Role.SALES))
    page = client.get("/pricing/").get_data(as_text=True)
    assert "Superseded" in page
    assert "In force" in page
    assert "Draft" in page
    superseded = client.get("/pricing/?status=superseded").get_data(as_text=True)
    assert f">{old.version}</a>" in superseded
    assert f">{current.version}</a>" not in superseded
    in_force = client.get("/pricing/?status=published").get_data(as_text=True)
    assert f">{current.version}</a>" in in_force
    assert f">{old.version}</a>" not in in_force
    assert ">草稿表</a>" not in in_force
    assert ">草稿表</a>" in client.get("/pricing/?status=draft").get_data(as_text=True)


# --- What a distributor sees --------------------------------------------------------------------


@pytest.mark.parametrize(("level", "own", "other"), [(Level.FIRST, LEVEL1, LEVEL2), (Level.SECOND, LEVEL2, LEVEL1)])
def test_a_distributor_sees_published_lists_with_its_own_levels_price_only(login, level, own, other):
    current = published(version="现行表")
    draft = make_price_list(version="保密草稿", effective_from=TODAY + timedelta(days=30))
    client = login(distributor_user(level))

    index = client.get("/pricing/").get_data(as_text=True)
    page = client.get(f"/pricing/{current.id}").get_data(as_text=True)

    assert "现行表" in index
    assert "保密草稿" not in index
    assert shown(own) in page
    assert shown(FLOOR) in page
    assert shown(other) not in page
    assert other not in page
    assert "First-level agent price" not in page
    assert "Second-level agent price" not in page
    assert client.get(f"/pricing/{draft.id}").status_code == 404
    assert client.get(f"/pricing/{draft.id}/export.csv").status_code == 404
    assert client.get(f"/pricing/{current.id}/edit").status_code == 403


@pytest.mark.parametrize(("level", "own", "other"), [(Level.FIRST, LEVEL1, LEVEL2), (Level.SECOND, LEVEL2, LEVEL1)])
def test_a_distributors_exports_hold_its_own_levels_price_only(login, level, own, other):
    current = published()
    client = login(distributor_user(level))

    text = client.get(f"/pricing/{current.id}/export.csv").get_data().decode("utf-8-sig")
    workbook = client.get(f"/pricing/{current.id}/export.xlsx").get_data()

    rows = list(csv.reader(io.StringIO(text)))
    column = "price_level1" if level is Level.FIRST else "price_level2"
    assert rows[0] == ["sku", "name_zh", "name_en", column, "min_resale_price"]
    assert rows[1][3:] == [own, FLOOR]
    assert other not in text
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(workbook)).active.iter_rows(values_only=True) for c in row]
    assert float(own) in cells
    assert float(other) not in cells
    assert column in cells


@pytest.mark.parametrize(
    ("level", "own", "other"), [(Level.FIRST, "1111.11", "2222.22"), (Level.SECOND, "2222.22", "1111.11")]
)
def test_a_distributors_comparison_shows_its_own_levels_change_only(login, level, own, other):
    product = make_product()
    make_price_list(
        items={product.sku: prices("1000.00", "2000.00", "3500.00")},
        effective_from=TODAY - timedelta(days=400),
        published_on=TODAY - timedelta(days=410),
    )
    current = published(
        items={
            product.sku: prices(
                own if level is Level.FIRST else other, own if level is Level.SECOND else other, "3500.00"
            )
        }
    )
    client = login(distributor_user(level))
    page = client.get(f"/pricing/{current.id}/compare").get_data(as_text=True)
    assert shown(own) in page
    assert shown(other) not in page
    own_delta = "+¥111.11" if level is Level.FIRST else "+¥222.22"
    other_delta = "+¥222.22" if level is Level.FIRST else "+¥111.11"
    assert own_delta in page
    assert other_delta not in page


def test_head_office_comparison_shows_added_removed_up_down_and_by_how_much(login):
    kept, dropped, up, added = (make_product(sku=s) for s in ("KEEP-1", "DROP-1", "UP-1", "ADD-1"))
    make_price_list(
        items={
            "KEEP-1": prices("100", "110", "150"),
            "DROP-1": prices("200", "220", "300"),
            "UP-1": prices("300", "330", "400"),
        },
        effective_from=TODAY - timedelta(days=30),
        published_on=TODAY - timedelta(days=40),
    )
    draft = make_price_list(
        items={
            "KEEP-1": prices("90", "100", "150"),
            "UP-1": prices("315.50", "330", "400"),
            "ADD-1": prices("50", "55", "70"),
        },
        effective_from=TODAY + timedelta(days=30),
    )
    page = login(make_user(role=Role.SALES)).get(f"/pricing/{draft.id}/compare").get_data(as_text=True)
    assert "1 added, 1 removed, 1 up, 1 down, 0 unchanged." in page
    assert "+¥15.50" in page
    assert "−¥10.00" in page
    for sku in ("KEEP-1", "DROP-1", "UP-1", "ADD-1"):
        assert sku in page


# --- Import and export --------------------------------------------------------------------------


def test_an_uploaded_workbook_replaces_the_drafts_items(login):
    make_product(sku="PBX-MAIN-200")
    make_product(sku="PBX-EXT-16")
    draft = make_price_list(items={})
    client = login(make_user(role=Role.SALES))
    data = xlsx([["PBX-MAIN-200", "主控板", 3200, 3480.5, "4,200.00"], ["pbx-ext-16", "分机板", 1180, 1280, 1580]])
    response = client.post(
        f"/pricing/{draft.id}/import",
        data={"file": (io.BytesIO(data), "价格表.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "2 items added" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert services.prices_of(draft.id) == {
        "PBX-MAIN-200": prices("3200", "3480.50", "4200"),
        "PBX-EXT-16": prices("1180", "1280", "1580"),
    }


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_csv_from_chinese_excel_with_thousands_separators_is_accepted(login, encoding):
    make_product(sku="PBX-MAIN-200")
    draft = make_price_list(items={})
    data = csv_bytes(
        [
            "sku,名称,price_level1,price_level2,min_resale_price",
            'PBX-MAIN-200,IP 交换机主控板,"1,200.00","1,300.00","1,500.00"',
        ],
        encoding,
    )
    response = login(make_user(role=Role.SALES)).post(
        f"/pricing/{draft.id}/import", content_type="multipart/form-data", data={"file": (io.BytesIO(data), "价格.csv")}
    )
    assert response.status_code == 302
    assert services.prices_of(draft.id) == {"PBX-MAIN-200": prices("1200", "1300", "1500")}


def test_a_file_with_bad_rows_lists_each_by_row_and_column_and_saves_nothing(login):
    make_product(sku="GOOD-1")
    make_product(sku="GOOD-2")
    draft = make_price_list(items={"GOOD-1": prices()})
    data = xlsx(
        [
            ["GOOD-1", "", 100, 110, 150],
            ["NOPE-9", "", 100, 110, 150],  # unknown SKU
            ["GOOD-2", "", None, 110, 150],  # missing price
            ["GOOD-1", "", 100, 110, 150],  # duplicate SKU
            ["GOOD-2", "", "abc", 110.001, 50],  # non-numeric, three decimals, floor below
        ]
    )
    response = login(make_user(role=Role.SALES)).post(
        f"/pricing/{draft.id}/import", data={"file": (io.BytesIO(data), "p.xlsx")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in page
    for row, column, message in [
        (3, "sku", "Unknown SKU NOPE-9."),
        (4, "price_level1", "Enter an amount."),
        (5, "sku", "SKU GOOD-1 is also on row 2."),
        (6, "price_level1", "Enter an amount in digits, such as 1200.00."),
        (6, "price_level2", "Enter at most two decimals (fen)."),
    ]:
        assert f"<tr><td>{row}</td><td>{column}</td><td>{message}</td></tr>" in page
    assert services.prices_of(draft.id) == {"GOOD-1": prices()}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("prices.xlsx", b"sku,price_level1,price_level2,min_resale_price\nGOOD-1,1,2,3\n", "not an Excel workbook"),
        ("prices.xlsx", zip_bomb(), "refused as unsafe"),
        ("prices.pdf", b"%PDF-1.7", "Upload an Excel workbook (.xlsx) or a CSV file (.csv)."),
    ],
)
def test_a_file_that_is_not_a_price_list_is_refused_with_a_message_and_saves_nothing(login, name, data, message):
    make_product(sku="GOOD-1")
    draft = make_price_list(items={"GOOD-1": prices()})
    response = login(make_user(role=Role.SALES)).post(
        f"/pricing/{draft.id}/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert services.prices_of(draft.id) == {"GOOD-1": prices()}


def test_the_template_uploads_back_unchanged(login):
    make_product(sku="=CMD-1".lstrip("="), name_zh='=HYPERLINK("x")')
    make_product(sku="PBX-EXT-16")
    draft = make_price_list(
        items={"CMD-1": prices("100.10", "110", "150"), "PBX-EXT-16": prices("1180", "1280", "1580")}
    )
    client = login(make_user(role=Role.SALES))
    for suffix in ("xlsx", "csv"):
        template = client.get(f"/pricing/{draft.id}/template.{suffix}")
        assert template.status_code == 200
        assert b"'=HYPERLINK" in template.get_data() or suffix == "xlsx"
        response = client.post(
            f"/pricing/{draft.id}/import",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(template.get_data()), f"template.{suffix}")},
        )
        assert response.status_code == 302
        assert "0 items added, 0 changed, 0 removed, 2 unchanged" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/pricing/{draft.id}/template.xlsx").get_data()))
    assert book.sheetnames[1] == "Products"
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in names  # a name never becomes a formula


# --- Statements per page ------------------------------------------------------------------------


def test_a_lists_pages_cost_the_same_statements_for_3_or_30_items(login, count_statements):
    make_price_list(
        items={make_product().sku: prices() for _ in range(3)},
        effective_from=TODAY - timedelta(days=400),
        published_on=TODAY - timedelta(days=410),
    )
    current = published(items={make_product().sku: prices() for _ in range(3)})
    urls = (
        f"/pricing/{current.id}?per_page=100",
        f"/pricing/{current.id}/compare",
        f"/pricing/{current.id}/export.csv",
        f"/pricing/{current.id}/export.xlsx",
    )
    clients = [login(make_user(role=Role.SALES)), login(distributor_user(Level.FIRST))]

    def counts() -> list[int]:
        found = []
        for client in clients:
            for url in urls:
                client.get(url)  # the first request of a session may record things once
                with count_statements() as statements:
                    assert client.get(url).status_code == 200
                found.append(len(statements))
        return found

    few = counts()
    db.session.add_all(
        PriceListItem(
            price_list_id=current.id,
            product_id=make_product().id,
            price_level1=p.price_level1,
            price_level2=p.price_level2,
            min_resale_price=p.min_resale_price,
        )
        for p in [prices()] * 27
    )
    db.session.commit()
    assert counts() == few


def test_the_index_costs_the_same_statements_for_3_or_30_lists(login, count_statements):
    client = login(make_user(role=Role.SALES))
    for n in range(3):
        make_price_list(effective_from=TODAY + timedelta(days=n))
    with count_statements() as few:
        client.get("/pricing/?per_page=100")
    for n in range(27):
        make_price_list(effective_from=TODAY + timedelta(days=10 + n))
    with count_statements() as many:
        page = client.get("/pricing/?per_page=100").get_data(as_text=True)
    assert len(many) == len(few)
    assert page.count("/pricing/") >= 30


def test_a_distributor_user_linked_to_no_distributor_sees_no_list_and_no_price(login):
    current = published(version="现行表")
    orphan = make_user(role=Role.SALES)
    orphan.role = Role.DISTRIBUTOR  # as if the link were lost
    db.session.commit()
    client = login(orphan)
    assert ">现行表</a>" not in client.get("/pricing/").get_data(as_text=True)
    assert client.get(f"/pricing/{current.id}").status_code == 404
    assert client.get(f"/pricing/{current.id}/export.csv").status_code == 404
