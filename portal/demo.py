"""Demo data for ``make run``: realistic distributors, users of every role, the region tree.

Later issues extend :func:`load_demo` so the demo shows every feature. It goes through the same
services as the pages, so demo data obeys the same rules.
"""

from __future__ import annotations

from .accounts.services import UserData, create_user
from .agreements import demo as agreements_demo
from .assessments import demo as assessments_demo
from .boards import demo as orders_demo
from .clock import today
from .distributors.services import DistributorData, create_distributor
from .domain.distributors import DistributorStatus, Level
from .domain.roles import Role
from .notices import demo as notices_demo
from .pricing import demo as pricing_demo
from .products import demo as products_demo
from .regions.services import seed_regions
from .repairs import demo as repairs_demo
from .reports import demo as reports_demo

DEMO_PASSWORD = "portal-demo-2026"

DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", DEMO_PASSWORD, "administrator / 系统管理员"),
    ("sales", DEMO_PASSWORD, "head-office sales / 总部销售"),
    ("finance", DEMO_PASSWORD, "head-office finance / 总部财务"),
    ("hz-agent", DEMO_PASSWORD, "distributor 杭州云帆 / 经销商"),
    ("sz-agent", DEMO_PASSWORD, "distributor 苏州启明 / 经销商"),
]

DISTRIBUTORS = [
    DistributorData(
        "HZ001",
        "杭州云帆科技有限公司",
        "91330100MA2B3C4D5N",
        Level.FIRST,
        contact_name="陈立新",
        contact_phone="0571-8888 6621",
        contact_email="chen@yunfan.example.cn",
        address="浙江省杭州市西湖区文三路 478 号",
        region_code="330100",
    ),
    DistributorData(
        "SZ002",
        "苏州启明智能设备有限公司",
        "91320500MA1X2Y3W4G",
        Level.SECOND,
        contact_name="王婷",
        contact_phone="0512-6523 1180",
        contact_email="wang@qiming.example.cn",
        address="江苏省苏州市工业园区星湖街 328 号",
        region_code="320500",
    ),
    DistributorData(
        "SZ003",
        "深圳华南电子贸易有限公司",
        "91440300MA5F6G7H8B",
        Level.FIRST,
        contact_name="李海",
        contact_phone="0755-2661 7702",
        contact_email="li@huanan.example.cn",
        address="广东省深圳市南山区科技园南区 12 栋",
        region_code="440300",
    ),
    DistributorData(
        "CD004",
        "成都锦程信息技术有限公司",
        "91510100MA6K7L8M9D",
        Level.SECOND,
        contact_name="赵明",
        contact_phone="028-8533 4490",
        address="四川省成都市高新区天府大道 999 号",
        region_code="510100",
    ),
    DistributorData(
        "WH005",
        "武汉楚天数码有限公司",
        "91420100MA4N5P6Q7X",
        Level.SECOND,
        contact_name="周强",
        contact_phone="027-8766 2315",
        address="湖北省武汉市洪山区珞喻路 1037 号",
        region_code="420100",
        status=DistributorStatus.SUSPENDED,
    ),
]


def load_demo() -> None:
    """Load every area's demo data, in the order the areas build on each other: products and price
    lists, then agreements (which receive later notices), notices, two years of orders, a year of
    repair batches for the boards those orders shipped, three years of monthly reports, and the
    quarterly assessments that read them all."""
    seed_regions()
    created = {d.code: create_distributor(d) for d in DISTRIBUTORS}
    create_user(UserData("admin", Role.ADMIN, full_name="系统管理员 Admin"), DEMO_PASSWORD)
    create_user(UserData("sales", Role.SALES, full_name="刘洋 (销售)"), DEMO_PASSWORD)
    create_user(UserData("finance", Role.FINANCE, full_name="孙敏 (财务)"), DEMO_PASSWORD)
    create_user(
        UserData("hz-agent", Role.DISTRIBUTOR, full_name="陈立新", distributor_id=created["HZ001"].id), DEMO_PASSWORD
    )
    create_user(
        UserData("sz-agent", Role.DISTRIBUTOR, full_name="王婷", distributor_id=created["SZ002"].id), DEMO_PASSWORD
    )
    products_demo.load()
    on = today()
    for area_demo in (
        pricing_demo,
        agreements_demo,
        notices_demo,
        orders_demo,
        repairs_demo,
        reports_demo,
        assessments_demo,
    ):
        area_demo.load(on)
