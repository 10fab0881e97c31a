"""Product pages: head office (sales, admin) manages products, finance reads them, a distributor
sees the products its agreements authorise and nothing else (docs/rules.md §3, §12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clock import today
from portal.domain.distributors import Level
from portal.domain.roles import Role
from portal.extensions import db
from portal.products.models import Product

from ..agreements.builders import make_agreement
from ..builders import make_distributor, make_user
from ..pricing.builders import FLOOR, LEVEL1, LEVEL2, make_price_list, prices
from .builders import make_product

GOOD = {
    "sku": " pbx-main-200 ",
    "name_zh": "IP 交换机主控板 200",
    "name_en": "IP PBX main board 200",
    "category": "主控板",
    "serialized": "y",
    "active": "y",
}


def stored(sku: str) -> Product | None:
    db.session.expire_all()
    return db.session.scalar(select(Product).where(Product.sku == sku))


@pytest.mark.parametrize("role", [Role.SALES, Role.ADMIN])
def test_head_office_creates_a_product_with_a_normalized_sku(login, role):
    client = login(make_user(role=role))
    response = client.post("/products/new", data=GOOD)
    assert response.status_code == 302
    product = stored("PBX-MAIN-200")
    assert (product.name_zh, product.name_en, product.category, product.serialized, product.active) == (
        "IP 交换机主控板 200",
        "IP PBX main board 200",
        "主控板",
        True,
        True,
    )
    assert "IP PBX main board 200" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_unticked_box_means_no(login):
    client = login(make_user(role=Role.SALES))
    data = {k: v for k, v in GOOD.items() if k not in ("serialized", "active")}
    assert client.post("/products/new", data=data).status_code == 302
    product = stored("PBX-MAIN-200")
    assert (product.serialized, product.active) == (False, False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sku": "PBX MAIN"}, "A SKU has at most 40 letters, digits, dots, hyphens or underscores."),
        ({"sku": ""}, "This field is required."),
        ({"name_zh": ""}, "This field is required."),
    ],
)
def test_a_bad_product_is_explained_the_form_keeps_what_was_typed_and_nothing_is_saved(
    login, count_rows, changes, message
):
    client = login(make_user(role=Role.SALES))
    response = client.post("/products/new", data={**GOOD, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="IP PBX main board 200"' in page
    assert count_rows(Product) == 0


def test_a_sku_taken_by_another_product_is_refused_on_its_field(login, count_rows):
    make_product(sku="PBX-MAIN-200")
    other = make_product(sku="PBX-EXT-16")
    client = login(make_user(role=Role.SALES))
    assert "Another product has this SKU." in client.post("/products/new", data=GOOD).get_data(as_text=True)
    response = client.post(f"/products/{other.sku}/edit", data={**GOOD, "sku": "pbx-main-200"})
    assert response.status_code == 409  # a duplicate, as the API answers it
    assert "Another product has this SKU." in response.get_data(as_text=True)
    assert count_rows(Product) == 2
    assert stored("PBX-EXT-16") is not None


def test_sales_edits_a_product_and_its_new_sku_is_its_address(login):
    product = make_product(sku="PBX-OLD-1")
    client = login(make_user(role=Role.SALES))
    form = client.get(f"/products/{product.sku}/edit").get_data(as_text=True)
    assert 'value="PBX-OLD-1"' in form
    response = client.post(f"/products/{product.sku}/edit", data={**GOOD, "sku": "pbx-new-1", "active": ""})
    assert response.headers["Location"].endswith("/products/PBX-NEW-1")
    assert stored("PBX-NEW-1").active is False
    assert client.get("/products/PBX-OLD-1").status_code == 404


def test_finance_reads_products_but_does_not_edit(login):
    product = make_product()
    client = login(make_user(role=Role.FINANCE))
    assert client.get("/products/").status_code == 200
    assert client.get(f"/products/{product.sku}").status_code == 200
    assert client.get(f"/products/{product.sku}/edit").status_code == 403
    assert client.post("/products/new", data=GOOD).status_code == 403


def test_a_distributor_sees_only_the_products_its_agreements_authorise(login):
    ours, theirs = make_distributor(), make_distributor()
    mine, other, nobodys = make_product(sku="MINE-1"), make_product(sku="THEIRS-1"), make_product(sku="NOBODY-1")
    make_agreement(ours, skus=(mine.sku,))
    make_agreement(theirs, skus=(other.sku,))
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=ours))

    page = client.get("/products/").get_data(as_text=True)

    assert "MINE-1" in page
    assert "THEIRS-1" not in page
    assert "NOBODY-1" not in page
    assert client.get("/products/MINE-1").status_code == 200
    assert client.get("/products/THEIRS-1").status_code == 404
    assert client.get("/products/NOBODY-1").status_code == 404
    assert client.get("/products/MINE-1/edit").status_code == 403
    assert nobodys.id


@pytest.mark.parametrize(("level", "own", "other"), [(Level.FIRST, LEVEL1, LEVEL2), (Level.SECOND, LEVEL2, LEVEL1)])
def test_a_product_page_shows_the_price_in_force_for_the_viewers_level_only(login, level, own, other):
    distributor = make_distributor(level=level)
    product = make_product(sku="MINE-1")
    make_agreement(distributor, level=level, skus=(product.sku,))
    make_price_list(
        items={product.sku: prices()},
        effective_from=today() - timedelta(days=5),
        published_on=today() - timedelta(days=6),
    )
    head_office = login(make_user(role=Role.SALES)).get("/products/MINE-1").get_data(as_text=True)
    own_page = (
        login(make_user(role=Role.DISTRIBUTOR, distributor=distributor)).get("/products/MINE-1").get_data(as_text=True)
    )

    def shown(amount: str) -> str:
        return f"¥{int(amount.split('.')[0]):,}.{amount.split('.')[1]}"

    assert shown(LEVEL1) in head_office
    assert shown(LEVEL2) in head_office
    assert shown(own) in own_page
    assert shown(FLOOR) in own_page
    assert shown(other) not in own_page


def test_the_list_filters_and_paginates_in_sql(login, count_statements):
    for n in range(3):
        make_product(sku=f"BRD-{n:02d}", category="主控板")
    make_product(sku="PHN-01", category="话机", active=False)
    client = login(make_user(role=Role.SALES))
    phones = client.get("/products/?category=话机").get_data(as_text=True)
    assert "PHN-01" in phones
    assert "BRD-00" not in phones
    assert "PHN-01" not in client.get("/products/?active=1").get_data(as_text=True)
    assert "PHN-01" in client.get("/products/?active=0").get_data(as_text=True)
    assert "BRD-01" in client.get("/products/?q=brd-01").get_data(as_text=True)
    assert client.get("/products/?page=abc&per_page=-1&active=maybe").status_code == 200
    with count_statements() as few:
        client.get("/products/?per_page=100")
    for n in range(30):
        make_product(sku=f"MORE-{n:02d}")
    with count_statements() as many:
        page = client.get("/products/?per_page=100").get_data(as_text=True)
    assert len(many) == len(few)
    assert "MORE-29" in page
