"""The distributor's home page: agreements and their terms, territories as a list and a chart, the
price list in force and unread notices; all its own, in a constant number of statements."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from portal.agreements.services import expire_agreements, grant_territory, revoke_territories
from portal.clock import today
from portal.domain.agreements import Terms
from portal.domain.distributors import Level
from portal.domain.roles import Role
from portal.extensions import db
from portal.main.home import granted_by_province, territory_figure

from ..builders import make_agreement, make_distributor, make_price_list, make_user, region
from ..notices.builders import make_notice

ON = date(2027, 6, 1)


def record(code, name, level, province_code, province_name, granted_on=date(2027, 1, 1), revoked_effective_on=None):
    return {
        "region_code": code,
        "region_name": name,
        "region_level": level,
        "province_code": province_code,
        "province_name": province_name,
        "granted_on": granted_on,
        "revoked_effective_on": revoked_effective_on,
    }


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(row) for row in frame[["province_name", "level", "regions", "names"]].itertuples(index=False)]


# --- The chart's frame: a pure function of plain records ----------------------------------------------


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], []),
        ([record("330100", "杭州市", "city", "330000", "浙江省")], [("浙江省", "city", 1, "杭州市")]),
        (  # a province, its cities and districts; the province with most regions first
            [
                record("320500", "苏州市", "city", "320000", "江苏省"),
                record("330106", "西湖区", "district", "330000", "浙江省"),
                record("330200", "宁波市", "city", "330000", "浙江省"),
                record("330100", "杭州市", "city", "330000", "浙江省"),
                record("330000", "浙江省", "province", "330000", "浙江省"),
            ],
            [
                ("浙江省", "province", 1, "浙江省"),
                ("浙江省", "city", 2, "杭州市、宁波市"),
                ("浙江省", "district", 1, "西湖区"),
                ("江苏省", "city", 1, "苏州市"),
            ],
        ),
        (  # the same region under two agreements counts once
            [
                record("330100", "杭州市", "city", "330000", "浙江省"),
                record("330100", "杭州市", "city", "330000", "浙江省", granted_on=date(2026, 1, 1)),
            ],
            [("浙江省", "city", 1, "杭州市")],
        ),
        (  # granted later, revoked already, revocation not yet effective (§4.5: still granted until then)
            [
                record("330100", "杭州市", "city", "330000", "浙江省", granted_on=date(2027, 6, 2)),
                record("330200", "宁波市", "city", "330000", "浙江省", revoked_effective_on=ON),
                record("320500", "苏州市", "city", "320000", "江苏省", revoked_effective_on=ON + timedelta(days=1)),
            ],
            [("江苏省", "city", 1, "苏州市")],
        ),
        (  # ties keep the province codes' order
            [
                record("440300", "深圳市", "city", "440000", "广东省"),
                record("320500", "苏州市", "city", "320000", "江苏省"),
            ],
            [("江苏省", "city", 1, "苏州市"), ("广东省", "city", 1, "深圳市")],
        ),
    ],
)
def test_regions_granted_by_province(records, expected):
    frame = granted_by_province(records, ON)
    assert list(frame.columns) == ["province_code", "province_name", "level", "regions", "names"]
    assert rows_of(frame) == expected


def test_the_figure_stacks_levels_per_province_and_is_none_without_regions():
    frame = granted_by_province(
        [
            record("330000", "浙江省", "province", "330000", "浙江省"),
            record("330100", "杭州市", "city", "330000", "浙江省"),
            record("320500", "苏州市", "city", "320000", "江苏省"),
        ],
        ON,
    )
    figure = territory_figure(
        frame, {"province": "Whole province", "city": "City", "district": "District"}, "Regions granted"
    )
    assert [trace["name"] for trace in figure["data"]] == ["Whole province", "City"]
    assert figure["data"][1]["x"] == ["浙江省", "江苏省"]
    assert figure["data"][1]["y"] == [1, 1]
    assert figure["layout"]["barmode"] == "stack"
    assert figure["layout"]["xaxis"]["categoryarray"] == ["浙江省", "江苏省"]
    json.dumps(figure)  # plain JSON, ready for the page
    assert territory_figure(granted_by_province([], ON), {}, "") is None


# --- The page ------------------------------------------------------------------------------------------


@pytest.fixture
def ours():
    return make_distributor(name="杭州云帆科技有限公司", level=Level.FIRST)


@pytest.fixture
def client(login, ours):
    return login(make_user(role=Role.DISTRIBUTOR, distributor=ours))


def chart_data(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="territory-chart-data" nonce="[^"]+">(.*?)</script>', page, re.S
    )
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def test_the_home_page_shows_the_agreement_its_terms_territories_prices_and_notices(client, ours, app):
    start = today() - timedelta(days=100)
    # The lists first: published before the agreements, they notify no one (the notices below are all).
    make_price_list(
        version="2026 版", effective_from=today() - timedelta(days=400), published_on=today() - timedelta(days=400)
    )
    in_force = make_price_list(
        version="2027 版", effective_from=today() - timedelta(days=30), published_on=today() - timedelta(days=30)
    )
    make_price_list(
        version="2028 版", effective_from=today() + timedelta(days=30), published_on=today()
    )  # not in force yet
    make_price_list(version="2027 草稿", effective_from=today() - timedelta(days=1))  # a draft
    agreement = make_agreement(
        ours,
        number="XS-HZ-2027",
        starts_on=start,
        ends_on=today() + timedelta(days=265),
        terms=Terms(deposit_percent=Decimal("25.00")),
        activate_on=start,
        grants=[("330100", start), ("330106", start), ("320500", start)],
    )
    revoke_territories(
        agreement, ["320500"], today() - timedelta(days=10), "季度考核未达标", today=today()
    )  # effective in 3 weeks
    make_agreement(ours, number="XS-HZ-DRAFT")  # still being prepared
    make_agreement(
        make_distributor(),
        number="XS-OTHER",
        starts_on=start,
        ends_on=today() + timedelta(days=265),
        activate_on=start,
        grants=[("440300", start)],
    )
    unread = make_notice(ours, issued_on=today(), message_en="Please send the March report.")
    read = make_notice(ours, issued_on=today() - timedelta(days=3))
    read.acknowledged_at = read.created_at
    theirs = make_notice(make_distributor(), issued_on=today())
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert re.search(r"<h1[^>]*>杭州云帆科技有限公司</h1>", page)
    # The agreement, with its dates, level, status and terms in plain words.
    assert "XS-HZ-2027" in page
    assert "XS-HZ-DRAFT" not in page
    assert "XS-OTHER" not in page
    assert "First-level agent" in page
    assert 'data-status="active"' in page
    assert "25%" in page  # its own deposit term, not the seed's 30%
    assert "¥50,000.00" in page
    # Territories: the list, with the revocation still to take effect, and the chart.
    territories = page[page.index('id="territory-list"') : page.index("</table>", page.index('id="territory-list"'))]
    assert re.findall(r'data-region="(\d+)"', territories) == ["320500", "330100", "330106"]
    assert "still yours until then" in territories
    assert "440300" not in territories
    figure = chart_data(page)
    assert {x for trace in figure["data"] for x in trace["x"]} == {"浙江省", "江苏省"}
    # The price list in force today, with a link.
    prices = page[page.index('id="price-list"') :]
    assert "2027 版" in prices
    assert "2028 版" not in page
    assert "2027 草稿" not in page
    assert f'href="/pricing/{in_force.id}"' in prices
    # Unread notices only, and only ours.
    notices = page[page.index('id="notices"') : page.index('id="price-list"')]
    assert f'href="/notices/{unread.id}"' in notices
    assert f'/notices/{read.id}"' not in notices
    assert theirs.number not in page


def test_the_chart_is_drawn_by_the_portals_own_scripts_under_the_csp(client, ours, app):
    make_agreement(
        ours,
        starts_on=today() - timedelta(days=1),
        ends_on=today() + timedelta(days=30),
        activate_on=today() - timedelta(days=1),
        grants=[("330100", today() - timedelta(days=1))],
    )
    response = client.get("/")
    page = response.get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", page):
        assert "nonce=" in tag, tag
        assert re.search(r'src="/static/|type="application/json"', tag), tag
    assert "<style" not in page
    assert ' style="' not in page
    assert re.search(
        r'<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" '
        r'href="/static/vendor/plotly/plotly.css">',
        page,
    )
    assert 'id="9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53" href="/static/vendor/plotly/' in page
    for asset in (
        "vendor/plotly/plotly.min.js",
        "js/charts.js",
        "vendor/plotly/plotly.css",
        "vendor/plotly/plotly-maplibre.css",
    ):
        served = client.get(f"/static/{asset}")
        assert served.status_code == 200, asset
        served.close()
    assert "script-src 'self' 'nonce-" in response.headers["Content-Security-Policy"]


def test_without_agreements_the_page_says_so_and_loads_no_chart(client):
    page = client.get("/").get_data(as_text=True)
    assert "You have no signed agreement yet." in page
    assert "No territory is granted to you yet." in page
    assert "No price list is in force yet." in page
    assert "You have read every notice." in page
    assert "plotly" not in page


def test_a_distributor_user_without_a_distributor_sees_the_not_linked_message(login, ours):
    make_agreement(
        ours,
        number="XS-2027-001",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
        activate_on=date(2027, 1, 1),
        grants=[("330100", date(2027, 1, 1))],
    )
    orphan = make_user(role=Role.SALES)
    orphan.role = Role.DISTRIBUTOR
    db.session.commit()
    page = login(orphan).get("/").get_data(as_text=True)
    assert "not linked to a distributor" in page
    assert "XS-2027-001" not in page


def test_the_home_page_costs_the_same_statements_for_1_or_10_territories_and_notices(client, ours, count_statements):
    start = today() - timedelta(days=10)
    codes = ["330000", "330100", "330106", "330200", "320000", "320100", "320500", "440000", "440100", "440300"]

    def statements() -> int:
        with count_statements() as sent:
            assert client.get("/").status_code == 200
        return len(sent)

    current = make_agreement(
        ours,
        number="XS-A",
        starts_on=start,
        ends_on=today() + timedelta(days=100),
        activate_on=start,
        grants=[(codes[0], start)],
    )
    make_notice(ours, issued_on=today())
    make_price_list(version="2027", effective_from=start, published_on=start)
    few = statements()

    earlier = make_agreement(
        ours,
        number="XS-B",
        starts_on=start - timedelta(days=400),
        ends_on=start - timedelta(days=1),
        activate_on=start - timedelta(days=400),
        grants=[(code, start - timedelta(days=400)) for code in codes[1:3]],
    )
    expire_agreements(today())
    for code in codes[3:]:  # one agreement at a time binds a distributor (§3): the current one grows
        grant_territory(current, region(code).code, start, today())
    assert len(current.territories) + len(earlier.territories) == 10
    for n in range(9):
        make_notice(ours, issued_on=today() - timedelta(days=n))
    make_price_list(
        version="2027 修订", effective_from=start + timedelta(days=5), published_on=start + timedelta(days=5)
    )
    assert statements() == few


def test_the_terms_are_the_agreements_partial_and_each_agreement_links_to_its_page(client, ours):
    agreement = make_agreement(
        ours,
        starts_on=today() - timedelta(days=1),
        ends_on=today() + timedelta(days=30),
        activate_on=today() - timedelta(days=1),
    )
    page = client.get("/").get_data(as_text=True)
    assert 'class="terms-plain' in page  # templates/agreements/_terms.html, every term
    assert "Deposit 30% within 3 days of confirmation; the balance before shipment." in page
    assert "Monthly report due by day" in page
    assert f'href="/agreements/{agreement.id}"' in page
