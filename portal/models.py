"""Every table, imported in one place so Alembic and create_all see them all."""

from .accounts.models import ApiToken, LoginThrottle
from .agreements.models import Agreement, AgreementTerms, SubAgentRequest, Territory, agreement_products
from .audit.models import AuditEvent
from .boards.models import Board, BoardWindow, Shipment, ShipmentLine
from .distributors.models import Distributor
from .notices.models import Notice, NoticeCounter
from .orders.models import Order, OrderLine
from .pricing.models import PriceList, PriceListItem
from .products.models import Product
from .receivables.models import Payment
from .regions.models import Region
from .repairs.models import RepairBatch, RepairFeePayment, RepairLine, RepairRating

__all__ = [
    "Agreement",
    "AgreementTerms",
    "ApiToken",
    "AuditEvent",
    "Board",
    "BoardWindow",
    "Distributor",
    "LoginThrottle",
    "Notice",
    "NoticeCounter",
    "Order",
    "OrderLine",
    "Payment",
    "PriceList",
    "PriceListItem",
    "Product",
    "Region",
    "RepairBatch",
    "RepairFeePayment",
    "RepairLine",
    "RepairRating",
    "Shipment",
    "ShipmentLine",
    "SubAgentRequest",
    "Territory",
    "agreement_products",
]
