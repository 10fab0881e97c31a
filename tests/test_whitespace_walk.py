"""The whitespace walk (issue 8, hardening): no field of any form breaks on a value of spaces only.

A field holding only whitespace (a space, a tab, the ideographic space U+3000 that a Chinese input
method types) is as empty as a blank one. Where blank is refused, whitespace is refused (the form
shown again with its message, 409 or 422, nothing saved); where blank is accepted, whitespace is
accepted and stored as blank, never as a value. It is never a server error.

The walk finds the forms itself, as tests/test_pages.py finds the pages: it loads the demo, signs in
as one user of each role, opens every page of ``app.url_map`` (for a page of one record, also for a
record in each of its states), and reads every ``<form>`` there and on the pages its GET forms lead
to. A POST form is first sent as the page shows it (blank fields filled from :data:`SAMPLES`) and
must be accepted; then once per field with that field alone set to whitespace, and set to blank
when the whitespace was accepted. What a submission saved is put back before the next one, so each
starts from the demo. A POST endpoint that no walked form reaches fails the walk unless
:data:`NOT_WALKED` says why, so a form a later issue adds is walked without editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    event,
    or_,
    select,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from portal import demo as portal_demo
from portal.accounts.models import User
from portal.boards.models import Board
from portal.db import UTCDateTime
from portal.domain import permissions
from portal.domain.repairs import UNFINISHED
from portal.domain.roles import Role
from portal.extensions import db
from portal.repairs.models import RepairBatch, RepairLine
from portal.security import scoped

from .builders import credit_code
from .test_pages import RECORDS, load_demo, pages

IDEOGRAPHIC_SPACE = "\u3000"  # what a Chinese input method types for a space
ASCII_WHITESPACE = (" ", "\t", "   ")
ANONYMOUS = ""  # the visitor who is not signed in


def whitespace(index: int) -> tuple[str, str]:
    """What the walk types into the ``index``-th field of a form: the ideographic space, which
    code that knows only ASCII spaces misses, and in turn a space, a tab, several spaces."""
    return IDEOGRAPHIC_SPACE, ASCII_WHITESPACE[index % len(ASCII_WHITESPACE)]


# Values for the fields a page leaves blank, so that a form sent as the page shows it is accepted
# and the whitespace is the only thing wrong with it. Keyed by the field's name (``lines-0-serials``
# is ``serials``, ``pw-confirm`` is ``confirm``; ``{row}`` is the row's number), or by
# ``endpoint:name`` where one form needs another value. The walk names a form it could not send.
SAMPLES: dict[str, str] = {
    "accounts.login:username": "admin",
    "accounts.login:password": portal_demo.DEMO_PASSWORD,
    "current_password": portal_demo.DEMO_PASSWORD,
    "username": "walk-user",
    "password": "walk-password-2026",
    "new_password": "walk-password-2026",
    "confirm": "walk-password-2026",
    "name": "Walk 走查",
    "number": "WALK-2026-001",
    "code": "WALK01",
    "credit_code": credit_code(990),
    "sku": "WALK-001",
    "pricing.new_item:sku": "ACC-CBL-RJ",  # the demo's draft price list drops the cable box
    "name_zh": "走查",
    "version": "2026-walk",
    "effective_from": "2026-06-01",
    "signed_on": "2026-03-01",
    "starts_on": "2026-04-01",
    "ends_on": "2027-03-31",
    "region_code": "330106",  # in the territory of the distributor who asks for a sub-agent
    "agreements.grant:region_code": "110000",
    "note": "walk",
    "reason": "walk",
    "message_zh": "走查",
    "message_en": "walk",
    "amount": "1.00",
    "bank_reference": "WALK-REF-1",
    "price_level1": "100.00",
    "price_level2": "110.00",
    "min_resale_price": "120.00",
    "quantity": "1",
    "serials": "WALK2026-{row}",
    # The walk ticks the first region of the review form, so the outcome that takes regions.
    "assessments.review:outcome": "revoke_territories",
    # A monthly report (reports.new): the form proposes February 2026, the month last reported by
    # none of the demo's distributors on the walk's day (10 March 2026); a product HZ001 may sell.
    "reports.new:sold_on": "2026-02-10",
    "reports.new:sku": "PBX-EXT-16",
    "customer": "Walk 客户",
    "unit_price": "9999.00",
    "reports.locks:quarter": "2025-Q4",
    # The distributor picker's box: the demo's first distributor by code, as the drop-down's first
    # choice was before the picker.
    "distributor_id_text": "CD004",
}

# POST endpoints that no walked form reaches, and why.
NOT_WALKED = {
    "accounts.profile": "answers a POST with the profile page; its forms post to other endpoints",
    "accounts.revoke_token": "a button without fields, shown next to an API token (the demo has none)",
}

# Forms that cannot be accepted as the page shows them, and why; their fields are walked all the same.
REFUSED_AS_SHOWN = {
    "pricing.import_file": "it needs a file, which the walk does not upload",
    "regions.import_csv": "it needs a file, which the walk does not upload",
    "reports.upload": "it needs a file, which the walk does not upload",
    "reports.upload_correction": "it needs a file, which the walk does not upload",
}

NOT_A_FIELD = {"csrf_token"}  # sent by the page, never typed


# ---------------------------------------------------------------------------------------------
# Reading the forms of a page


@dataclass
class Control:
    """One named input, select, textarea or button, as the browser sees it."""

    tag: str
    type: str
    name: str
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # a select's (value, selected)

    @property
    def submits(self) -> bool:
        return self.type in ("submit", "image") or (self.tag == "button" and self.type == "")

    @property
    def is_button(self) -> bool:
        return self.submits or self.type in ("reset", "button")

    @property
    def is_choice(self) -> bool:
        """Sent only when ticked or chosen: blank is not sending it at all."""
        return self.type in ("checkbox", "radio") or self.multiple


@dataclass
class Form:
    method: str
    action: str
    id: str
    controls: list[Control] = field(default_factory=list)

    def names(self) -> list[str]:
        """The fields a person fills, in page order, each once: a group of checkboxes is one field,
        and so is a field repeated in every row of a list (``lines-0-quantity``,
        ``lines-1-quantity`` …), walked in its first row."""
        seen: dict[str, str] = {}
        for control in self.controls:
            if not control.is_button and control.name not in NOT_A_FIELD:
                seen.setdefault(sample_name(control.name), control.name)
        return list(seen.values())

    def blank(self, name: str) -> list[str]:
        """What the browser sends for the field left blank."""
        return [] if all(c.is_choice for c in self.controls if c.name == name) else [""]


class FormReader(HTMLParser):
    """The forms of a page with their controls, including a control outside its form that names
    the form in a ``form`` attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._elsewhere: list[tuple[str, Control]] = []
        self._select: Control | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""), a.get("id", ""))
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._option = {"value": dict(attrs).get("value"), "selected": "selected" in a, "text": ""}
        elif tag in ("input", "select", "textarea", "button") and a.get("name") and "disabled" not in a:
            kind = "textarea" if tag == "textarea" else a.get("type", "").lower()
            control = Control(tag, kind, a["name"], a.get("value", ""), "checked" in a, "multiple" in a)
            if a.get("form"):
                self._elsewhere.append((a["form"], control))
            elif self._form is not None:
                self._form.controls.append(control)
            self._select = control if tag == "select" else None
            self._textarea = control if tag == "textarea" else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag in ("option", "select"):
            if self._option is not None and self._select is not None:
                value = self._option["value"]
                self._select.options.append(
                    (self._option["text"].strip() if value is None else value, self._option["selected"])
                )
            self._option = None
            if tag == "select":
                self._select = None
        elif tag == "textarea":
            if self._textarea is not None:  # the newline after <textarea> is markup, as in a browser
                self._textarea.value = re.sub(r"^\r?\n", "", self._textarea.value)
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option["text"] += data

    def close(self) -> None:
        super().close()
        by_id = {form.id: form for form in self.forms if form.id}
        for form_id, control in self._elsewhere:
            if form_id in by_id:
                by_id[form_id].controls.append(control)


