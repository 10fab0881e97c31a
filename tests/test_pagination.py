"""Lists count their rows up to a cap (portal.pagination, config LIST_COUNT_CAP): past it the page
says "more than …" honestly and still pages on while rows remain, and the API says so in
``total_capped`` (docs/api.md, Lists and pagination)."""

from __future__ import annotations

import pytest

from portal.domain.roles import Role

from .api.conftest import ApiCaller
from .builders import make_distributor, make_token, make_user


def sales_api(client) -> ApiCaller:
    return ApiCaller(client, make_token(make_user(role=Role.SALES)))


@pytest.fixture
def seven_distributors(app):
    return [make_distributor(code=f"CAP{n}") for n in range(1, 8)]


@pytest.fixture
def cap_of_three(app, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 3)


def test_past_the_cap_the_page_says_more_than_and_pages_on_to_the_last_row(seven_distributors, cap_of_three, login):
    client = login(make_user(role=Role.SALES))

    first = client.get("/distributors/?q=CAP&per_page=2").get_data(as_text=True).replace("&amp;", "&")
    assert "More than 3 in all" in first
    assert "7 in all" not in first
    assert "?q=CAP&per_page=2&page=2" in first  # "Next"

    seen = []
    for number in range(1, 6):
        page = client.get(f"/distributors/?q=CAP&per_page=2&page={number}").get_data(as_text=True).replace("&amp;", "&")
        seen += [code for code in (f"CAP{n}" for n in range(1, 8)) if f">{code}<" in page]
        if number == 3:
            assert "?q=CAP&per_page=2&page=4" in page  # rows remain past the cap: "Next" still leads on
    assert sorted(set(seen)) == [f"CAP{n}" for n in range(1, 8)]


def test_the_last_page_past_the_cap_has_no_next_page(seven_distributors, cap_of_three, login):
    client = login(make_user(role=Role.SALES))
    last = client.get("/distributors/?q=CAP&per_page=2&page=4").get_data(as_text=True).replace("&amp;", "&")
    assert "CAP7" in last
    assert "page=5" not in last


def test_under_the_cap_the_total_is_exact(seven_distributors, login):
    client = login(make_user(role=Role.SALES))
    page = client.get("/distributors/?q=CAP&per_page=2").get_data(as_text=True).replace("&amp;", "&")
    assert "7 in all" in page
    assert "More than" not in page


def test_the_api_answers_the_cap_as_total_and_says_it_is_capped(seven_distributors, cap_of_three, client):
    caller = sales_api(client)

    first = caller.get("/api/v1/distributors?q=CAP&per_page=2").json
    assert (first["total"], first["total_capped"], first["page"], first["pages"]) == (3, True, 1, 2)

    codes, number, pages = [], 1, 1
    while number <= pages:  # a client reading while page < pages reads every row
        answer = caller.get(f"/api/v1/distributors?q=CAP&per_page=2&page={number}").json
        codes += [item["code"] for item in answer["items"]]
        pages, number = answer["pages"], number + 1
    assert codes == [f"CAP{n}" for n in range(1, 8)]
    assert answer["pages"] == 4


def test_the_api_total_is_exact_under_the_cap(seven_distributors, client):
    answer = sales_api(client).get("/api/v1/distributors?q=CAP&per_page=2").json
    assert (answer["total"], answer["total_capped"], answer["pages"]) == (7, False, 4)


def test_the_count_stops_at_the_cap(seven_distributors, cap_of_three, login, count_statements):
    """The COUNT reads at most cap + 1 rows: its statement carries the limit."""
    client = login(make_user(role=Role.SALES))
    with count_statements() as statements:
        client.get("/distributors/?q=CAP&per_page=2")
    counts = [s for s in statements if "count(" in s.lower()]
    assert counts
    assert all("LIMIT" in s.upper() for s in counts)
