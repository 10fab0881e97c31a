"""Money and percentages (docs/rules.md §2).

Money is ``Decimal`` in yuan with two places, never ``float``; the database keeps whole fen.
Rounding is half-up to the fen. A split keeps the rounded part and hands the remainder to the
other part, so the parts always add up to the whole.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import N_, InvalidValue

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_YUAN_DIGITS = 13  # up to ¥9,999,999,999,999.99: far above any order, well inside a BIGINT of fen

# Plain digits, an optional thousands separator every three digits, at most two decimals.
_MONEY_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$", re.ASCII)


def round_fen(amount: Decimal) -> Decimal:
    """Round half-up to the fen: 0.005 → 0.01."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded half-up to the fen (30.00 means 30%)."""
    return round_fen(amount * percent / HUNDRED)


def split(total: Decimal, percent: Decimal) -> tuple[Decimal, Decimal]:
    """Split ``total`` into ``(part, rest)``: part = round(total × percent %), rest = total − part.

    §6.3.1: deposit and balance. The parts always add up to the total.
    """
    part = percent_of(total, percent)
    return part, round_fen(total) - part


def to_fen(amount: Decimal) -> int:
    """Whole fen for storage; refuses anything that is not a Decimal."""
    return int(round_fen(amount) * 100)


def from_fen(fen: int) -> Decimal:
    """Whole fen as yuan with two decimals: 12345 → Decimal("123.45"), 100 → Decimal("1.00")
    (exact: the exponent moves, nothing is divided)."""
    return Decimal(fen).scaleb(-2)


def parse_money(text: str | None, *, allow_zero: bool = True) -> Decimal:
    """Read a money amount typed by a person or a file.

    Accepts plain digits with at most two decimals and thousands separators ("1,200.00");
    refuses NaN, Infinity, exponents, signs and anything else with a clear message.
    """
    raw = (text or "").strip().replace("，", ",").replace("¥", "").replace("￥", "").strip()
    if not raw:
        raise InvalidValue(N_("Enter an amount."))
    if raw.startswith("-"):
        raise InvalidValue(N_("The amount cannot be negative."))
    if not _MONEY_RE.match(raw):
        if re.match(r"^[\d,]*\.\d{3,}$", raw, re.ASCII):
            raise InvalidValue(N_("Enter at most two decimals (fen)."))
        raise InvalidValue(N_("Enter an amount in digits, such as 1200.00."))
    if len(raw.replace(",", "").split(".")[0].lstrip("0")) > MAX_YUAN_DIGITS:
        raise InvalidValue(N_("The amount is too large."))
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise InvalidValue(N_("Enter an amount in digits, such as 1200.00.")) from exc
    if value == 0 and not allow_zero:
        raise InvalidValue(N_("The amount must be more than zero."))
    return value.quantize(FEN)


def parse_percent(text: str | None) -> Decimal:
    """A percentage from 0 to 100 with at most two decimals ("30.00" means 30%)."""
    value = parse_money(text)
    if value > HUNDRED:
        raise InvalidValue(N_("A percentage cannot be more than 100."))
    return value
