"""Conduct in Chromium, from end to end (docs/rules.md §8, §9, §10): a distributor uploads its month's
report, filled in the portal's own Excel template, with a sale below the minimum resale price and
sees the violation; sales computes the last ended quarter's assessments and reviews the
distributor's, revoking a territory; the distributor reads and acknowledges the revocation notice and
sees its compliance chart. The distributor works in Chinese, head office in English.

Elements are found by id, name or data- attribute (see test_journeys.py for why), and each step is
checked where a user would see it and in the database."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from sqlalchemy import select

from portal.agreements.models import Agreement, Territory
from portal.assessments.models import Assessment
from portal.clock import today
from portal.domain.assessments import AssessmentOutcome, last_ended_quarter, quarter_name
from portal.domain.notices import NoticeType
from portal.domain.reports import ViolationKind
from portal.extensions import db
from portal.notices.models import Notice
from portal.pricing.services import item_of, list_in_force
from portal.products.models import Product
from portal.reports.models import MonthlyReport, Violation

from .conftest import LiveServer, Watch
from .test_journeys import CJK, html_lang, switch_language

Screenshot = Callable[[Page, str], Path]
SignIn = Callable[[Page, str], None]
SKU = "PBX-MAIN-200"


def _submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _last_month() -> str:
    first = date(today().year, today().month, 1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _floor(live_server: LiveServer, sold_on: date) -> Decimal:
    with live_server.app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == SKU))
        item = item_of(list_in_force(sold_on).id, product.id)
        floor = item.min_resale_price
        db.session.remove()
    return floor


def _one(live_server: LiveServer, statement):
    with live_server.app.app_context():
        record = db.session.scalar(statement)
        if record is not None:
            db.session.expunge(record)
        db.session.remove()
    return record


@pytest.mark.browser
def test_a_report_with_a_sale_below_the_floor_an_assessment_that_revokes_and_the_notice_read(
    page: Page, live_server: LiveServer, watch: Watch, screenshot: Screenshot, sign_in: SignIn
) -> None:
    hz = live_server.distributor_ids["HZ001"]
    month = _last_month()
    sold_on = date.fromisoformat(f"{month}-15")
    floor = _floor(live_server, sold_on)

    # The distributor, in Chinese: downloads the template, fills it in, uploads it.
    sign_in(page, "hz-agent")
    page.goto(live_server(live_server.path_for("reports.upload")))
    assert html_lang(page) == "zh-CN"
    assert CJK.search(page.locator("h1").inner_text())
    page.fill("#month", month)
    with page.expect_download() as download:
        page.click(f"a[href*='{live_server.path_for('reports.template')}']")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    inventory = workbook["inventory"]
    for row in range(2, inventory.max_row + 1):
        inventory.cell(row=row, column=3, value=row)  # sku, name, quantity
    workbook["sales"].append([sold_on.isoformat(), "杭州西湖数码城", "330106", SKU, 2, str(floor + 100), ""])
    workbook["sales"].append([sold_on.isoformat(), "宁波海曙电讯商行", "330203", SKU, 1, str(floor - 1), ""])
    filled = Path(download.value.path()).with_suffix(".filled.xlsx")
    workbook.save(filled)
    page.set_input_files("#report_file", str(filled))
    screenshot(page, "report-upload-zh")
    _submit(page, "main form button[type=submit]")
    report = _one(
        live_server, select(MonthlyReport).where(MonthlyReport.distributor_id == hz, MonthlyReport.month == month)
    )
    assert report is not None, "the report was saved"
    assert page.url.endswith(live_server.path_for("reports.show", report_id=report.id))
    below = page.locator(f'#violations tr[data-kind="{ViolationKind.BELOW_PRICE.value}"]')
    assert below.count() == 1, "the sale one yuan below the floor is a violation, the one above is not"
    assert "宁波海曙电讯商行" in below.inner_text()
    assert "低于最低转售价" in below.inner_text()
    screenshot(page, "report-violation-zh")
    page.context.clear_cookies()

    # Sales, in English: the last ended quarter computed again (idempotent), HZ001's reviewed.
    quarter = quarter_name(*last_ended_quarter(today()))
    sign_in(page, "sales")
    page.goto(live_server(live_server.path_for("assessments.index")))
    switch_language(page, "en")
    page.fill("#compute-assessments input[name=quarter]", quarter)
    _submit(page, "#compute-assessments button[type=submit]")
    assessment = _one(
        live_server, select(Assessment).where(Assessment.distributor_id == hz, Assessment.quarter == quarter)
    )
    assert assessment is not None
    assert assessment.outcome is None, "the demo leaves HZ001's last quarter for review"
    page.goto(live_server(live_server.path_for("assessments.show", assessment_id=assessment.id)))
    page.select_option("#outcome", AssessmentOutcome.REVOKE_TERRITORIES.value)
    page.fill("#comment", "Sales to Ningbo below the floor (§3.2, §5.1).")
    page.check("#review input[name=revoke_region_codes][value='330000']")
    screenshot(page, "assessment-review-en")
    _submit(page, "#review button[type=submit]")
    assert page.locator("#frozen").is_visible()
    reviewed = _one(live_server, select(Assessment).where(Assessment.id == assessment.id))
    assert reviewed.outcome is AssessmentOutcome.REVOKE_TERRITORIES
    zhejiang = _one(
        live_server,
        select(Territory)
        .join(Agreement)
        .where(Agreement.id == assessment.agreement_id, Territory.region_code == "330000"),
    )
    assert zhejiang.revoked_effective_on is not None
    assert zhejiang.revoked_effective_on > today(), "held through the month of notice (§4.5)"
    page.context.clear_cookies()

    # The distributor reads the notice in Chinese, acknowledges it, and sees its compliance chart.
    notice = _one(live_server, select(Notice).where(Notice.id == reviewed.notice_id))
    assert notice.type is NoticeType.REVOCATION
    sign_in(page, "hz-agent")
    page.goto(live_server(live_server.path_for("notices.show", notice_id=notice.id)))
    assert "浙江省" in page.locator("#notice-text").inner_text()
    _submit(page, "#acknowledge button[type=submit]")
    assert _one(live_server, select(Notice).where(Notice.id == notice.id)).acknowledged_at is not None
    screenshot(page, "revocation-notice-acknowledged-zh")
    assert _one(live_server, select(Violation).where(Violation.report_id == report.id)) is not None
    page.goto(live_server(live_server.path_for("compliance.index")))
    orders = page.locator("#chart-orders-figure")
    orders.locator(".main-svg").first.wait_for()  # drawn by the portal's own plotly.js
    assert page.locator("#chart-violations").is_visible()
    page.click("#chart-orders details[data-table=orders] summary")
    table = page.locator("#chart-orders details[data-table=orders] table")
    assert table.is_visible(), "the chart's table is one click away"
    assert quarter in table.inner_text()
    screenshot(page, "compliance-distributor-zh")
    watch.assert_clean()
