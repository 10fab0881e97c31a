"""What a distributor sees first (``main.home``): its agreements and their terms, its territories as
a list and a chart, the price list in force and its unread notices.

Every read goes through the distributor scope (:func:`portal.security.scoped`) and the page costs
the same few statements however many agreements, territories or notices there are. The chart is
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
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased, selectinload

from ..agreements.models import Agreement, Territory
from ..clock import today
from ..distributors.models import Distributor
from ..domain.agreements import AgreementStatus
from ..domain.notices import ReadState
from ..domain.orders import AWAITING_PAYMENT
from ..domain.regions import RegionLevel
from ..domain.territories import Grant
from ..extensions import db
from ..notices.queries import notices_matching
from ..orders.models import Order
from ..pricing.services import list_in_force
from ..regions.models import Region
from ..security import scoped

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
        "awaiting_payment": awaiting_payment(distributor.id),
    }


def awaiting_payment(distributor_id: int) -> list[Any]:
    """Orders head office confirmed that wait for the distributor's money, soonest due first: how a
    distributor learns that an order was confirmed and what it must pay by when (§6.3.1)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(
                Order.distributor_id == distributor_id,
                Order.status.in_(AWAITING_PAYMENT),
            )
            .order_by(Order.deposit_due_on, Order.id)
            .limit(HOME_AWAITING_PAYMENT)
        )
    )


HOME_AWAITING_PAYMENT = 5