def read_forms(html: str) -> list[Form]:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def own_values(form: Form) -> MultiDict[str, str]:
    """What the browser sends for the form as the page shows it, its first button pressed."""
    values: MultiDict[str, str] = MultiDict()
    pressed = False
    for control in form.controls:
        if control.is_button:
            if control.submits and not pressed:
                values.add(control.name, control.value)
                pressed = True
        elif control.type in ("checkbox", "radio"):
            if control.checked:
                values.add(control.name, control.value or "on")
        elif control.tag == "select":
            chosen = [value for value, selected in control.options if selected]
            if not chosen and control.options and not control.multiple:
                chosen = [control.options[0][0]]
            for value in chosen:
                values.add(control.name, value)
        elif control.type != "file":
            values.add(control.name, control.value)
    return values


def sample_name(name: str) -> str:
    """``lines-0-quantity`` is ``quantity``, ``pw-confirm`` is ``confirm``."""
    return name.rsplit("-", 1)[-1]


def filled(form: Form, endpoint: str | None) -> MultiDict[str, str]:
    """The form as the page shows it, with what it leaves blank filled so that it can be accepted:
    a sample (:data:`SAMPLES`; none for a GET form, ``endpoint`` None), a select's first real
    choice, the first box of a group none of which is ticked."""
    values = own_values(form)
    for control in form.controls:
        name = control.name
        if control.is_button or name in NOT_A_FIELD or any(values.getlist(name)):
            continue
        sample = None
        if endpoint is not None:
            sample = SAMPLES.get(f"{endpoint}:{sample_name(name)}", SAMPLES.get(sample_name(name)))
        row = re.search(r"-(\d+)-[^-]*$", name)
        if sample is not None:
            values.setlist(name, [sample.format(row=row.group(1) if row else 0)])
        elif control.tag == "select":
            values.setlist(name, [value for value, _ in control.options if value][:1])
        elif control.type in ("checkbox", "radio") and endpoint is not None:
            values.setlist(name, [control.value or "on"])
    return values


