"""Two languages, complete: every message in the code and templates has a Chinese and an English
translation (docs/architecture.md "Languages")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def messages_in_source() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    messages = messages_in_source()
    assert len(messages) > 100, "the extractor found almost nothing: is babel.cfg out of date?"
    return messages


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's one form, or a plural message's forms (ngettext: Chinese has one, English two)."""
    return (text,) if isinstance(text, str) else tuple(text)


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    """The named placeholders of every form: a Chinese plural's one form shows the count that only
    the English plural names."""
    return {name for form in forms(text) for name in PLACEHOLDER.findall(form)}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_message_is_translated(source_messages, language):
    path = ROOT / "portal" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {forms(m.id)[0]: m for m in catalog if m.id and all(forms(m.string)) and not m.fuzzy}
    missing = sorted(source_messages - set(translated))
    assert missing == [], f"{len(missing)} messages lack a {language} translation: run make extract-messages"
    for message in translated.values():
        assert placeholders(message.id) == placeholders(message.string), message.id
    problems = [(m.id, str(error)) for m in catalog if m.id for error in m.check(catalog)]
    assert problems == [], "pybabel compile would refuse these"


def test_chinese_is_the_default_and_english_follows_the_browser(client):
    assert "登录" in client.get("/login", headers={"Accept-Language": ""}).get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in english
    assert '<html lang="en">' in english
    assert '<html lang="zh-CN">' in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_the_switcher_keeps_the_choice_over_the_browser(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    client.post("/language", data={"lang": "zh"})
    assert "登录" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_switcher_never_redirects_off_site(client):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_domain_messages_reach_the_user_translated(client):
    from .builders import make_user

    user = make_user()
    response = client.post(
        "/login",
        data={"username": user.username, "password": "wrong-password"},
        headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    assert "用户名或密码错误" in response.get_data(as_text=True)
