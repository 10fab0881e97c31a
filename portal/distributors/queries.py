"""The distributor list's one query, shared by the pages and the API, and the distributor picker's
queries: the few distributors matching what is typed, and the one distributor a picker names.

Head office picks a distributor by typing in a search box (templates/macros/picker.html,
static/js/distributor_picker.js), never from a drop-down of every distributor: the box asks
:func:`distributors_like` (through ``distributors.choices``) for ten at a time, and a page loads only
the distributor chosen (:func:`pick_distributor`: one query by id or by code, in the caller's scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, case, select

from ..db import MAX_ID
from ..domain.distributors import DistributorStatus, Level
from ..extensions import db
from ..security import scoped
from .models import Distributor

# The picker's inputs in a list's filter form: the box the user types in, and the id the chosen
# suggestion fills in (links to a filtered list, such as ?distributor_id=7, carry only the id).
PICKER_TEXT = "distributor"
PICKER_ID = "distributor_id"
SUGGESTIONS = 10  # how many distributors the box suggests at a time
QUERY_MAX_LENGTH = 100


def distributors_matching(
    *,
    level: Level | None = None,
    status: DistributorStatus | None = None,
    region_code: str | None = None,
    q: str | None = None,
    user: Any = None,
) -> Select[Any]:
    """Distributors in the caller's scope that match every filter given, ordered by code."""
    statement = scoped(select(Distributor), Distributor, user).order_by(Distributor.code)
    if level:
        statement = statement.where(Distributor.level == level)
    if status:
        statement = statement.where(Distributor.status == status)
    if region_code:
        statement = statement.where(Distributor.region_code == region_code)
    if q:
        pattern = f"%{q}%"
        statement = statement.where(Distributor.name.ilike(pattern) | Distributor.code.ilike(pattern))
    return statement


def distributors_like(q: str, *, limit: int = SUGGESTIONS, user: Any = None) -> list[Any]:
    """The picker's suggestions: id, code and name of at most ``limit`` distributors in the caller's
    scope whose code or name contains ``q`` (any case), those whose code starts with it first, then
    by code. One query; ``%`` and ``_`` are taken literally."""
    text = q.strip()[:QUERY_MAX_LENGTH]
    if not text:
        return []
    prefix = case((Distributor.code.istartswith(text, autoescape=True), 0), else_=1)
    statement = (
        scoped(select(Distributor.id, Distributor.code, Distributor.name), Distributor, user)
        .where(Distributor.code.icontains(text, autoescape=True) | Distributor.name.icontains(text, autoescape=True))
        .order_by(prefix, Distributor.code)
        .limit(limit)
    )
    return list(db.session.execute(statement))


@dataclass(frozen=True)
class Picked:
    """What a picker names: the distributor (``id``, ``label`` "CODE name") or none.

    ``text`` is what the box shows: the label of the one chosen, else what was typed. ``unknown`` is
    the code typed (or the id sent) that names no distributor in the caller's scope, "" otherwise.
    """

    id: int | None = None
    label: str = ""
    text: str = ""
    unknown: str = ""


NOTHING = Picked()


def _id_of(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _found(row: Any) -> Picked:
    label = f"{row.code} {row.name}"
    return Picked(id=row.id, label=label, text=label)


def pick_distributor(id_value: Any = None, text: str | None = None, *, user: Any = None) -> Picked:
    """The distributor a picker names, in the caller's scope.

    ``text`` (the box; None when it was not sent, as in a link) wins when it was sent: blank is no
    distributor, else its first word is a distributor code (exact, any case; the suggestions read
    "CODE name"). The id the chosen suggestion filled in is trusted only when its code is that word.
    Usually one query by primary key or by the unique code; two when the box was retyped without
    JavaScript (the id left over from the previous choice, then the code).
    """
    columns = scoped(select(Distributor.id, Distributor.code, Distributor.name), Distributor, user)
    ident = _id_of(id_value)
    typed = text.strip()[:QUERY_MAX_LENGTH] if text is not None else None
    if typed == "":
        return NOTHING
    row = db.session.execute(columns.where(Distributor.id == ident)).first() if ident is not None else None
    if typed is None:
        if row is not None:
            return _found(row)
        sent = str(id_value or "").strip()
        return Picked(unknown=sent[:20]) if sent else NOTHING
    code = typed.split()[0]
    if row is not None and row.code.casefold() == code.casefold():
        return _found(row)
    # Exact code as typed, in capitals or in small letters: the unique index on code answers it.
    variants = {code, code.upper(), code.lower()}
    row = db.session.execute(columns.where(Distributor.code.in_(variants)).order_by(Distributor.code)).first()
    if row is not None:
        return _found(row)
    return Picked(text=typed, unknown=code[:20])


def picked_distributor() -> Picked:
    """The distributor a list's filter form names (``?distributor=`` typed, ``?distributor_id=``
    chosen or linked), looked up once per request: the list's filter, its export and the box share it."""
    cache = request.environ.setdefault("portal.picked_distributor", {})
    key = (request.args.get(PICKER_ID), request.args.get(PICKER_TEXT))
    if key not in cache:
        cache[key] = pick_distributor(*key)
    return cache[key]


def distributor_arg() -> int | None:
    """The id of the distributor a list is filtered on, or None for every distributor."""
    return picked_distributor().id
