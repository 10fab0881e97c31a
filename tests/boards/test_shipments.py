"""Head-office sales ships paid orders on the page (docs/rules.md §6, §7.1): serials typed, pasted or
uploaded, counted against the quantity, every bad one listed, nothing shipped while any is bad;
loss in transit and free replacements; who may do what."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from portal.boards.models import Board, Shipment
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.extensions import db
from portal.orders.models import Order

from ..builders import make_user


@pytest.fixture
def sales(login):
    return login(make_user(role=Role.SALES))


def new_url(order: Order) -> str:
    return f"/boards/orders/{order.id}/shipments/new"


def ship_form(shop, *, boards: str = "", serials: str = "", cables: str | None = None, **changes) -> dict:
    data = {
        "shipped_on": "2026-03-09",
        "carrier": "顺丰速运",
        "tracking_number": "SF1234567890",
        "lines-0-product_id": str(shop.board.id),
        "lines-0-quantity": boards,
        "lines-0-serials": serials,
    }
    if cables is not None:
        data |= {"lines-1-product_id": str(shop.cable.id), "lines-1-quantity": cables, "lines-1-serials": ""}
    return data | changes


def boards_of(order: Order) -> list[Board]:
    db.session.expire_all()
    return list(db.session.scalars(select(Board).where(Board.order_id == order.id).order_by(Board.serial)))


def test_sales_ships_part_of_an_order_with_pasted_serials(shop, sales):
    order = shop.paid_order(50, 10)
    page = sales.get(new_url(order)).get_data(as_text=True)
    assert "PBX-EXT-16" in page
    assert "ACC-CBL" in page

    response = sales.post(
        new_url(order), data=ship_form(shop, serials="hz2026-000001, HZ2026-000002\nHZ2026-000003", cables="4")
    )

    assert response.status_code == 302
    assert [(b.serial, b.warranty_end) for b in boards_of(order)] == [
        ("HZ2026-000001", date(2027, 6, 9)),
        ("HZ2026-000002", date(2027, 6, 9)),
        ("HZ2026-000003", date(2027, 6, 9)),
    ]
    assert db.session.get(Order, order.id).status is OrderStatus.PARTLY_SHIPPED
    shown = sales.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shipment of 7 units recorded" in shown
    assert "HZ2026-000002" in shown
    assert "Jun 9, 2027" in shown
    assert "SF1234567890" in shown


def test_nothing_ships_before_the_order_is_paid_in_full(shop, sales, count_rows):
    order = shop.order(confirm_on=date(2026, 3, 2))
    assert "Nothing ships before the order is paid in full" in sales.get(new_url(order)).get_data(as_text=True)
    response = sales.post(new_url(order), data=ship_form(shop, serials="SN-1"))
    assert response.status_code == 409
    assert "Nothing ships before the order is paid in full." in response.get_data(as_text=True)
    assert count_rows(Board) == 0
    assert count_rows(Shipment) == 0


def test_every_bad_serial_is_listed_and_nothing_ships(shop, sales, count_rows):
    order = shop.paid_order(50)
    shop.ship(order, ["SN-OLD"])

    response = sales.post(new_url(order), data=ship_form(shop, boards="3", serials="SN-1\nSN-1\nSN-OLD\nSN-4"))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was shipped." in page
    assert "PBX-EXT-16: 4 serial numbers for 3 units." in page  # more serials than units
    assert "Serial SN-1 is listed twice." in page
    assert "Serial SN-OLD has already shipped." in page
    assert "SN-1\nSN-1\nSN-OLD\nSN-4" in page  # what was typed is kept
    assert count_rows(Board) == 1


def test_more_units_than_remain_is_refused(shop, sales, count_rows):
    shop.paid_order(50)
    order = shop.paid_order(2)
    response = sales.post(new_url(order), data=ship_form(shop, serials="A B C"))
    assert response.status_code == 422
    assert "More units than remain to ship for PBX-EXT-16." in response.get_data(as_text=True)
    assert count_rows(Board) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shipped_on": "2026-03-11"}, "A shipment cannot leave in the future."),
        ({"shipped_on": "2026-03-02"}, "Nothing ships before the order is paid in full."),
        ({"shipped_on": "9.3.2026"}, "Enter a date as YYYY-MM-DD"),
        ({"lines-0-quantity": "two"}, "Enter a whole number of units."),
    ],
)
def test_bad_dates_and_quantities_are_explained(shop, sales, count_rows, changes, message):
    order = shop.paid_order(50)
    response = sales.post(new_url(order), data=ship_form(shop, serials="SN-1", **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_rows(Board) == 0


def test_an_empty_form_ships_nothing(shop, sales, count_rows):
    order = shop.paid_order(50)
    response = sales.post(new_url(order), data=ship_form(shop))
    assert response.status_code == 422
    assert "Ship at least one unit." in response.get_data(as_text=True)
    assert count_rows(Shipment) == 0


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name


def test_serials_uploaded_as_csv_with_sku_and_serial(shop, sales):
    order = shop.paid_order(50, 10)
    data = "sku,serial\nPBX-EXT-16,F-1\nPBX-EXT-16,F-2\n".encode("gbk")
    response = sales.post(
        new_url(order),
        data=ship_form(shop, serials="T-1", cables="", serial_file=upload(data, "serials.csv")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [b.serial for b in boards_of(order)] == ["F-1", "F-2", "T-1"]  # typed and uploaded together


def test_serials_uploaded_as_excel_with_only_a_serial_column(shop, sales):
    order = shop.paid_order(50)
    workbook = Workbook()
    for row in (["序列号"], ["X-1"], [20260002]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = sales.post(
        new_url(order),
        data=ship_form(shop, serial_file=upload(buffer.getvalue(), "sn.xlsx")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [b.serial for b in boards_of(order)] == ["20260002", "X-1"]


def test_an_uploaded_file_that_is_not_csv_or_excel_ships_nothing(shop, sales, count_rows):
    order = shop.paid_order(50)
    response = sales.post(
        new_url(order),
        data=ship_form(shop, serials="SN-1", serial_file=upload(b"\x89PNG\r\n\x1a\n\x00\x00", "a.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file is neither a CSV (UTF-8 or GBK) nor an Excel workbook (.xlsx)." in response.get_data(as_text=True)
    assert count_rows(Board) == 0


def test_a_file_naming_a_product_not_on_the_order_is_listed_by_line(shop, sales, count_rows):
    order = shop.paid_order(50)
    data = b"sku,serial\nPBX-EXT-16,F-1\nPBX-MAIN-200,F-2\n"
    response = sales.post(
        new_url(order), data=ship_form(shop, serial_file=upload(data, "a.csv")), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Line 3: PBX-MAIN-200 is not a serialized product left to ship on this order." in response.get_data(
        as_text=True
    )
    assert count_rows(Board) == 0


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DISTRIBUTOR])
def test_finance_and_distributors_cannot_ship(shop, login, count_rows, role):
    order = shop.paid_order(50)
    client = login(make_user(role=role, distributor=order.distributor if role is Role.DISTRIBUTOR else None))
    assert client.get(new_url(order)).status_code == 403
    assert client.post(new_url(order), data=ship_form(shop, serials="SN-1")).status_code == 403
    assert count_rows(Board) == 0


def test_a_distributor_sees_its_own_shipments_and_not_anothers(shop, login):
    order = shop.paid_order(50)
    shop.ship(order, ["OWN-1"])
    theirs = shop.elsewhere().paid_order(50)
    shop.ship(theirs, ["THEIRS-1"])
    client = login(make_user(role=Role.DISTRIBUTOR, distributor=order.distributor))
    page = client.get(f"/boards/orders/{order.id}/shipments")
    assert page.status_code == 200
    assert "OWN-1" in page.get_data(as_text=True)
    assert "Mark lost or damaged" not in page.get_data(as_text=True)
    assert client.get(f"/boards/orders/{theirs.id}/shipments").status_code == 404


def test_marking_a_shipment_lost_without_a_note_shows_the_shipments_again_and_changes_nothing(shop, sales):
    order = shop.paid_order(50)
    shipment = shop.ship(order, ["L-1"])
    too_long = "破损" * 251  # 502 characters: more than the note takes

    blank = sales.post(f"/boards/shipments/{shipment.id}/lost", data={"note": " "})
    long = sales.post(f"/boards/shipments/{shipment.id}/lost", data={"note": too_long})

    assert blank.status_code == 422  # the page again, not a redirect
    page = blank.get_data(as_text=True)
    assert "Shipments of order" in page
    assert f'id="note-{shipment.id}-error" class="invalid-feedback d-block">Describe what was lost or damaged.' in page
    assert long.status_code == 422
    assert f'value="{too_long}"' in long.get_data(as_text=True)  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Shipment, shipment.id).lost_or_damaged is False


def test_a_lost_shipment_is_replaced_free_and_only_once(shop, sales, count_rows):
    order = shop.paid_order(50)
    lost = shop.ship(order, ["L-1", "L-2"])
    replacement_url = f"/boards/shipments/{lost.id}/replacement"
    assert "before sending replacements" in sales.get(replacement_url, follow_redirects=True).get_data(as_text=True)

    marked = sales.post(
        f"/boards/shipments/{lost.id}/lost", data={"note": "两块板卡运输途中损坏"}, follow_redirects=True
    )
    assert "Lost or damaged in transit" in marked.get_data(as_text=True)

    too_many = sales.post(replacement_url, data=ship_form(shop, serials="N-1 N-2 N-3"))
    assert too_many.status_code == 422
    assert "More units than remain to ship for PBX-EXT-16." in too_many.get_data(as_text=True)
    response = sales.post(replacement_url, data=ship_form(shop, serials="N-1 N-2"))
    assert response.status_code == 302
    page = sales.get(response.headers["Location"]).get_data(as_text=True)
    assert "Free replacement" in page
    assert "N-2" in page
    db.session.expire_all()
    assert db.session.get(Order, order.id).paid_amount == order.total  # no charge
    again = sales.get(replacement_url).get_data(as_text=True)
    assert "Every unit of this shipment has been replaced." in again
    assert sales.post(replacement_url, data=ship_form(shop, serials="N-3")).status_code == 422
    assert count_rows(Board) == 4
