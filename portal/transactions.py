"""The one transaction boundary: services commit or roll back here, and nowhere else.

A service that writes is decorated with :func:`transactional` (or wraps its writes in
``with transaction():``). When the block ends normally the outermost one commits; when anything
is raised — a refusal (``DomainError``) or a database error — it rolls back and re-raises, so a
refused step has changed nothing and its caller (a page, the API, a command) has nothing to undo:
views never call ``rollback()``.

A service called inside another's transaction joins it: only the outermost block commits, and an
inner block is a SAVEPOINT, so an inner failure that the caller handles undoes the inner block's
writes only. Row locks (``SELECT … FOR UPDATE``) taken inside are held until the outermost block
ends. On SQLite the outermost block takes the write lock at ``BEGIN`` (``BEGIN IMMEDIATE``,
portal/db.py): a read transaction the request had open ends first, so what the service reads it
reads under the lock, and reads outside a block begin deferred and run beside each other.

What cannot be taken back, such as e-mail, waits for the commit: :func:`after_commit`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import select

from .db import write_lock_at_begin
from .extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "transaction_depth"
_AFTER_COMMIT = "transaction_after_commit"


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block writes, or roll it all back and re-raise (see the module's docstring)."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth:
        waiting = session.info[_AFTER_COMMIT]
        queued = len(waiting)
        session.info[_DEPTH] = depth + 1
        try:
            with session.begin_nested():
                yield
        except BaseException:
            del waiting[queued:]  # what the undone block queued is not sent either
            raise
        finally:
            session.info[_DEPTH] = depth
        return
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        session.commit()  # a read transaction: end it, so the block's own BEGIN takes the lock
    session.info[_DEPTH], session.info[_AFTER_COMMIT] = 1, []
    try:
        with write_lock_at_begin():
            yield
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0
        waiting = session.info.pop(_AFTER_COMMIT)
    for callback in waiting:
        callback()


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Run the service function in :func:`transaction`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return function(*args, **kwargs)

    return run


def after_commit(callback: Callable[[], object]) -> None:
    """Call ``callback`` once the outermost transaction has committed; never if it rolls back.
    Outside any transaction, call it now."""
    waiting = db.session().info.get(_AFTER_COMMIT)
    if waiting is None:
        callback()
    else:
        waiting.append(callback)


def locked(model: Any, ident: int) -> Any:
    """Reload a row with a write lock held until the transaction ends (PostgreSQL: SELECT … FOR
    UPDATE; SQLite: BEGIN IMMEDIATE already serialises writers), so two requests cannot both act on
    what they read. populate_existing: the row may already be in the session, read before the lock."""
    return db.session.scalar(
        select(model).where(model.id == ident).with_for_update().execution_options(populate_existing=True)
    )
