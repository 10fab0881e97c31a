"""Demo products: the business communication boards and units of the seed contract (§1.1)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..transactions import transactional
from .models import Product

# (sku, 中文名, English name, category, serialized)
DEMO_PRODUCTS = [
    ("PBX-MAIN-200", "IP 交换机主控板 200", "IP PBX main control board 200", "主控板", True),
    ("PBX-EXT-16", "16 路模拟分机板", "16-port analogue extension board", "分机板", True),
    ("PBX-TRK-8", "8 路中继板", "8-port trunk board", "中继板", True),
    ("PBX-VOIP-32", "32 路 VoIP 网关板", "32-channel VoIP gateway board", "网关板", True),
    ("PBX-PWR-01", "交换机电源模块", "PBX power supply unit", "电源", True),
    ("PHN-DSK-310", "数字话机 310", "Digital desk phone 310", "话机", True),
    ("PHN-CON-900", "会议电话 900", "Conference phone 900", "话机", True),
    ("ACC-CBL-RJ", "RJ45 连接线（100 根）", "RJ45 patch cables (box of 100)", "配件", False),
]
DEMO_SKUS = [row[0] for row in DEMO_PRODUCTS]


@transactional
def load() -> list[Product]:
    """Add the demo products (idempotent: existing SKUs are left alone)."""
    existing = set(db.session.scalars(select(Product.sku)))
    products = [
        Product(sku=sku, name_zh=zh, name_en=en, category=category, serialized=serialized)
        for sku, zh, en, category, serialized in DEMO_PRODUCTS
        if sku not in existing
    ]
    db.session.add_all(products)
    return list(db.session.scalars(select(Product).order_by(Product.sku)))
