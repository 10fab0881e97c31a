"""The home pages (``main.home``), one per role.

A distributor sees its agreements and their terms, its territories as a list and a chart, the price
list in force and its unread notices; its standing this quarter (the quota meter and the compliance
score) and what is due next (deposits, balances, repair fees, the next monthly report). Head-office
sales sees the assessments to review, late deposits, repair batches near the 30-day limit and new
violations; finance the receivables and repair fees due and overdue; an administrator both.

Every read of a distributor's page goes through the distributor scope (:func:`portal.security.scoped`)
and every page costs the same few statements however many records there are: lists are limited,
counts and totals are aggregates in the database (the receivables' and repair ledger's own queries). The chart is
made in three steps (docs/architecture.md): :func:`territory_records` queries plain records,
:func:`granted_by_province` (pure pandas) turns them into a frame, :func:`territory_figure` draws it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd
from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.routing import BuildError

from ..agreements.models import Agreement, Territory
from ..assessments.models import Assessment
from ..clock import today
from ..compliance.models import QuarterFigures
from ..distributors.models import Distributor
from ..domain.agreements import AgreementStatus
from ..domain.assessments import quarter_name
from ..domain.dates import add_days, quarter_of
from ..domain.notices import ReadState
from ..domain.orders import OrderStatus
from ..domain.permissions import may_book_payments, may_review_assessments
from ..domain.regions import RegionLevel
from ..domain.reports import ReportState, report_state
from ..domain.territories import Grant
from ..extensions import db
from ..notices.queries import notices_matching
from ..orders.queries import QuotaMeter, quota_meter
from ..pricing.services import list_in_force
from ..receivables.queries import DueState, Filters, OwedSummary, ReceivableKind, owed_summary, receivables_matching
from ..regions.models import Region
from ..repairs.ledger_queries import FeesOwed, LedgerFilters, fees_owed, ledger_rows, network_fees_owed
from ..repairs.workshop_queries import near_limit_batches
from ..reports.models import Violation
from ..reports.queries import next_report_due
from ..security import current_user_may, scoped

LEVEL_ORDER = [RegionLevel.PROVINCE.value, RegionLevel.CITY.value, RegionLevel.DISTRICT.value]
FRAME_COLUMNS = ["province_code", "province_name", "level", "regions", "names"]


@dataclass(frozen=True)
class TerritoryRecord:
    """One territory row as the home page lists it, and as the chart counts it."""

    agreement_id: int
    agreement_number: str
    region_code: str
    region_name: str
    region_level: str
    province_code: str
    province_name: str
    granted_on: date
    revoked_on: date | None
    revoked_effective_on: date | None

    def granted(self, on: date) -> bool:
        return Grant(self.region_code, self.granted_on, self.revoked_effective_on).is_granted(on)


def own_agreements() -> list[Agreement]:
    """The signed agreements (not drafts, which head office is still preparing), current first,
    with their versions of terms loaded in one more statement."""
    statement = (
        scoped(select(Agreement), Agreement)
        .where(Agreement.status != AgreementStatus.DRAFT)
        .options(selectinload(Agreement.term_versions))
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
    )
    return list(db.session.scalars(statement))


def territory_records(agreement_ids: Sequence[int]) -> list[TerritoryRecord]:
    """The territories of these agreements with region and province names, in one statement."""
    if not agreement_ids:
        return []
    province = aliased(Region)
    province_code = func.substr(Territory.region_code, 1, 2).concat(literal("0000"))
    statement = (
        scoped(
            select(
                Territory.agreement_id,
                Agreement.number,
                Territory.region_code,
                Region.name,
                Region.level,
                province_code.label("province_code"),
                province.name.label("province_name"),
                Territory.granted_on,
                Territory.revoked_on,
                Territory.revoked_effective_on,
            ).select_from(Territory),
            Territory,
        )
        .join(Agreement, Agreement.id == Territory.agreement_id)
        .join(Region, Region.code == Territory.region_code)
        .outerjoin(province, province.code == province_code)
        .where(Territory.agreement_id.in_(agreement_ids))
        .order_by(Territory.region_code, Territory.granted_on)
    )
    return [
        TerritoryRecord(
            agreement_id=row[0],
            agreement_number=row[1],
            region_code=row[2],
            region_name=row[3],
            region_level=RegionLevel(row[4]).value,
            province_code=row[5],
            province_name=row[6] or row[5],
            granted_on=row[7],
            revoked_on=row[8],
            revoked_effective_on=row[9],
        )
        for row in db.session.execute(statement)
    ]


def granted_by_province(records: Iterable[Mapping[str, Any]], on: date) -> pd.DataFrame:
    """How many regions are granted on ``on`` in each province, by level of region (a whole
    province, a city, a district). A region granted under two agreements counts once.

    Columns: province_code, province_name, level, regions (a count), names (the regions' names,
    joined with "、"); provinces with the most regions first, then by code.
    """
    rows = [dict(r) for r in records]
    frame = pd.DataFrame(
        rows,
        columns=[
            "region_code",
            "region_name",
            "region_level",
            "province_code",
            "province_name",
            "granted_on",
            "revoked_effective_on",
        ],
    )
    if frame.empty:
        return pd.DataFrame(
            {column: pd.Series(dtype="int64" if column == "regions" else "object") for column in FRAME_COLUMNS}
        )
    effective = frame["revoked_effective_on"].astype("object")
    granted = frame["granted_on"].map(lambda d: d <= on) & effective.map(lambda d: d is None or pd.isna(d) or on < d)
    current = frame[granted].drop_duplicates("region_code").rename(columns={"region_level": "level"})
    grouped = (
        current.sort_values("region_code")
        .groupby(["province_code", "province_name", "level"], as_index=False, sort=False)
        .agg(regions=("region_code", "size"), names=("region_name", "、".join))
    )
    totals = grouped.groupby("province_code")["regions"].transform("sum")
    grouped["level"] = pd.Categorical(grouped["level"], categories=LEVEL_ORDER, ordered=True)
    ordered = (
        grouped.assign(_total=totals)
        .sort_values(["_total", "province_code", "level"], ascending=[False, True, True])
        .drop(columns="_total")
    )
    ordered["level"] = ordered["level"].astype("object")
    ordered["regions"] = ordered["regions"].astype("int64")
    return ordered.reset_index(drop=True)[FRAME_COLUMNS]


def territory_figure(frame: pd.DataFrame, level_names: Mapping[str, str], axis_title: str) -> dict[str, Any] | None:
    """A stacked bar per province (whole province, cities, districts), as plotly's JSON figure;
    None when nothing is granted. ``level_names`` label the bars in the reader's language."""
    if frame.empty:
        return None
    import plotly.graph_objects as go  # slow to import; only the distributor home page needs it

    provinces = list(dict.fromkeys(frame["province_name"]))
    colours = {"province": "#0d6efd", "city": "#6ea8fe", "district": "#9ec5fe"}
    figure = go.Figure()
    for level in LEVEL_ORDER:
        part = frame[frame["level"] == level]
        if part.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=part["province_name"].tolist(),
                y=part["regions"].tolist(),
                name=level_names.get(level, level),
                customdata=part["names"].tolist(),
                marker={"color": colours[level]},
                hovertemplate="%{x}: %{customdata}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        template="none",
        barmode="stack",
        bargap=0.5,
        height=300,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        font={"family": "system-ui, sans-serif", "size": 13},
        xaxis={"categoryorder": "array", "categoryarray": provinces},
        yaxis={"title": {"text": axis_title}, "dtick": 1, "rangemode": "tozero"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return dict(json.loads(figure.to_json()))


def records_for_chart(records: Iterable[TerritoryRecord]) -> list[dict[str, Any]]:
    return [asdict(record) for record in records]


HOME_UNREAD_NOTICES = 5  # the newest unread notices listed on the home page; the rest are in the inbox
HOME_LIST = 5  # the first rows of each list on a home page; its count and link lead to the rest
NEW_VIOLATION_DAYS = 30  # sales' "new violations": found in the last 30 days, not dismissed


def link(endpoint: str, **values: Any) -> str | None:
    """``url_for(endpoint, **values)``, or None when the portal has no such page (yet): the home
    pages name the assessments' and violations' pages, which their areas add; until then the rows
    show as plain text."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def distributor_home() -> dict[str, Any]:
    """The home page's context for the signed-in distributor user (``templates/main/home_distributor.html``).

    A user whose distributor link is missing gets ``distributor=None`` (the page says so) and no
    other query is made.
    """
    distributor = db.session.get(Distributor, current_user.distributor_id) if current_user.distributor_id else None
    if distributor is None:
        return {"distributor": None}
    on = today()
    agreements = own_agreements()
    current = [a for a in agreements if a.status_on(on) is AgreementStatus.ACTIVE]
    level = current[0].level if current else distributor.level
    # The agreement that binds today (one at a time, §3), else an active one not yet started.
    binding = next((a for a in current if a.binds(on)), current[0] if current else None)
    records = territory_records([a.id for a in agreements])
    frame = granted_by_province(records_for_chart(records), on)
    figure = territory_figure(frame, {member.value: _(member.label) for member in RegionLevel}, _("Regions granted"))
    price_list = list_in_force(on)  # published lists are every distributor's to read
    return {
        "distributor": distributor,
        "today": on,
        "agreements": agreements,
        "territories": records,
        "figure": figure,
        "level": level,
        "price_list": price_list,
        "unread": list(db.session.scalars(notices_matching(read=ReadState.UNREAD).limit(HOME_UNREAD_NOTICES))),
        "standing": standing(binding, on) if binding else None,
        "due": due_next(distributor.id, binding, on),
        "ReportState": ReportState,
    }


# --- the distributor's standing this quarter and what is due next --------------------------------


@dataclass(frozen=True)
class Standing:
    """The current agreement's quarter: ordered against the quota (§2.1, §9) and the compliance
    score kept current in the quarter figures (§10), None until they are first computed."""

    agreement: Agreement
    meter: QuotaMeter
    figures: QuarterFigures | None

    @property
    def score(self) -> str | None:
        """The score out of 100 as the reader's locale writes numbers ("87.5"), None when not yet computed."""
        return None if self.figures is None else format_decimal(self.figures.score, format="#,##0.#")


def standing(agreement: Agreement, on: date) -> Standing:
    """Two statements: the quarter's ordered amount (orders.queries.quota_meter) and its figures row."""
    figures = db.session.scalar(
        scoped(select(QuarterFigures), QuarterFigures).where(
            QuarterFigures.agreement_id == agreement.id, QuarterFigures.quarter == quarter_name(*quarter_of(on))
        )
    )
    return Standing(agreement, quota_meter(agreement, on), figures)


@dataclass(frozen=True)
class NextReport:
    """The monthly report owed next (reports.queries.next_report_due) and its due day."""

    month: str
    due_on: date
    state: ReportState  # missing once the due day has passed, else not yet due


def next_report(agreement: Agreement, on: date) -> NextReport | None:
    """One statement: the months the distributor has reported."""
    owed = next_report_due(agreement, on)
    if owed is None:
        return None
    month, due_on = owed
    return NextReport(month, due_on, report_state(due_on, None, on))


@dataclass(frozen=True)
class DueNext:
    """What the distributor owes next: the first few of each list, with their counts and totals."""

    deposits: list[Any]  # receivables rows (receivables.queries), the earliest due first
    balances: list[Any]  # the balances of orders whose deposit is paid, due by the delivery date
    owed: OwedSummary
    fees: list[Any]  # repair ledger rows (repairs.ledger_queries) with fees outstanding
    fees_owed: FeesOwed
    report: NextReport | None  # None without a current agreement

    @property
    def deposits_owed(self) -> Any:
        return self.owed.of(ReceivableKind.DEPOSIT)

    @property
    def balances_owed(self) -> Any:
        return self.owed.of(ReceivableKind.BALANCE, OrderStatus.DEPOSIT_PAID)


def due_next(distributor_id: int, agreement: Agreement | None, on: date) -> DueNext:
    """Five statements (six with a current agreement), whatever the number of orders and batches."""
    mine = Filters(distributor_id=distributor_id)
    deposits = Filters(distributor_id=distributor_id, kind=ReceivableKind.DEPOSIT)
    balances = Filters(distributor_id=distributor_id, kind=ReceivableKind.BALANCE, status=OrderStatus.DEPOSIT_PAID)
    fees = LedgerFilters(distributor_id=distributor_id, unpaid_only=True)
    return DueNext(
        deposits=list(db.session.execute(receivables_matching(deposits, on).limit(HOME_LIST))),
        balances=list(db.session.execute(receivables_matching(balances, on).limit(HOME_LIST))),
        owed=owed_summary(mine, on),
        fees=list(db.session.execute(ledger_rows(fees, on).limit(HOME_LIST))),
        fees_owed=fees_owed(fees, on),
        report=next_report(agreement, on) if agreement is not None else None,
    )


# --- head office: sales' and finance's desks --------------------------------------------------------


def head_office_home(on: date) -> dict[str, Any]:
    """The desks the signed-in head-office user works at: sales' (sales, admin), finance's
    (finance, admin). Each costs a fixed number of statements."""
    return {
        "sales_desk": sales_desk(on) if current_user_may(may_review_assessments) else None,
        "finance_desk": finance_desk(on) if current_user_may(may_book_payments) else None,
        "link": link,
        "today": on,
    }


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def sales_desk(on: date) -> dict[str, Any]:
    """Assessments to review (§9), late deposits (§6.3.1), batches near the 30-day limit (§6.5.4) and
    violations found in the last 30 days and not dismissed (§8): the first few of each. Their counts:
    two COUNTs here, the others are the work queues' (views.head_office_queues)."""
    to_review = Assessment.reviewed_on.is_(None)
    new = (Violation.found_on >= add_days(on, -NEW_VIOLATION_DAYS), Violation.dismissed_on.is_(None))
    assessments = (
        select(Assessment, Distributor.name, Agreement.number)
        .join(Distributor, Distributor.id == Assessment.distributor_id)
        .join(Agreement, Agreement.id == Assessment.agreement_id)
        .where(to_review)
        # The oldest quarter first: the partial index of those to review (ix_assessments_to_review,
        # quarter DESC, distributor_id, agreement_id) read backwards gives the first few without
        # sorting a whole quarter's assessments, so within the quarter the last registered first.
        .order_by(Assessment.quarter, Assessment.distributor_id.desc(), Assessment.agreement_id.desc())
    )
    violations = (
        select(Violation, Distributor.name)
        .join(Distributor, Distributor.id == Violation.distributor_id)
        .where(*new)
        .order_by(Violation.found_on.desc(), Violation.id.desc())  # the latest first
    )
    late = Filters(state=DueState.OVERDUE, kind=ReceivableKind.DEPOSIT)
    return {
        "assessments": list(db.session.execute(assessments.limit(HOME_LIST))),
        "assessments_count": _count(Assessment, to_review),
        "late_deposits": list(db.session.execute(receivables_matching(late, on).limit(HOME_LIST))),
        "near_limit": near_limit_batches(on, HOME_LIST),
        "violations": list(db.session.execute(violations.limit(HOME_LIST))),
        "violations_count": _count(Violation, *new),
        "violation_days": NEW_VIOLATION_DAYS,
    }


def finance_desk(on: date) -> dict[str, Any]:
    """Receivables (deposits and balances) and repair fees owed, due and overdue: two aggregate
    statements (receivables.queries.owed_summary; repairs.ledger_queries.network_fees_owed, off the
    rows kept current per due day)."""
    owed = owed_summary(Filters(), on)
    return {
        "deposits": owed.of(ReceivableKind.DEPOSIT),
        "balances": owed.of(ReceivableKind.BALANCE),
        "receivables": owed.of(),
        "fees": network_fees_owed(on),
    }