# ---------------------------------------------------------------------------------------------
# What a submission saved, and putting it back


Rows = dict[tuple[Any, ...], tuple[Any, ...]]


@dataclass
class Changes:
    """What one submission did to one table: the rows it added, removed and changed (as now)."""

    added: Rows
    removed: Rows
    changed: Rows


class Database:
    """The demo's rows, read once; after each submission, what it saved, and a way to put that
    back. Only the tables a committed transaction wrote to are read again, as the driver returns
    them (quick to compare); of a table it only inserted into, only the rows past the last id."""

    def __init__(self) -> None:
        self.tables = list(db.metadata.sorted_tables)
        self.typed = {table.name: self._read(table) for table in self.tables}  # to put rows back
        self.raw = {table.name: self._read_raw(table) for table in self.tables}  # to compare
        self.written: dict[str, set[str]] = {}  # table -> INSERT/UPDATE/DELETE committed since the last look
        self._pending: dict[int, dict[str, set[str]]] = {}  # the same per connection, until it commits
        names = "|".join(re.escape(table.name) for table in self.tables)
        self._writes = re.compile(rf'^\s*(INSERT|UPDATE|DELETE)\s+(?:INTO\s+|FROM\s+)?"?({names})"?\b', re.I)
        self._listeners = {"before_cursor_execute": self._record, "commit": self._commit, "rollback": self._rollback}
        for name, listener in self._listeners.items():
            event.listen(db.engine, name, listener)
        db.session.commit()

    def close(self) -> None:
        for name, listener in self._listeners.items():
            event.remove(db.engine, name, listener)

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if match := self._writes.match(statement):
            tables = self._pending.setdefault(id(conn), {})
            tables.setdefault(match.group(2).lower(), set()).add(match.group(1).upper())

    def _commit(self, conn: Any) -> None:
        for table, kinds in self._pending.pop(id(conn), {}).items():
            self.written.setdefault(table, set()).update(kinds)

    def _rollback(self, conn: Any) -> None:
        self._pending.pop(id(conn), None)  # refused: nothing it wrote stays

    @staticmethod
    def _by_key(table: Any, rows: Any) -> Rows:
        at = [list(table.columns).index(column) for column in table.primary_key.columns]
        # A day as a key (the tallies kept per due day) reads back from SQLite as text: keyed as
        # the date it stands for, as the typed rows are.
        days = [isinstance(column.type, Date) for column in table.primary_key.columns]
        return {
            tuple(
                date.fromisoformat(row[i]) if day and isinstance(row[i], str) else row[i]
                for i, day in zip(at, days, strict=True)
            ): tuple(row)
            for row in rows
        }

    def _read(self, table: Any, keys: list[tuple[Any, ...]] | None = None) -> Rows:
        statement = select(table)
        if keys is not None:
            statement = statement.where(or_(*(self._is(table, key) for key in keys)))
        return self._by_key(table, db.session.execute(statement).all())

    def _read_raw(self, table: Any, after: int | None = None) -> Rows:
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        sql = f'SELECT {columns} FROM "{table.name}"'
        if after is not None:
            sql += f' WHERE "{table.primary_key.columns[0].name}" > {int(after)}'
        return self._by_key(table, db.session.connection().exec_driver_sql(sql))

    def _last_id(self, table: Any) -> int | None:
        """The highest id of a table keyed by one integer (a new row gets a higher one), else None."""
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            return None
        return max((key[0] for key in self.raw[table.name]), default=0)

    def changes(self) -> dict[str, Changes]:
        """What was saved since the last look, by table."""
        found = {}
        for table in self.tables:
            kinds = self.written.get(table.name)
            if not kinds:
                continue
            before = self.raw[table.name]
            last = self._last_id(table) if kinds == {"INSERT"} else None
            now = self._read_raw(table, last)
            added = [key for key in now if key not in before]
            removed = [] if last is not None else [key for key in before if key not in now]
            changed = [key for key in now if key in before and before[key] != now[key]]
            if added or removed or changed:
                stored = self._read(table, added + changed)
                found[table.name] = Changes(
                    {key: stored[key] for key in added},
                    {key: self.typed[table.name][key] for key in removed},
                    {key: stored[key] for key in changed},
                )
        self.written.clear()
        db.session.commit()
        return found

    def adopt(self, changes: dict[str, Changes]) -> None:
        """Start from what ``changes`` saved (signing in again writes the user's last login)."""
        for table in self.tables:
            if table.name in changes:
                self.raw[table.name] = self._read_raw(table)
                self.typed[table.name] = self._read(table)
        db.session.commit()

    def put_back(self, changes: dict[str, Changes]) -> None:
        """Undo ``changes``: removed rows come back (parents first), changed rows get their old
        values, added rows go (children first)."""
        for table in self.tables:
            for row in changes[table.name].removed.values() if table.name in changes else ():
                db.session.execute(table.insert().values(self._values(table, row)))
        for table in self.tables:
            for key in changes[table.name].changed if table.name in changes else ():
                old = self._values(table, self.typed[table.name][key])
                db.session.execute(table.update().where(self._is(table, key)).values(old))
        for table in reversed(self.tables):
            for key in changes[table.name].added if table.name in changes else ():
                db.session.execute(table.delete().where(self._is(table, key)))
        db.session.commit()
        self.written.clear()

    @staticmethod
    def _values(table: Any, row: tuple[Any, ...]) -> dict[str, Any]:
        return {column.name: value for column, value in zip(table.columns, row, strict=True)}

    @staticmethod
    def _is(table: Any, key: tuple[Any, ...]) -> Any:
        return and_(*(column == value for column, value in zip(table.primary_key.columns, key, strict=True)))


