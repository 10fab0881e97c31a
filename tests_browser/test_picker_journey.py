"""The distributor picker in Chromium (templates/macros/picker.html, static/js/distributor_picker.js):
head office types part of a code, the box suggests matching distributors from the portal (under the
CSP, with the session cookie), choosing one fills the hidden id, and the list is filtered on it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from .conftest import LiveServer, Watch

SignIn = Callable[[Page, str], None]
HZ_NAME = "杭州云帆科技有限公司"


@pytest.mark.browser
def test_sales_types_a_code_chooses_a_suggestion_and_the_agreements_are_filtered(
    page: Page, live_server: LiveServer, watch: Watch, sign_in: SignIn
) -> None:
    hz = live_server.distributor_ids["HZ001"]
    sign_in(page, "sales")
    page.goto(live_server(live_server.path_for("agreements.index")))
    box = page.locator("#picker-distributor_id")
    hidden = page.locator('input[type="hidden"][name="distributor_id"]')
    assert page.locator("#picker-distributor_id-choices option").count() == 0  # nothing listed up front

    box.press_sequentially("hz0")
    suggestion = page.locator(f'#picker-distributor_id-choices option[data-id="{hz}"]')
    suggestion.wait_for(state="attached")
    label = suggestion.get_attribute("value")
    assert label == f"HZ001 {HZ_NAME}"
    assert hidden.input_value() == ""  # typing alone chooses nothing

    box.fill(label)  # what the browser does when a suggestion is picked from the list
    assert hidden.input_value() == str(hz)
    with page.expect_navigation():
        box.press("Enter")
    assert f"distributor_id={hz}" in page.url
    assert box.input_value() == label

    box.fill("")
    assert hidden.input_value() == ""
    watch.assert_clean()
