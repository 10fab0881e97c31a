"""Compliance both ways (docs/rules.md §10; contract §2.1, §4.3, §5.1, §6.3.1, §6.4.1, §6.5.4 and the
after-sales management rules).

Per agreement and calendar quarter, as of a day ``on``, from plain records (one pandas pass,
:func:`quarter_figures`):

* the distributor's side: the prorated quota and the amount ordered (§9), deposits due in the
  quarter and paid on time, repair fees due in the quarter and paid on time, monthly reports due in
  the quarter and submitted on time (a missing one is not on time), repair batches shipped in the
  quarter and in the window, and the violations by kind;
* head office's side towards it: orders whose delivery was due in the quarter and shipped by then,
  batches received in the quarter and repaired within the turnaround, price-list notices issued
  before the list took effect, and the rating items answered "satisfied" or better.

Each figure is a pair of counts (due, met), so figures add up over agreements and quarters and
every rate is read from them (:class:`Figures`). A deadline still running on ``on`` does not count
yet; one that has passed unmet counts as missed. Events dated after ``on`` are treated as not
happened, so the figures of a past day can be computed again. The compliance score
(:func:`compliance_score`) sums the distributor's side with the weights of :data:`WEIGHTS`.
Every date rule is the one the other areas use (domain.orders, domain.repairs, domain.reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeAlias

import pandas as pd

from .agreements import Terms, terms_in_force
from .assessments import attainment, quarter_name
from .dates import is_met, quarter_bounds, quarter_of
from .money import from_fen, to_fen
from .orders import DeliveryState, OrderStatus, delivery_state, deposit_is_late, prorated_quota, quota_day
from .repairs import (
    DECIDED,
    SATISFACTION_TARGET,
    SATISFIED_LEVELS,
    TIMELINESS_TARGET,
    RatingItem,
    RatingLevel,
    ServiceFigure,
)
from .reports import ReportState, ViolationKind, month_bounds, month_name, report_due_on, report_state

ZERO = Decimal("0.00")
ONE = Decimal(1)
POINT = Decimal("0.01")

# --- the score ----------------------------------------------------------------------------------

#: The compliance score's weights (points out of 100; docs/rules.md §10).
WEIGHTS: dict[str, int] = {
    "attainment": 40,  # quota attainment, capped at 100%
    "deposits": 15,  # deposits paid on time
    "fees": 10,  # repair fees paid on time
    "reports": 15,  # monthly reports on time
    "batches": 10,  # repair batches shipped in the window
    "violations": 10,  # no violation; each one not dismissed takes VIOLATION_PENALTY off
}
VIOLATION_PENALTY = 5


def share(met: int, due: int) -> Decimal:
    """The share of ``due`` that was met, 0 to 1; nothing due counts as fully met (a distributor
    with no deposit due has not paid one late)."""
    if due <= 0:
        return ONE
    return Decimal(min(met, due)) / Decimal(due)


def attainment_part(quota: Decimal, ordered: Decimal) -> Decimal:
    """Attainment capped at 100% (ordering more than the quota earns no extra points); a zero quota
    is fully met."""
    reached = attainment(ordered, quota)
    return ONE if reached is None else min(reached, ONE)


def compliance_score(
    *,
    quota: Decimal,
    ordered_amount: Decimal,
    deposits_due: int,
    deposits_on_time: int,
    fees_due: int,
    fees_on_time: int,
    reports_due: int,
    reports_on_time: int,
    batches_shipped: int,
    batches_in_window: int,
    violations: int,
) -> Decimal:
    """The distributor's compliance score, 0-100, half-up to two decimals (docs/rules.md §10):

    40 × min(attainment, 100%) + 15 × deposits on time + 10 × repair fees on time + 15 × reports on
    time + 10 × batches in the window + max(0, 10 − 5 × violations). A share with nothing due counts
    as 100%; a zero quota as fully attained."""
    points = (
        WEIGHTS["attainment"] * attainment_part(quota, ordered_amount)
        + WEIGHTS["deposits"] * share(deposits_on_time, deposits_due)
        + WEIGHTS["fees"] * share(fees_on_time, fees_due)
        + WEIGHTS["reports"] * share(reports_on_time, reports_due)
        + WEIGHTS["batches"] * share(batches_in_window, batches_shipped)
        + max(0, WEIGHTS["violations"] - VIOLATION_PENALTY * violations)
    )
    return Decimal(points).quantize(POINT, rounding=ROUND_HALF_UP)


# --- the figures of one agreement (or several) in one quarter -----------------------------------

COUNT_COLUMNS = (
    "deposits_due",
    "deposits_on_time",
    "fees_due",
    "fees_on_time",
    "reports_due",
    "reports_on_time",
    "batches_shipped",
    "batches_in_window",
    "violations_cross_territory",
    "violations_below_price",
    "violations_unapproved_sub_agent",
    "orders_due",
    "orders_on_time",
    "batches_received",
    "batches_repaired_in_time",
    "price_notices",
    "price_notices_before",
    "rating_items",
    "rating_items_satisfied",
)
MONEY_COLUMNS = ("quota", "ordered_amount")
KEY_COLUMNS = ("agreement_id", "distributor_id", "quarter")
FIGURE_COLUMNS = (*KEY_COLUMNS, *MONEY_COLUMNS, *COUNT_COLUMNS, "score")
VIOLATION_COLUMNS = {
    ViolationKind.CROSS_TERRITORY: "violations_cross_territory",
    ViolationKind.BELOW_PRICE: "violations_below_price",
    ViolationKind.UNAPPROVED_SUB_AGENT: "violations_unapproved_sub_agent",
}


@dataclass(frozen=True)
class Figures:
    """The §10 counts of one quarter (of one agreement, or summed over several), and what is read
    from them: rates (None where nothing was due), attainment, the service figures, the score."""

    quota: Decimal = ZERO
    ordered_amount: Decimal = ZERO
    deposits_due: int = 0
    deposits_on_time: int = 0
    fees_due: int = 0
    fees_on_time: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    batches_shipped: int = 0
    batches_in_window: int = 0
    violations_cross_territory: int = 0
    violations_below_price: int = 0
    violations_unapproved_sub_agent: int = 0
    orders_due: int = 0
    orders_on_time: int = 0
    batches_received: int = 0
    batches_repaired_in_time: int = 0
    price_notices: int = 0
    price_notices_before: int = 0
    rating_items: int = 0
    rating_items_satisfied: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, row: Any) -> Figures:
        """From anything with the columns as attributes or keys (a QuarterFigures row, a dict)."""
        get = row.get if isinstance(row, Mapping) else lambda name, default=None: getattr(row, name, default)
        values: dict[str, Any] = {}
        for name in MONEY_COLUMNS:
            values[name] = Decimal(get(name, ZERO) or ZERO)
        for name in COUNT_COLUMNS:
            values[name] = int(get(name, 0) or 0)
        return cls(**values)

    @classmethod
    def total(cls, rows: Iterable[Any]) -> Figures:
        """The figures of several agreements or quarters added up."""
        sums: dict[str, Any] = dict.fromkeys(MONEY_COLUMNS, ZERO) | dict.fromkeys(COUNT_COLUMNS, 0)
        for row in rows:
            figures = row if isinstance(row, Figures) else cls.of(row)
            for name in sums:
                sums[name] += getattr(figures, name)
        return cls(**sums)

    @property
    def violations(self) -> int:
        return self.violations_cross_territory + self.violations_below_price + self.violations_unapproved_sub_agent

    def violations_by_kind(self) -> dict[ViolationKind, int]:
        return {kind: getattr(self, column) for kind, column in VIOLATION_COLUMNS.items()}

    @property
    def attainment(self) -> Decimal | None:
        """Ordered ÷ quota (1.25 = 125%); None for a zero quota ("no quota")."""
        return attainment(self.ordered_amount, self.quota)

    @staticmethod
    def rate(met: int, due: int) -> Decimal | None:
        """The share met, half-up to four places; None when nothing was due."""
        if due <= 0:
            return None
        return (Decimal(met) / Decimal(due)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def deposits_rate(self) -> Decimal | None:
        return self.rate(self.deposits_on_time, self.deposits_due)

    @property
    def fees_rate(self) -> Decimal | None:
        return self.rate(self.fees_on_time, self.fees_due)

    @property
    def reports_rate(self) -> Decimal | None:
        return self.rate(self.reports_on_time, self.reports_due)

    @property
    def batches_rate(self) -> Decimal | None:
        return self.rate(self.batches_in_window, self.batches_shipped)

    @property
    def delivery_rate(self) -> Decimal | None:
        return self.rate(self.orders_on_time, self.orders_due)

    @property
    def price_notice_rate(self) -> Decimal | None:
        return self.rate(self.price_notices_before, self.price_notices)

    @property
    def service_timeliness(self) -> ServiceFigure | None:
        """Batches repaired within the turnaround, against the 90% target; None with none decided."""
        if self.batches_received <= 0:
            return None
        return ServiceFigure(self.batches_repaired_in_time, self.batches_received, TIMELINESS_TARGET)

    @property
    def customer_satisfaction(self) -> ServiceFigure | None:
        """Rating answers satisfied or better, against the 85% target; None with no rating."""
        if self.rating_items <= 0:
            return None
        return ServiceFigure(self.rating_items_satisfied, self.rating_items, SATISFACTION_TARGET)

    @property
    def score(self) -> Decimal:
        return compliance_score(
            quota=self.quota,
            ordered_amount=self.ordered_amount,
            deposits_due=self.deposits_due,
            deposits_on_time=self.deposits_on_time,
            fees_due=self.fees_due,
            fees_on_time=self.fees_on_time,
            reports_due=self.reports_due,
            reports_on_time=self.reports_on_time,
            batches_shipped=self.batches_shipped,
            batches_in_window=self.batches_in_window,
            violations=self.violations,
        )

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values: amounts as strings with two decimals, counts as ints, the score as a
        string with two decimals (what an assessment keeps)."""
        data: dict[str, Any] = {}
        for item in fields(self):
            if item.name == "extra":
                continue
            value = getattr(self, item.name)
            data[item.name] = f"{value:.2f}" if isinstance(value, Decimal) else value
        data["score"] = f"{self.score:.2f}"
        return data