def stored_whitespace(changes: dict[str, Changes], tables: list[Any]) -> list[str]:
    """``table.column`` of each value saved as whitespace only, in the rows added or changed."""
    columns = {table.name: table.columns.keys() for table in tables}
    found = []
    for name, change in changes.items():
        for row in [*change.added.values(), *change.changed.values()]:
            for column, value in zip(columns[name], row, strict=True):
                if any(text and not text.strip() for text in strings(value)):
                    found.append(f"{name}.{column}")
    return sorted(set(found))


def strings(value: Any) -> Iterator[str]:
    """Every string in a value, looking inside JSON (an audit event's changes)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


# ---------------------------------------------------------------------------------------------
# The walk


@dataclass
class Answer:
    status: int
    html: str
    signed_out: bool = False


def answer(client: FlaskClient, method: str, url: str, **kwargs: Any) -> Answer:
    """The status and page of a request. An exception in the view (the test app passes it on
    rather than answering 500) is a 500 whose page is the exception."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as error:  # noqa: BLE001 - every exception is the server error the walk looks for
        return Answer(500, f"{type(error).__name__}: {error}")
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    to_login = response.status_code in (301, 302, 303) and urlsplit(response.location or "").path == "/login"
    return Answer(response.status_code, html, to_login)


def refusals(html: str) -> list[str]:
    """The fields marked invalid on a page, and the messages above its forms."""
    marked = re.findall(r'<(?:input|select|textarea)[^>]*?class="[^"]*is-invalid[^"]*"[^>]*>', html)
    names = [match.group(1) for tag in marked if (match := re.search(r'name="([^"]*)"', tag))]
    return names + [text.strip() for text in re.findall(r'class="alert alert-danger"[^>]*>([^<]*)<', html)]


