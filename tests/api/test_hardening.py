"""Inputs an attacker tries that a person never types: a JSON key given twice, ids written in
non-ASCII digits. Each is refused, and nothing changes."""

from __future__ import annotations

import json

import pytest

from portal.domain.roles import Role
from portal.receivables.models import Payment

from ..builders import make_user


def test_a_json_key_given_twice_is_refused_with_422_and_nothing_is_booked(shop, api, count_rows):
    order = shop.order()
    body = '{"amount": "1.00", "received_on": "2026-03-06", "bank_reference": "R4", "bank_reference": "R5"}'
    response = api(make_user(role=Role.FINANCE)).post(
        f"/api/v1/orders/{order.id}/payments", data=body, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["bank_reference"]
    assert count_rows(Payment) == 0


def test_the_same_body_with_each_key_once_is_booked(shop, api, count_rows):
    order = shop.order()
    body = json.dumps({"amount": "1.00", "received_on": "2026-03-06", "bank_reference": "R5"})
    response = api(make_user(role=Role.FINANCE)).post(
        f"/api/v1/orders/{order.id}/payments", data=body, content_type="application/json"
    )
    assert response.status_code == 201
    assert count_rows(Payment) == 1


@pytest.mark.parametrize("zero", ["０", "𝟎", "٠"])  # full-width, mathematical bold, Arabic-Indic digits
def test_ids_in_non_ascii_digits_are_not_found_on_pages_or_in_the_api(shop, api, login, zero):
    order = shop.order()
    spelled = "".join(chr(ord(zero) + int(digit)) for digit in str(order.id))  # the same number
    assert int(spelled) == order.id
    sales = make_user(role=Role.SALES)
    assert api(sales).get(f"/api/v1/orders/{order.id}").status_code == 200
    assert api(sales).get(f"/api/v1/orders/{spelled}").status_code == 404
    assert login(sales).get(f"/orders/{spelled}").status_code == 404