# --- from records to figures --------------------------------------------------------------------


def quarter_label(day: date) -> str:
    """``"2026-Q1"`` for any day of that quarter."""
    return quarter_name(*quarter_of(day))


def quarter_first_day(name: str) -> date:
    return quarter_bounds(int(name[:4]), int(name[-1]))[0]


def quarters_between(first: date, last: date) -> list[str]:
    """The quarters from the one holding ``first`` to the one holding ``last``, in order."""
    names: list[str] = []
    year, quarter = quarter_of(first)
    end = quarter_of(last)
    while (year, quarter) <= end:
        names.append(quarter_name(year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return names


def _months_between(first: date, last: date) -> list[tuple[int, int]]:
    months: list[tuple[int, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


#: The columns of each kind of record :func:`quarter_figures` reads (plain values: ids, dates or
#: None, Decimal amounts, enum values or their strings). ``agreements.terms`` is the list of
#: ``(effective_from, Terms)`` versions; ``starts_on``/``ends_on`` the binding period.
RECORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "agreements": ("agreement_id", "distributor_id", "starts_on", "ends_on", "terms"),
    "orders": (
        "agreement_id",
        "distributor_id",
        "status",
        "total",
        "confirmed_on",
        "cancelled_on",
        "deposit_due_on",
        "deposit_paid_on",
        "delivery_due_on",
        "shipped_on",
    ),
    "batches": (
        "agreement_id",
        "distributor_id",
        "shipped_on",
        "shipped_late",
        "received_on",
        "repair_due_on",
        "repaired_on",
        "fees_due_on",
        "amount_due",
        "paid_on",
    ),
    "ratings": ("agreement_id", "distributor_id", "rated_on", *(item.value for item in RatingItem)),
    "reports": ("agreement_id", "distributor_id", "month", "due_on", "submitted_on"),
    "violations": ("agreement_id", "distributor_id", "kind", "occurred_on", "dismissed_on"),
    "notices": ("agreement_id", "distributor_id", "issued_on", "effective_on"),
}

Records: TypeAlias = pd.DataFrame | Sequence[Mapping[str, Any]]
NUMBER_COLUMNS = (*MONEY_COLUMNS, *COUNT_COLUMNS)  # in fen and counts while they are summed
ZERO_COUNTS = dict.fromkeys(NUMBER_COLUMNS, 0)
Fact: TypeAlias = dict[str, Any]


def frame(kind: str, rows: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """A record frame of ``kind`` with its columns (:data:`RECORD_COLUMNS`), every value an object
    (dates stay ``date``, amounts ``Decimal``)."""
    return pd.DataFrame([dict(row) for row in rows or ()], columns=list(RECORD_COLUMNS[kind]), dtype=object)


def _records(data: Records | None) -> list[dict[str, Any]]:
    if data is None:
        return []
    if isinstance(data, pd.DataFrame):
        columns = list(data.columns)
        return [
            {k: _plain(v) for k, v in zip(columns, row, strict=True)} for row in data.to_numpy(dtype=object).tolist()
        ]
    return [dict(row) for row in data]


def _plain(value: Any) -> Any:
    """None for pandas' missing values (NaN, NaT, None), the value otherwise."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    return value


def _seen(day: date | None, on: date) -> date | None:
    """An event's date if it had happened by ``on``, else None."""
    return day if day is not None and day <= on else None


def _fact(row: Mapping[str, Any], quarter: str, **counts: int) -> Fact:
    return {"agreement_id": row["agreement_id"], "distributor_id": row["distributor_id"], "quarter": quarter} | (
        ZERO_COUNTS | counts
    )


def _term_quarters(agreements: list[dict[str, Any]], on: date) -> tuple[list[Fact], list[dict[str, Any]]]:
    """Each agreement's quarters that its binding period overlaps, up to the quarter of ``on``, with
    the prorated quota (§9: the terms in force on the first day covered), and the months its term
    covers with each month's report due date (the due day in force at the month's end)."""
    facts: list[Fact] = []
    months: list[dict[str, Any]] = []
    for row in agreements:
        start, end = row["starts_on"], row["ends_on"]
        versions: Sequence[tuple[date, Terms]] = row["terms"] or []
        for name in quarters_between(start, min(end, on)):
            first, last = quarter_bounds(int(name[:4]), int(name[-1]))
            terms = terms_in_force(versions, quota_day((start, end), first, last))
            facts.append(
                _fact(row, name, quota=to_fen(prorated_quota(terms.quarterly_quota, (start, end), first, last)))
            )
        for year, month in _months_between(start, end):
            month_end = month_bounds(year, month)[1]
            due_day = terms_in_force(versions, min(month_end, end)).monthly_report_due_day
            months.append(
                {
                    "agreement_id": row["agreement_id"],
                    "distributor_id": row["distributor_id"],
                    "month": month_name(year, month),
                    "due_on": report_due_on(year, month, due_day),
                }
            )
    return facts, months


def _orders(orders: list[dict[str, Any]], on: date) -> list[Fact]:
    """Ordered amount (confirmed in the quarter, not cancelled), deposits due in the quarter and
    paid on time (§6.3.1), deliveries due in the quarter and shipped by their due date (§6.4.1)."""
    facts: list[Fact] = []
    for row in orders:
        confirmed_on = _seen(row["confirmed_on"], on)
        if confirmed_on is None:
            continue
        cancelled_on = _seen(row["cancelled_on"], on)
        cancelled = cancelled_on is not None or (
            row["cancelled_on"] is None and OrderStatus(row["status"]) is OrderStatus.CANCELLED
        )
        if not cancelled:
            facts.append(_fact(row, quarter_label(confirmed_on), ordered_amount=to_fen(Decimal(row["total"]))))
        due_on = row["deposit_due_on"]
        if due_on is not None:
            paid_on = _seen(row["deposit_paid_on"], on)
            # A deposit left unpaid when head office cancelled the order is judged on that day.
            late = deposit_is_late(due_on, paid_on, min(on, cancelled_on) if cancelled_on is not None else on)
            if paid_on is not None or late:
                facts.append(_fact(row, quarter_label(due_on), deposits_due=1, deposits_on_time=int(not late)))
        delivery_due = row["delivery_due_on"]
        if not cancelled and delivery_due is not None:
            state = delivery_state(delivery_due, _seen(row["shipped_on"], on), on)
            if state in DECIDED:
                on_time = int(state is DeliveryState.ON_TIME)
                facts.append(_fact(row, quarter_label(delivery_due), orders_due=1, orders_on_time=on_time))
    return facts


def _batches(batches: list[dict[str, Any]], on: date) -> list[Fact]:
    """Batches shipped in the quarter and in the window (§6.5.4), received in the quarter and
    repaired within the turnaround (an unrepaired one past its limit is late, one within it does
    not count yet, as domain.repairs.service_timeliness counts), fees due in the quarter and paid
    by their due date (a batch with nothing to pay has no fee due)."""
    facts: list[Fact] = []
    for row in batches:
        shipped_on = _seen(row["shipped_on"], on)
        if shipped_on is not None:
            in_window = int(not row["shipped_late"])
            facts.append(_fact(row, quarter_label(shipped_on), batches_shipped=1, batches_in_window=in_window))
        received_on = _seen(row["received_on"], on)
        if received_on is not None and row["repair_due_on"] is not None:
            state = delivery_state(row["repair_due_on"], _seen(row["repaired_on"], on), on)
            if state in DECIDED:
                in_time = int(state is DeliveryState.ON_TIME)
                facts.append(
                    _fact(row, quarter_label(received_on), batches_received=1, batches_repaired_in_time=in_time)
                )
        due_on = row["fees_due_on"]
        if due_on is not None and Decimal(row["amount_due"] or 0) > 0:
            paid_on = _seen(row["paid_on"], on)
            if paid_on is not None or on > due_on:
                on_time = int(paid_on is not None and is_met(paid_on, due_on))
                facts.append(_fact(row, quarter_label(due_on), fees_due=1, fees_on_time=on_time))
    return facts


def _ratings(ratings: list[dict[str, Any]], on: date) -> list[Fact]:
    """Four answers per rating of a batch rated in the quarter; the satisfied ones (the card's first
    two levels, domain.repairs.SATISFIED_LEVELS)."""
    facts: list[Fact] = []
    for row in ratings:
        rated_on = _seen(row["rated_on"], on)
        if rated_on is None:
            continue
        answers = [RatingLevel(row[item.value]) for item in RatingItem]
        satisfied = sum(1 for level in answers if level in SATISFIED_LEVELS)
        facts.append(_fact(row, quarter_label(rated_on), rating_items=len(answers), rating_items_satisfied=satisfied))
    return facts


def _reports(reports: list[dict[str, Any]], expected: list[dict[str, Any]], on: date) -> list[Fact]:
    """The reports of the quarter's months: every month the term covers (a report never submitted is
    missing once its due day has passed) and every report submitted, counted in the quarter of the
    month reported (December's report, due 10 January, is the fourth quarter's: a term ending 31
    December leaves no figures in the next quarter); on time when submitted by its due day
    (domain.reports.report_state, §4.3). One not yet due does not count yet."""
    submitted = {(row["distributor_id"], row["month"]): row for row in reports}
    facts: list[Fact] = []
    for month in expected:
        report = submitted.pop((month["distributor_id"], month["month"]), None)
        facts.extend(_report_fact(month, report, on))
    for report in submitted.values():
        facts.extend(_report_fact(report, report, on))
    return facts


def _report_fact(month: Mapping[str, Any], report: Mapping[str, Any] | None, on: date) -> list[Fact]:
    due_on = report["due_on"] if report is not None else month["due_on"]  # fixed when submitted
    state = report_state(due_on, _seen(report["submitted_on"], on) if report is not None else None, on)
    if state is ReportState.NOT_YET_DUE:
        return []
    year, number = (int(part) for part in str(month["month"]).split("-"))
    reported = quarter_label(date(year, number, 1))  # the quarter of the month reported, not of its due day
    return [_fact(month, reported, reports_due=1, reports_on_time=int(state is ReportState.ON_TIME))]


def _violations(violations: list[dict[str, Any]], on: date) -> list[Fact]:
    """Violations that occurred in the quarter and were not dismissed (by ``on``), by kind (§8)."""
    facts: list[Fact] = []
    for row in violations:
        occurred_on = _seen(row["occurred_on"], on)
        if occurred_on is None or _seen(row["dismissed_on"], on) is not None:
            continue
        facts.append(_fact(row, quarter_label(occurred_on), **{VIOLATION_COLUMNS[ViolationKind(row["kind"])]: 1}))
    return facts


def _notices(notices: list[dict[str, Any]], agreements: list[dict[str, Any]], on: date) -> list[Fact]:
    """Price-list notices to the distributor issued in the quarter, and those issued before the
    list took effect (§6.1). A notice that names no agreement counts for the distributor's
    agreements binding on its issue date."""
    periods: dict[int, list[dict[str, Any]]] = {}
    for agreement in agreements:
        periods.setdefault(agreement["distributor_id"], []).append(agreement)
    facts: list[Fact] = []
    for row in notices:
        issued_on = _seen(row["issued_on"], on)
        if issued_on is None or row["effective_on"] is None:
            continue
        owners = [
            agreement
            for agreement in periods.get(row["distributor_id"], [])
            if agreement["agreement_id"] == row["agreement_id"]
            or (row["agreement_id"] is None and agreement["starts_on"] <= issued_on <= agreement["ends_on"])
        ]
        if not owners and row["agreement_id"] is not None:
            owners = [row]
        before = int(issued_on < row["effective_on"])
        facts.extend(
            _fact(owner, quarter_label(issued_on), price_notices=1, price_notices_before=before) for owner in owners
        )
    return facts


def quarter_figures(
    on: date,
    *,
    agreements: Records,
    orders: Records | None = None,
    batches: Records | None = None,
    ratings: Records | None = None,
    reports: Records | None = None,
    violations: Records | None = None,
    notices: Records | None = None,
) -> pd.DataFrame:
    """Every (agreement, quarter) figure as of ``on``: one row per agreement and quarter that its
    term overlaps or that a record falls in, up to the quarter of ``on``; columns
    :data:`FIGURE_COLUMNS` (amounts Decimal, counts int, the score Decimal), sorted by agreement and
    quarter. Records are frames of :func:`frame` (or lists of such rows); one left out has none."""
    binding = _records(agreements)
    facts, expected = _term_quarters(binding, on)
    facts += _orders(_records(orders), on)
    facts += _batches(_records(batches), on)
    facts += _ratings(_records(ratings), on)
    facts += _reports(_records(reports), expected, on)
    facts += _violations(_records(violations), on)
    facts += _notices(_records(notices), binding, on)
    current = quarter_label(on)
    facts = [fact for fact in facts if fact["quarter"] <= current]
    if not facts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in FIGURE_COLUMNS})
    stacked = pd.DataFrame(facts, columns=[*KEY_COLUMNS, *NUMBER_COLUMNS])
    summed = stacked.groupby(list(KEY_COLUMNS), sort=True)[list(NUMBER_COLUMNS)].sum()
    data: dict[str, list[Any]] = {column: [] for column in FIGURE_COLUMNS}
    for (agreement_id, distributor_id, quarter), numbers in zip(
        summed.index.tolist(), summed.to_numpy().tolist(), strict=True
    ):
        values: dict[str, Any] = dict(zip(NUMBER_COLUMNS, (int(number) for number in numbers), strict=True))
        for column in MONEY_COLUMNS:
            values[column] = from_fen(values[column])
        values.update(agreement_id=int(agreement_id), distributor_id=int(distributor_id), quarter=quarter)
        values["score"] = Figures.of(values).score
        for column in FIGURE_COLUMNS:
            data[column].append(values[column])
    return pd.DataFrame(data, columns=list(FIGURE_COLUMNS))


def figure_rows(figures: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of :func:`quarter_figures` as dicts (plain Python values)."""
    columns = list(figures.columns)
    return [dict(zip(columns, row, strict=True)) for row in figures.to_numpy(dtype=object).tolist()]


def attainment_percent(value: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with one decimal (1.2345 → 123.5), None kept."""
    if value is None:
        return None
    return (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