@dataclass
class Walk:
    app: Flask
    database: Database
    clients: dict[str, FlaskClient] = field(default_factory=dict)  # by username
    walked: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)  # (endpoint, fields)
    unaccepted: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)  # not walked: why
    reached: set[str] = field(default_factory=set)  # the endpoints a form on a page posts to
    problems: list[str] = field(default_factory=list)

    def sign_in(self, username: str) -> None:
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": portal_demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        self.clients[username] = client

    def client(self, username: str) -> FlaskClient:
        # The visitor gets a new client each time: a sample that signs in must not carry over.
        return self.app.test_client() if username == ANONYMOUS else self.clients[username]

    def endpoint(self, url: str) -> str | None:
        try:
            return str(self.app.url_map.bind("localhost").match(urlsplit(url).path, method="POST")[0])
        except HTTPException:
            return None

    def shows_form(self, html: str, action: str) -> bool:
        """The page shows a form that posts where ``action`` does (again, to be corrected)."""
        endpoint = self.endpoint(action)
        return any(f.method == "post" and self.endpoint(f.action or action) == endpoint for f in read_forms(html))

    def page(self, username: str, url: str) -> None:
        """Walk every form of a page, and follow each GET form once to the page it leads to."""
        response = answer(self.client(username), "GET", url)
        if response.status >= 500:
            self.problems.append(f"{username or 'visitor'} GET {url}: server error {response.html[:300]}")
        if response.status != 200:
            return
        for form in read_forms(response.html):
            if form.method == "post":
                self.post_form(username, form, form.action or url)
            else:
                self.get_form(username, form, form.action or url)

    def get_form(self, username: str, form: Form, action: str) -> None:
        key = (f"GET {urlsplit(action).path}", tuple(map(sample_name, form.names())))
        if key in self.walked:
            return
        self.walked.add(key)
        values = filled(form, None)
        for index, name in enumerate(form.names()):
            for space in whitespace(index):
                sent = values.copy()
                sent.setlist(name, [space])
                response = answer(self.client(username), "GET", action, query_string=sent)
                if response.status >= 500:
                    where = f"{username or 'visitor'} GET {action} {name}={space!r}"
                    self.problems.append(f"{where}: server error {response.html[:300]}")
        self.page(username, f"{action}?{urlencode(list(values.items(multi=True)))}")

    def post_form(self, username: str, form: Form, action: str) -> None:
        endpoint = self.endpoint(action)
        if endpoint is None:
            self.problems.append(f"a form posts to {action}, which no route takes")
            return
        self.reached.add(endpoint)
        key = (endpoint, tuple(map(sample_name, form.names())))
        if key in self.walked or not form.names():
            return  # walked already (the same form on another page), or a button with nothing to type
        values = filled(form, endpoint)
        who = f"{username or 'visitor'} {endpoint}"
        if endpoint not in REFUSED_AS_SHOWN:
            response, _ = self.send(username, action, values)
            if response.status >= 400:  # a page showing the form for a record in another state may do
                self.unaccepted[key] = (
                    f"{who}: the form as the page shows it was refused ({response.status}: "
                    f"{refusals(response.html)}); give its blank fields SAMPLES"
                )
                return
        self.walked.add(key)
        self.unaccepted.pop(key, None)
        for index, name in enumerate(form.names()):
            for space in whitespace(index):
                self.field(username, f"{who} {name}={space!r}", action, form, values, name, space)

    def field(
        self, username: str, where: str, action: str, form: Form, values: MultiDict[str, str], name: str, space: str
    ) -> None:
        """Send the form with one field set to whitespace, and judge the answer."""
        sent = values.copy()
        sent.setlist(name, [space])
        response, changes = self.send(username, action, sent)
        if response.status >= 500:
            self.problems.append(f"{where}: server error {response.html[:300]}")
        elif response.status >= 400:
            if response.status not in (409, 422):
                self.problems.append(f"{where}: refused with {response.status}, not 422 (or 409)")
            elif not refusals(response.html) or not self.shows_form(response.html, action):
                self.problems.append(f"{where}: refused ({response.status}) without the form and its message")
            if changes:
                self.problems.append(f"{where}: refused ({response.status}) but saved to {sorted(changes)}")
        elif stored := stored_whitespace(changes, self.database.tables):
            self.problems.append(f"{where}: accepted and saved whitespace in {stored}")
        else:
            blank = values.copy()
            blank.setlist(name, form.blank(name))
            if (status := self.send(username, action, blank)[0].status) >= 400:
                self.problems.append(f"{where}: accepted ({response.status}) where blank is refused ({status})")

    def send(self, username: str, action: str, values: MultiDict[str, str]) -> tuple[Answer, dict[str, Changes]]:
        """Post the form; what it saved is read, then put back."""
        response = answer(self.client(username), "POST", action, data=values)
        if username != ANONYMOUS and response.signed_out:
            # A password change signed the client out; the database has its old password again.
            self.sign_in(username)
            self.database.adopt(self.database.changes())
            response = answer(self.client(username), "POST", action, data=values)
        changes = self.database.changes()
        if changes:
            self.database.put_back(changes)
        return response, changes


