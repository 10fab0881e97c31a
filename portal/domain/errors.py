"""Domain errors: a rule or a value refused, with a message the edge translates.

Messages are English msgids marked with :func:`N_` so that Babel extracts them; the view or API
layer passes ``message`` through gettext and formats it with ``params``.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (the domain has no locale)."""
    return message


class DomainError(Exception):
    """A rule forbids the step (API: 409)."""

    code = "rule_violated"

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def details(self) -> list[tuple[str, dict[str, Any]]]:
        """What to show on ``field``, as (message, params): this error's own message, or each
        problem of an error that lists several."""
        return [(self.message, self.params)]


class InvalidValue(DomainError):
    """A value the user typed cannot be accepted (forms: field error; API: 422)."""

    code = "invalid"


class Duplicate(DomainError):
    """The value is already taken by another record (a code, a name, a bank reference): 409."""

    code = "duplicate"
