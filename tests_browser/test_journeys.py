"""Journeys through the real portal in Chromium: sign in, see your role's home, switch language,
sign out; and a distributor who types another distributor's address.

The UI is Chinese first and its catalogue grows in parallel, so elements are found by id, name,
href (built with ``url_for``) or ``data-`` attribute, and wording is checked only as "Chinese in
Chinese, not in English", never as one exact sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db

from .conftest import LiveServer, Watch

CJK = re.compile(r"[\u4e00-\u9fff]")
HZ_NAME = "杭州云帆科技有限公司"
SZ_NAME = "苏州启明智能设备有限公司"

Screenshot = Callable[[Page, str], Path]
SignIn = Callable[[Page, str], None]


@dataclass(frozen=True)
class Expect:
    head_office: bool  # sees the Distributors, Regions and Audit trail links
    admin: bool  # sees the Users link
    company: str | None = None  # a distributor user's own company, shown on the home page


ROLES = {
    "admin": Expect(head_office=True, admin=True),
    "sales": Expect(head_office=True, admin=False),
    "finance": Expect(head_office=True, admin=False),
    "hz-agent": Expect(head_office=False, admin=False, company=HZ_NAME),
}


def full_name(live_server: LiveServer, username: str) -> str:
    with live_server.app.app_context():
        name = db.session.scalar(select(User.full_name).where(User.username == username))
        db.session.remove()
    return name or username


def nav_link(page: Page, path: str) -> Locator:
    """A link of the navigation bar, on the bar itself or inside one of head office's menus."""
    return page.locator(f'#nav a.nav-link[href="{path}"], #nav a.dropdown-item[href="{path}"]')


def follow_nav(page: Page, path: str) -> None:
    """Click a navigation link as a person would: open its menu first when it sits in one."""
    link = nav_link(page, path)
    toggle = link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/a[contains(@class, 'dropdown-toggle')]")
    if toggle.count():
        toggle.click()
        assert link.is_visible(), "the menu opened (Bootstrap's script ran under the CSP)"
    with page.expect_navigation():
        link.click()


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def switch_language(page: Page, code: str) -> None:
    """Press the switcher's button; the portal answers with the same page in that language."""
    before = page.url
    with page.expect_navigation():
        page.click(f'#language-switcher button[name="lang"][value="{code}"]')
    expected = "zh-CN" if code == "zh" else "en"
    assert html_lang(page) == expected
    assert page.url == before, "the switcher should bring the user back to the same page"
    assert page.locator(f'#language-switcher button[value="{code}"]').get_attribute("aria-current") == "true"


def visible_words(page: Page) -> tuple[str, str]:
    """The page title and the brand in the navigation bar, as the user sees them."""
    return page.title(), page.locator(".navbar-brand").inner_text().strip()


def assert_chinese_then_english(zh: tuple[str, str], en: tuple[str, str]) -> None:
    zh_title, zh_brand = zh
    en_title, en_brand = en
    assert CJK.search(zh_brand), (
        f"the Chinese page's brand is not Chinese: {zh_brand!r}; is the zh catalogue "
        "(portal/translations/zh/LC_MESSAGES/messages.po) written and compiled (make translations)?"
    )
    assert zh_title != en_title, "switching to English should change the page title"
    assert not CJK.search(en_brand), f"the English page's brand is not English: {en_brand!r}"