# ---------------------------------------------------------------------------------------------
# Who walks which pages


def users_to_walk() -> list[str]:
    """The demo's users, leaving out one whose role shows no form an earlier one's does not: on
    the same side (head office or distributor) with no permission more. A page shows a form by
    the user's side and permissions."""
    chosen: list[Role] = []
    usernames = []
    for username, _, _ in portal_demo.DEMO_LOGINS:
        role = db.session.scalar(select(User.role).where(User.username == username))
        assert role is not None, username
        if not any(o.is_head_office == role.is_head_office and _rights(role) <= _rights(o) for o in chosen):
            chosen.append(role)
            usernames.append(username)
    return usernames


def _rights(role: Role) -> set[str]:
    return {permission.name for permission in permissions.ALL if role in permission.roles}


def urls(app: Flask, user: User | None) -> list[str]:
    """Every page the user may open; a page of one record for the record tests/test_pages.py picks
    and for one in each state (:func:`states`), since a page shows some forms in one state only
    (confirm a submitted order, decide a request, acknowledge an unread notice)."""
    found: dict[str, None] = {}
    build = app.url_map.bind("localhost").build
    for rule in pages(app):
        access = app.view_functions[rule.endpoint].access_rule
        if not (access.public or (user is not None and access.allows(user.role))):
            continue
        if user is None:
            if not rule.arguments:
                found.setdefault(build(rule.endpoint, {}))
            continue
        loaders = {loader.arg: loader for loader in access.loaders}
        picked = {name: RECORDS.get(f"{rule.endpoint}:{name}", RECORDS[name])(user) for name in rule.arguments}
        choices = [picked] + [{**picked, n: r} for n, loader in loaders.items() for r in states(loader.model, user)]
        for records in choices:
            if all(record is not None for record in records.values()):
                values = {n: getattr(r, loaders[n].by if n in loaders else n) for n, r in records.items()}
                found.setdefault(build(rule.endpoint, values))
    return list(found)


def states(model: Any, user: User) -> list[Any]:
    """The first record the user sees for each value of each state column of the model: its enums
    and flags, and whether each of its optional dates is set."""
    records = []
    order = list(model.__table__.primary_key.columns)
    for column in model.__table__.columns:
        if isinstance(column.type, Enum | Boolean):
            values = db.session.scalars(scoped(select(column).distinct(), model, user)).all()
            conditions = [column == value for value in values]
        elif isinstance(column.type, Date | DateTime | UTCDateTime) and column.nullable:
            conditions = [column.is_(None), column.is_not(None)]
        else:
            continue
        for condition in conditions:
            statement = scoped(select(model).where(condition), model, user).order_by(*order).limit(1)
            records.append(db.session.scalars(statement).first())
    return [record for record in records if record is not None]


