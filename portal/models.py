"""Every table, imported in one place so Alembic and create_all see them all."""

from .accounts.models import ApiToken, LoginThrottle
from .agreements.models import (
    Agreement,
    AgreementTerms,
    LevelChange,
    SubAgentRequest,
    Territory,
    agreement_products,
)
from .assessments.models import Assessment
from .audit.models import AuditEvent
from .boards.models import Board, BoardWindow, Shipment, ShipmentLine
from .compliance.models import QuarterFigures
from .distributors.models import Distributor
from .notices.models import Notice, NoticeCounter
from .orders.models import Order, OrderLine
from .pricing.models import PriceList, PriceListItem
from .products.models import Product
from .receivables.models import Payment
from .regions.models import Region
from .repairs.models import RepairBatch, RepairFeePayment, RepairLine, RepairRating
from .reports.models import (
    MonthlyReport,
    QuarterLock,
    ReportInventoryLine,
    ReportOutlet,
    ReportSaleLine,
    Violation,
)

__all__ = [
    "Agreement",
    "AgreementTerms",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "Board",
    "BoardWindow",
    "Distributor",
    "LevelChange",
    "LoginThrottle",
    "MonthlyReport",
    "Notice",
    "NoticeCounter",
    "Order",
    "OrderLine",
    "Payment",
    "PriceList",
    "PriceListItem",
    "Product",
    "QuarterFigures",
    "QuarterLock",
    "Region",
    "RepairBatch",
    "RepairFeePayment",
    "RepairLine",
    "RepairRating",
    "ReportInventoryLine",
    "ReportOutlet",
    "ReportSaleLine",
    "Shipment",
    "ShipmentLine",
    "SubAgentRequest",
    "Territory",
    "Violation",
    "agreement_products",
]