@pytest.mark.browser
def test_login_page_is_chinese_first_and_switches_language(
    page: Page, live_server: LiveServer, watch: Watch, screenshot: Screenshot
) -> None:
    page.goto(live_server("/"))
    login = live_server.path_for("accounts.login")
    assert page.url.startswith(live_server(login)), "an anonymous visitor is sent to the login page"
    assert html_lang(page) == "zh-CN"
    zh = visible_words(page)
    screenshot(page, "login-zh")

    switch_language(page, "en")
    en = visible_words(page)
    screenshot(page, "login-en")
    assert_chinese_then_english(zh, en)

    # A wrong password keeps the visitor on the form with a message under the field.
    page.fill("#username", "sales")
    page.fill("#password", "not-the-password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.startswith(live_server(login))
    assert page.locator("#password.is-invalid").count() == 1
    assert page.locator(f'form[action="{live_server.path_for("accounts.logout")}"]').count() == 0
    # Chromium may log the form's 422 answer as a failed load: that one is meant.
    watch.allow_console(r"status of 422 .*\(https?://[^/]+/login[^)]*\)$")

    switch_language(page, "zh")
    watch.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_signs_in_sees_its_home_switches_language_and_signs_out(
    username: str,
    page: Page,
    live_server: LiveServer,
    watch: Watch,
    screenshot: Screenshot,
    sign_in: SignIn,
) -> None:
    expect = ROLES[username]
    home = live_server.path_for("main.home")
    sign_in(page, username)
    assert html_lang(page) == "zh-CN", "the portal speaks Chinese to a Chinese browser"

    # Who is signed in: the user's own name links to the profile.
    profile = page.locator(f'#nav a[href="{live_server.path_for("accounts.profile")}"]')
    assert full_name(live_server, username) in profile.inner_text()

    # What the role may reach from the navigation bar.
    users = nav_link(page, live_server.path_for("admin.users"))
    distributors = nav_link(page, live_server.path_for("distributors.index"))
    assert users.count() == (1 if expect.admin else 0)
    assert distributors.count() == (1 if expect.head_office else 0)
    for endpoint in ("regions.index", "audit.index"):
        assert nav_link(page, live_server.path_for(endpoint)).count() == (1 if expect.head_office else 0)
    if expect.company:
        own_id = live_server.distributor_ids["HZ001"]
        assert page.locator("h1").inner_text().strip() == expect.company
        assert nav_link(page, live_server.path_for("distributors.show", distributor_id=own_id)).count() == 1
        assert SZ_NAME not in page.locator("body").inner_text()
    else:
        assert HZ_NAME not in page.locator("h1").inner_text()

    zh = visible_words(page)
    screenshot(page, f"home-{username}-zh")
    switch_language(page, "en")
    en = visible_words(page)
    screenshot(page, f"home-{username}-en")
    assert_chinese_then_english(zh, en)
    if expect.company:
        assert page.get_by_text(expect.company).first.is_visible(), "names stay as written in English"
    switch_language(page, "zh")
    assert visible_words(page) == zh

    # One step further in: head office opens the distributor list, admin the user list.
    if expect.head_office:
        follow_nav(page, live_server.path_for("distributors.index"))
        body = page.locator("main").inner_text()
        assert HZ_NAME in body
        assert SZ_NAME in body
    if expect.admin:
        follow_nav(page, live_server.path_for("admin.users"))
        body = page.locator("main").inner_text()
        for login_name in ("admin", "sales", "finance", "hz-agent", "sz-agent"):
            assert login_name in body
        screenshot(page, "admin-users-zh")

    # Sign out: back to the login page, and the home page asks for a login again.
    with page.expect_navigation():
        page.click(f'form[action="{live_server.path_for("accounts.logout")}"] button[type=submit]')
    login = live_server(live_server.path_for("accounts.login"))
    assert page.url.startswith(login)
    assert page.locator("#username").is_visible()
    page.goto(live_server(home))
    assert page.url.startswith(login), "after signing out the home page needs a login again"
    watch.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize(("username", "own", "other"), [("hz-agent", "HZ001", "SZ002"), ("sz-agent", "SZ002", "HZ001")])
def test_a_distributor_typing_another_distributors_address_sees_not_found(
    username: str,
    own: str,
    other: str,
    page: Page,
    live_server: LiveServer,
    watch: Watch,
    screenshot: Screenshot,
    sign_in: SignIn,
) -> None:
    ids = live_server.distributor_ids
    sign_in(page, username)

    def open_distributor(distributor_id: int) -> int:
        path = live_server.path_for("distributors.show", distributor_id=distributor_id)
        response = page.goto(live_server(path))
        assert response is not None
        return response.status

    assert open_distributor(ids[own]) == 200
    assert open_distributor(ids[other]) == 404
    assert page.locator('[data-status="404"]').is_visible()
    other_names = {"HZ001": HZ_NAME, "SZ002": SZ_NAME}
    assert other_names[other] not in page.locator("body").inner_text()
    answer = page.locator("main").inner_text()
    screenshot(page, f"not-found-{username}")

    # The same answer as for a record that does not exist at all (docs/rules.md §12).
    assert open_distributor(max(ids.values()) + 1000) == 404
    assert page.locator("main").inner_text() == answer

    # Chromium logs each 404 page as a failed load: those two are meant, nothing else is.
    watch.allow_console(r"status of 404 .*\(https?://[^/]+/distributors/\d+\)$")
    watch.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("username", ["sales", "finance", "hz-agent"])
def test_every_page_of_the_navigation_opens_cleanly(
    username: str, page: Page, live_server: LiveServer, watch: Watch, screenshot: Screenshot, sign_in: SignIn
) -> None:
    """Each role walks every page its navigation offers, on the demo data: each answers, in
    Chinese, with no request leaving the portal and no console error or CSP violation."""
    sign_in(page, username)
    paths = page.eval_on_selector_all(
        "#nav a.nav-link[href^='/'], #nav a.dropdown-item[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(paths) >= 6, paths
    for path in dict.fromkeys(paths):
        response = page.goto(live_server(path))
        assert response is not None
        assert response.status == 200, f"{username}: {path} answered {response.status}"
        assert CJK.search(page.locator("h1").inner_text()), f"{path} has no Chinese heading"
        name = path.strip("/").replace("/", "-") or "home"
        screenshot(page, f"tour-{username}-{name}")
    watch.assert_clean()
