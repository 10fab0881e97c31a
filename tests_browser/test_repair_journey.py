"""The monthly repair batch in Chromium, from end to end (docs/rules.md §7.2): a distributor fills and
ships its batch; sales receives it, inspects it (a fee above the cap is refused on the page),
repairs and notifies; finance books the fee; sales ships the boards back; the distributor rates the
service. The distributor works in Chinese, head office in English.

Elements are found by id, name or data- attribute (see test_journeys.py for why), and each step is
checked where a user would see it and in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from portal.boards.models import Board
from portal.clock import today
from portal.domain.repairs import UNFINISHED, BatchStatus
from portal.extensions import db
from portal.repairs.models import RepairBatch, RepairLine

from .conftest import LiveServer, Watch
from .test_journeys import CJK, html_lang, switch_language

Screenshot = Callable[[Page, str], Path]
SignIn = Callable[[Page, str], None]


def _old_free_board(live_server: LiveServer) -> str:
    """One of HZ001's boards out of warranty today and in no unfinished batch: a line with a cap."""
    with live_server.app.app_context():
        busy = select(RepairLine.board_id).join(RepairBatch).where(RepairBatch.status.in_(UNFINISHED))
        serial = db.session.scalar(
            select(Board.serial)
            .where(
                Board.distributor_id == live_server.distributor_ids["HZ001"],
                Board.id.not_in(busy),
                Board.warranty_end < today() - timedelta(days=1),
                ~Board.windows.any(),
            )
            .order_by(Board.shipped_on, Board.serial)
            .limit(1)
        )
        db.session.remove()
    assert serial, "the demo has an old board of HZ001's to send in"
    return serial


def _batch(live_server: LiveServer, serial: str) -> RepairBatch:
    with live_server.app.app_context():
        batch = db.session.scalar(
            select(RepairBatch)
            .join(RepairLine)
            .join(Board)
            .where(Board.serial == serial)
            .order_by(RepairBatch.id.desc())
        )
        db.session.expunge(batch)
        db.session.remove()
    return batch


def _submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.browser
def test_a_batch_goes_from_the_distributor_to_head_office_and_back(
    page: Page, live_server: LiveServer, watch: Watch, screenshot: Screenshot, sign_in: SignIn
) -> None:
    serial = _old_free_board(live_server)

    # The distributor, in Chinese: its open batch, one more board, shipped.
    sign_in(page, "hz-agent")
    page.goto(live_server(live_server.path_for("repairs.index")))
    assert html_lang(page) == "zh-CN"
    _submit(page, f'form[action="{live_server.path_for("repairs.open_batch")}"] button[type=submit]')
    assert CJK.search(page.locator("h1").inner_text())
    _submit(page, "a[href$='/add']")
    page.fill("#serial", serial)
    page.fill("#fault_description", "上电无反应 / no power")
    _submit(page, "main form button[type=submit]")
    batch = _batch(live_server, serial)
    assert batch.status is BatchStatus.OPEN
    page.goto(live_server(live_server.path_for("repairs.show", batch_id=batch.id)))
    assert serial in page.locator("main").inner_text()
    page.fill("#carrier", "顺丰速运")
    page.fill("#tracking_number", "SF1234567890")
    screenshot(page, "repair-batch-open-zh")
    _submit(page, "#ship-batch form button[type=submit]")
    assert _batch(live_server, serial).status is BatchStatus.SHIPPED
    page.context.clear_cookies()

    # Sales, in English: received, inspected (a fee above the cap refused), repaired, notified.
    sign_in(page, "sales")
    batch_page = live_server(live_server.path_for("repairs.show", batch_id=batch.id))
    page.goto(batch_page)
    switch_language(page, "en")
    _submit(page, "#step-receive button[type=submit]")
    assert _batch(live_server, serial).status is BatchStatus.RECEIVED
    page.goto(live_server(live_server.path_for("repairs.inspect", batch_id=batch.id)))
    rows = page.locator("#inspect-lines tbody tr[data-line]")
    for index in range(rows.count()):
        row = rows.nth(index)
        row.locator("select[name$='-cause']").select_option("normal_use")
        row.locator("select[name$='-outcome']").select_option("no_fault_found")
        row.locator("input[name$='-fee']").fill("0.00")
    mine = page.locator(f'#inspect-lines tr[data-serial="{serial}"]')
    mine.locator("select[name$='-outcome']").select_option("repaired")
    mine.locator("input[name$='-fee']").fill("99999.00")
    page.fill("#return_freight", "0.00")
    _submit(page, "#inspect-form button[type=submit]:not([name])")
    mine = page.locator(f'#inspect-lines tr[data-serial="{serial}"]')
    assert mine.locator("input[name$='-fee'].is-invalid").count() == 1, "the fee above the cap is refused on its row"
    assert "cannot be more than" in mine.inner_text()
    screenshot(page, "repair-inspect-refused-en")
    assert _batch(live_server, serial).status is BatchStatus.RECEIVED, "nothing was saved"
    mine.locator("input[name$='-fee']").fill("1.00")
    _submit(page, "#inspect-form button[type=submit]:not([name])")
    assert _batch(live_server, serial).status is BatchStatus.INSPECTED
    page.goto(batch_page)
    _submit(page, "#step-repaired button[type=submit]")
    _submit(page, "#step-notify button[type=submit]")
    notified = _batch(live_server, serial)
    assert notified.status is BatchStatus.NOTIFIED
    assert notified.amount_due >= 1
    assert page.locator("#return-refused").is_visible(), "the boards stay while the fees are unpaid"
    page.context.clear_cookies()

    # Finance books the fee.
    sign_in(page, "finance")
    page.goto(batch_page)
    page.fill("#fee-amount", str(notified.amount_due))
    page.fill("#fee-bank_reference", f"JOURNEY-{batch.id}")
    _submit(
        page,
        f'form[action="{live_server.path_for("repairs.book_fee_payment", batch_id=batch.id)}"] button[type=submit]',
    )
    assert _batch(live_server, serial).status is BatchStatus.PAID
    page.context.clear_cookies()

    # Sales ships the boards back.
    sign_in(page, "sales")
    page.goto(batch_page)
    _submit(page, "#step-ship-back button[type=submit]")
    assert _batch(live_server, serial).status is BatchStatus.RETURNED
    page.context.clear_cookies()

    # The distributor rates the service, in Chinese.
    sign_in(page, "hz-agent")
    page.goto(batch_page)
    if html_lang(page) != "zh-CN":
        switch_language(page, "zh")
    for item in ("attitude", "skill", "timeliness", "promises"):
        page.check(f'#rating input[name="{item}"][value="satisfied"]')
    page.fill("#rating textarea[name=comment]", "修得快，谢谢")
    _submit(page, "#rating form button[type=submit]")
    assert "修得快，谢谢" in page.locator("#rating").inner_text()
    screenshot(page, "repair-batch-rated-zh")
    with live_server.app.app_context():
        rated = db.session.get(RepairBatch, batch.id)
        assert rated.rating is not None
        assert rated.rating.attitude.value == "satisfied"
        db.session.remove()
    watch.allow_console(r"status of 422 .*\(https?://[^/]+/repairs/batches/\d+/inspect\)$")
    watch.assert_clean()
