"""/api/v1 boards: a board's coverage by serial number (docs/rules.md §7.1), and the boards list.

A distributor reaches its own boards only: another distributor's serial answers 404 exactly like
an unknown one. Head office reaches any board.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, model_validator

from ..boards.models import Board
from ..boards.queries import boards_matching
from ..clock import today
from ..domain.permissions import may_read
from ..domain.warranty import CoverageClass
from ..security import allowed, loads
from .blueprint import bp
from .core import Id, OutModel, QueryModel, api_doc, one, page_of, parse_query, text

SerialPrefix = text(60)


class CoverageQuery(QueryModel):
    on: date | None = Field(default=None, description="The date to report coverage on (default today).")


class BoardOut(OutModel):
    serial: str
    sku: str
    distributor_id: int
    order_id: int
    shipment_id: int
    shipped_on: date
    warranty_end: date
    post_repair_warranty_end: date | None = Field(
        description="The end of the latest post-repair warranty; null until a repair returns the board."
    )
    on: date = Field(description="The date coverage_end and coverage_class are reported on.")
    coverage_end: date | None = Field(description="The end of what covers the board on `on`; null when nothing does.")
    coverage_class: CoverageClass = Field(
        description="`not_yet_shipped` when `on` is before the shipping date: the board had no coverage yet."
    )


def board_out(board: Board, on: date) -> dict[str, Any]:
    coverage = board.coverage
    return {
        "serial": board.serial,
        "sku": board.product.sku,
        "distributor_id": board.distributor_id,
        "order_id": board.order_id,
        "shipment_id": board.shipment_id,
        "shipped_on": board.shipped_on,
        "warranty_end": board.warranty_end,
        "post_repair_warranty_end": coverage.post_repair_warranty_end(),
        "on": on,
        "coverage_end": coverage.coverage_end(on),
        "coverage_class": coverage.coverage_class(on),
    }


class BoardQuery(QueryModel):
    product_id: Id | None = None
    coverage_class: CoverageClass | None = Field(default=None, description="Coverage class today.")
    distributor_id: Id | None = None
    serial: SerialPrefix | None = Field(default=None, description="Serial numbers starting with this text.")


class BoardListOut(OutModel):
    serial: str
    sku: str
    distributor_id: int
    order_id: int
    shipped_on: date
    warranty_end: date
    coverage_class: CoverageClass = Field(description="Coverage class today.")

    @model_validator(mode="before")
    @classmethod
    def _from_board(cls, value: Any) -> Any:
        if not isinstance(value, Board):
            return value
        return {
            "serial": value.serial,
            "sku": value.product.sku,
            "distributor_id": value.distributor_id,
            "order_id": value.order_id,
            "shipped_on": value.shipped_on,
            "warranty_end": value.warranty_end,
            "coverage_class": value.coverage.coverage_class(today()),
        }


@bp.get("/boards")
@allowed(may_read)
@api_doc(query=BoardQuery, response=BoardListOut, list_of=True)
def list_boards() -> Any:
    """List boards.

    Newest shipment first. A distributor user sees its own boards only.
    """
    query = parse_query(BoardQuery)
    on = today()
    statement = boards_matching(
        on=on,
        product_id=query.product_id,
        coverage_class=query.coverage_class,
        distributor_id=query.distributor_id,
        serial=query.serial,
    )
    return page_of(BoardListOut, statement)


@bp.get("/boards/<serial>")
@allowed(may_read)
@loads(Board, "serial", by="serial")
@api_doc(query=CoverageQuery, response=BoardOut)
def get_board(board: Board) -> Any:
    """Show the coverage of a board.

    Its warranty end, post-repair warranty end, and its coverage end and class on ``?on=`` (default
    today). Serial numbers are upper case. Another distributor's board answers 404, like an unknown
    serial.
    """
    query = parse_query(CoverageQuery)
    return one(BoardOut, board_out(board, query.on or today()))