def free_board_of(username: str) -> str:
    """A serial of the user's company's boards in no unfinished repair batch: what adding a board to
    its open batch needs (the demo's serials follow its dates, so it is looked up)."""
    user = db.session.scalar(select(User).where(User.username == username))
    busy = select(RepairLine.board_id).join(RepairBatch).where(RepairBatch.status.in_(UNFINISHED))
    return db.session.scalar(
        select(Board.serial)
        .where(Board.distributor_id == user.distributor_id, Board.id.not_in(busy))
        .order_by(Board.serial)
        .limit(1)
    )


@pytest.fixture
def walk(app: Flask, today: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Walk]:
    load_demo()
    monkeypatch.setitem(SAMPLES, "repairs.add_boards:serial", free_board_of("hz-agent"))
    monkeypatch.setitem(SAMPLES, "fault_description", "walk")
    database = Database()
    walk = Walk(app, database)
    for username in users_to_walk():
        walk.sign_in(username)
    database.adopt(database.changes())  # the starting point: every walking user signed in
    try:
        yield walk
    finally:
        database.close()


def test_no_field_of_any_form_breaks_on_whitespace_or_saves_it(app, walk):
    for username in [ANONYMOUS, *walk.clients]:
        user = db.session.scalar(select(User).where(User.username == username)) if username else None
        for url in urls(app, user):
            walk.page(username, url)
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")}
    missed = [
        f"{endpoint}: no walked page shows a form posting to it; walk it or say why in NOT_WALKED"
        for endpoint in sorted(posts - walk.reached - set(NOT_WALKED))
    ]
    found = [*walk.problems, *walk.unaccepted.values(), *missed]
    assert not found, "\n".join(["", *found])
    assert len(walk.walked) > 40, "the walk found too few forms to be walking the portal"


# ---------------------------------------------------------------------------------------------
# The walk's own pieces


def test_the_form_reader_sends_what_a_browser_sends():
    html = """
    <form method="post" action="/x" id="f">
      <input type="hidden" name="csrf_token" value="t">
      <input name="code" value="A&amp;B"> <input name="off" value="1" disabled>
      <textarea name="note">
line</textarea>
      <select name="level"><option value="">-</option><option value="2" selected>2</option></select>
      <select name="first"><option>one</option><option>two</option></select>
      <input type="checkbox" name="tick" value="a" checked><input type="checkbox" name="tick" value="b">
      <button type="submit" name="action" value="save">Save</button><button name="action" value="submit">Go</button>
    </form>
    <button form="f" name="outside" value="o" type="button">?</button>
    <form method="get"><input name="q"></form>
    """
    post, get = read_forms(html)
    assert (post.method, post.action, get.method) == ("post", "/x", "get")
    assert list(own_values(post).items(multi=True)) == [
        ("csrf_token", "t"),
        ("code", "A&B"),
        ("note", "line"),
        ("level", "2"),
        ("first", "one"),
        ("tick", "a"),
        ("action", "save"),
    ]
    assert post.names() == ["code", "note", "level", "first", "tick"]
    assert (post.blank("tick"), post.blank("code")) == ([], [""])


def test_a_field_of_every_row_is_walked_once_and_filled_in_each_row():
    form = read_forms(
        '<form method="post">'
        '<input type="hidden" name="lines-0-product_id" value="7"><input name="lines-0-serials">'
        '<input type="hidden" name="lines-1-product_id" value="8"><input name="lines-1-serials">'
        "</form>"
    )[0]
    assert form.names() == ["lines-0-product_id", "lines-0-serials"]
    values = filled(form, "boards.new_shipment")
    assert values["lines-0-serials"] != values["lines-1-serials"]
    assert values["lines-1-product_id"] == "8"


def test_whitespace_is_found_wherever_it_is_saved():
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("a", String), Column("j", JSON))
    added = {(1,): (1, "ok", {"name": [None, "\u3000"]})}
    changed = {(2,): (2, " ", {"name": ["", "x"]})}
    assert stored_whitespace({"t": Changes(added, {}, changed)}, [table]) == ["t.a", "t.j"]
    assert stored_whitespace({"t": Changes({(3,): (3, "", {"a": " b "})}, {}, {})}, [table]) == []
