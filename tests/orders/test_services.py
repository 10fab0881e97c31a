"""Order use cases against the database (docs/rules.md §6, §7.1): prices lock at confirmation,
payments follow the running total, shipping needs full payment and one serial per board."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.boards import services as shipping
from portal.boards.models import Board
from portal.boards.services import ShipmentLineRequest
from portal.domain.agreements import Terms
from portal.domain.errors import DomainError, Duplicate, InvalidValue
from portal.domain.orders import OrderStatus
from portal.domain.roles import Role
from portal.domain.warranty import CoverageClass
from portal.extensions import db
from portal.orders import services
from portal.orders.models import Order
from portal.orders.services import LineRequest
from portal.receivables import services as payments
from portal.receivables.models import Payment

from ..builders import START, make_active_agreement, make_order, make_price_list, make_product, pay

D = Decimal


@pytest.fixture
def setup(shop):
    return shop.agreement, shop.board, shop.cable


def test_the_first_order_must_reach_the_minimum_and_is_paid_in_full(setup):
    agreement, board, _ = setup
    small = make_order(agreement, {board: 10})  # 10 × ¥1,200 = ¥12,000 < ¥50,000
    with pytest.raises(DomainError, match="at least"):
        services.submit_order(small, Role.DISTRIBUTOR, date(2026, 3, 1))
    services.cancel_order(small, Role.DISTRIBUTOR, date(2026, 3, 1))
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    assert order.is_first_order
    assert (order.total, order.deposit_amount, order.balance_amount) == (D("60000.00"), D("60000.00"), D("0.00"))
    assert order.deposit_due_on == date(2026, 3, 8)


def test_a_later_order_pays_30_percent_deposit(setup):
    agreement, board, cable = setup
    make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    second = make_order(agreement, {board: 1, cable: 3}, confirm_on=date(2026, 3, 10))
    assert not second.is_first_order
    assert second.total == D("1236.00")
    assert (second.deposit_amount, second.balance_amount) == (D("370.80"), D("865.20"))


def test_prices_lock_at_confirmation_and_a_later_list_never_changes_them(setup):
    agreement, board, _ = setup
    make_price_list(
        {board: ("1100.00", "1300.00", "1600.00")}, effective_from=date(2026, 3, 10), published_on=date(2026, 3, 10)
    )
    before = make_order(agreement, {board: 50}, on=date(2026, 3, 1), submit=True)
    services.confirm_order(before, Role.SALES, date(2026, 3, 9), today=date(2026, 3, 9))
    make_price_list(
        {board: ("900.00", "900.00", "1000.00")}, effective_from=date(2026, 3, 20), published_on=date(2026, 3, 20)
    )
    db.session.expire_all()
    order = db.session.get(Order, before.id)
    assert order.lines[0].unit_price == D("1200.00")  # the list in force on 9 March, level 2
    assert order.total == D("60000.00")


def test_confirming_twice_and_confirming_as_finance_are_refused(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    with pytest.raises(DomainError):
        services.confirm_order(order, Role.SALES, date(2026, 3, 6), today=date(2026, 3, 6))
    other = make_order(agreement, {board: 1}, submit=True)
    with pytest.raises(DomainError, match="role"):
        services.confirm_order(other, Role.FINANCE, date(2026, 3, 6), today=date(2026, 3, 6))


def test_the_confirmation_service_refuses_a_future_date_and_changes_nothing(setup):
    """docs/api.md: an event is dated today at the latest; the service says so, the page and the API
    show its message on the field."""
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, submit=True)
    with pytest.raises(InvalidValue, match="in the future") as refused:
        services.confirm_order(order, Role.SALES, date(2026, 3, 11), today=date(2026, 3, 10))
    assert refused.value.field == "confirmed_on"
    db.session.rollback()
    assert db.session.get(Order, order.id).status is OrderStatus.SUBMITTED


def test_the_shipping_services_refuse_a_future_date(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    with pytest.raises(InvalidValue, match="cannot leave in the future") as refused:
        shipping.ship_order(
            order,
            [ShipmentLineRequest(board.id, 1, ["SN-F"])],
            shipped_on=date(2026, 3, 11),
            role=Role.SALES,
            today=date(2026, 3, 10),
        )
    assert refused.value.field == "shipped_on"


@pytest.mark.parametrize(("wanted", "message"), [(date(2026, 2, 28), "in the past"), (date(2200, 1, 1), "between")])
def test_the_order_services_refuse_an_impossible_wanted_delivery_date(setup, wanted, message, count_rows):
    agreement, board, _ = setup
    with pytest.raises(InvalidValue, match=message) as refused:
        services.create_order(
            agreement, [LineRequest(board.id, 1)], on=date(2026, 3, 1), created_by_id=None, wanted_delivery_on=wanted
        )
    assert refused.value.field == "wanted_delivery_on"
    assert count_rows(Order) == 0


@pytest.mark.parametrize(("quantity", "error"), [(0, InvalidValue), (-3, InvalidValue)])
def test_bad_quantities_save_nothing(setup, quantity, error, count_rows):
    agreement, board, _ = setup
    with pytest.raises(error):
        services.create_order(agreement, [LineRequest(board.id, quantity)], on=date(2026, 3, 1), created_by_id=None)
    assert count_rows(Order) == 0


def test_an_unauthorised_product_is_refused(setup, count_rows):
    agreement, _, _ = setup
    stranger = make_product("NOT-OURS")
    make_price_list(
        {stranger: ("1.00", "1.00", "2.00")}, effective_from=date(2026, 2, 1), published_on=date(2026, 2, 1)
    )
    with pytest.raises(InvalidValue, match="authorise"):
        services.create_order(agreement, [LineRequest(stranger.id, 1)], on=date(2026, 3, 1), created_by_id=None)
    assert count_rows(Order) == 0


def test_no_order_on_an_agreement_that_has_ended(setup):
    agreement, board, _ = setup
    with pytest.raises(DomainError, match="active agreement"):
        services.create_order(agreement, [LineRequest(board.id, 1)], on=date(2028, 1, 1), created_by_id=None)


def test_payments_set_the_deposit_and_full_payment_dates_and_the_delivery_due_date(setup):
    agreement, board, _ = setup
    make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 1))
    order = make_order(agreement, {board: 100}, confirm_on=date(2026, 3, 5))  # ¥120,000: deposit ¥36,000
    pay(order, "20000.00", date(2026, 3, 6), "B-1")
    assert order.status is OrderStatus.CONFIRMED
    pay(order, "16000.00", date(2026, 3, 10), "B-2")  # deposit reached two days late
    assert (order.status, order.deposit_paid_on) == (OrderStatus.DEPOSIT_PAID, date(2026, 3, 10))
    pay(order, "84000.00", date(2026, 3, 20), "B-3")
    assert (order.status, order.paid_in_full_on) == (OrderStatus.PAID_IN_FULL, date(2026, 3, 20))
    assert order.delivery_due_on == date(2026, 4, 9)  # the late deposit moved delivery: 10 March + 30 days


def test_over_payment_duplicate_slip_and_future_dates_are_refused(setup, count_rows):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    pay(order, "100.00", date(2026, 3, 6), "SLIP-1")
    with pytest.raises(Duplicate):
        pay(order, "100.00", date(2026, 3, 6), "SLIP-1")
    with pytest.raises(DomainError, match="over the order total"):
        pay(order, "59900.01", date(2026, 3, 6), "SLIP-2")
    with pytest.raises(InvalidValue, match="future"):
        payments.record_payment(
            order,
            amount=D("1.00"),
            received_on=date(2026, 3, 7),
            bank_reference="SLIP-3",
            payer="",
            recorded_by_id=None,
            today=date(2026, 3, 6),
        )
    with pytest.raises(InvalidValue, match="before the order was confirmed"):
        pay(order, "1.00", date(2026, 3, 4), "SLIP-4")
    assert count_rows(Payment) == 1


def test_a_voided_payment_no_longer_counts_and_its_slip_can_be_booked_again(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    wrong = pay(order, "60000.00", date(2026, 3, 6), "SLIP-9")
    assert order.status is OrderStatus.PAID_IN_FULL
    with pytest.raises(InvalidValue, match="reason"):
        payments.void_payment(wrong, reason=" ", voided_by_id=None)
    payments.void_payment(wrong, reason="录错金额", voided_by_id=None)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.paid_amount, order.paid_in_full_on) == (OrderStatus.CONFIRMED, D("0.00"), None)
    assert db.session.get(Payment, wrong.id).voided_at is not None  # never deleted
    pay(order, "60000.00", date(2026, 3, 6), "SLIP-9")
    with pytest.raises(DomainError, match="already voided"):
        payments.void_payment(db.session.get(Payment, wrong.id), reason="again", voided_by_id=None)


def test_shipping_needs_full_payment_and_one_unique_serial_per_board(setup, count_rows):
    agreement, board, cable = setup
    order = make_order(agreement, {board: 49, cable: 100}, confirm_on=date(2026, 3, 5))  # ¥58,800 + ¥1,200
    with pytest.raises(DomainError, match="paid in full"):
        shipping.ship_order(
            order,
            [ShipmentLineRequest(board.id, 1, ["SN-1"])],
            shipped_on=date(2026, 3, 6),
            role=Role.SALES,
            today=date(2026, 3, 6),
        )
    pay(order, "60000.00", date(2026, 3, 6), "FULL-1")
    with pytest.raises(shipping.SerialProblems) as problems:
        shipping.ship_order(
            order,
            [ShipmentLineRequest(board.id, 3, ["SN-1", "SN-1"]), ShipmentLineRequest(cable.id, 10, ["X"])],
            shipped_on=date(2026, 3, 7),
            role=Role.SALES,
            today=date(2026, 3, 7),
        )
    assert len(problems.value.problems) == 3  # too few serials, one twice, serials on a non-serialized product
    assert count_rows(Board) == 0
    first = shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 2, ["sn-1", "SN-2"])],
        shipped_on=date(2026, 3, 7),
        role=Role.SALES,
        today=date(2026, 3, 7),
    )
    assert order.status is OrderStatus.PARTLY_SHIPPED
    assert sorted(b.serial for b in first.boards) == ["SN-1", "SN-2"]
    with pytest.raises(shipping.SerialProblems, match="serial"):
        shipping.ship_order(
            order,
            [ShipmentLineRequest(board.id, 1, ["SN-2"])],
            shipped_on=date(2026, 3, 8),
            role=Role.SALES,
            today=date(2026, 3, 8),
        )
    with pytest.raises(InvalidValue, match="More units"):
        shipping.ship_order(
            order,
            [ShipmentLineRequest(board.id, 48, [f"S{i}" for i in range(48)])],
            shipped_on=date(2026, 3, 8),
            role=Role.SALES,
            today=date(2026, 3, 8),
        )
    shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 47, [f"S{i}" for i in range(47)]), ShipmentLineRequest(cable.id, 100)],
        shipped_on=date(2026, 3, 9),
        role=Role.SALES,
        today=date(2026, 3, 9),
    )
    assert (order.status, order.shipped_on) == (OrderStatus.SHIPPED, date(2026, 3, 9))


def test_each_board_is_under_warranty_15_months_from_its_own_shipment(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    pay(order, "60000.00", date(2026, 3, 6), "W-1")
    shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 1, ["EARLY"])],
        shipped_on=date(2026, 3, 31),
        role=Role.SALES,
        today=date(2026, 3, 31),
    )
    shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 49, [f"L{i}" for i in range(49)])],
        shipped_on=date(2026, 11, 30),
        role=Role.SALES,
        today=date(2026, 11, 30),
    )
    early = db.session.scalar(select(Board).where(Board.serial == "EARLY"))
    late = db.session.scalar(select(Board).where(Board.serial == "L0"))
    assert early.warranty_end == date(2027, 6, 30)
    assert late.warranty_end == date(2028, 2, 29)  # month-end, leap year
    assert early.coverage.coverage_class(date(2027, 7, 1)) is CoverageClass.OUT_OF_WARRANTY


def test_the_warranty_follows_the_terms_of_the_agreement(app):
    board = make_product()
    make_price_list({board: ("1000.00", "60000.00", "70000.00")}, published_on=START)
    agreement = make_active_agreement(products=[board], terms=Terms(warranty_months=24))
    order = make_order(agreement, {board: 1}, confirm_on=date(2026, 3, 5))
    pay(order, "60000.00", date(2026, 3, 6), "T-1")
    shipment = shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 1, ["T-SN"])],
        shipped_on=date(2026, 3, 7),
        role=Role.SALES,
        today=date(2026, 3, 7),
    )
    assert shipment.boards[0].warranty_end == date(2028, 3, 7)


def test_lost_units_are_replaced_free_with_new_boards(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    pay(order, "60000.00", date(2026, 3, 6), "R-1")
    shipment = shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 50, [f"R{i}" for i in range(50)])],
        shipped_on=date(2026, 3, 7),
        role=Role.SALES,
        today=date(2026, 3, 7),
    )
    with pytest.raises(DomainError, match="lost or damaged"):
        shipping.ship_replacement(
            shipment,
            [ShipmentLineRequest(board.id, 2, ["N1", "N2"])],
            shipped_on=date(2026, 3, 12),
            today=date(2026, 3, 12),
        )
    shipping.mark_lost_or_damaged(shipment, "两块板卡运输途中损坏")
    replacement = shipping.ship_replacement(
        shipment,
        [ShipmentLineRequest(board.id, 2, ["N1", "N2"])],
        shipped_on=date(2026, 3, 12),
        today=date(2026, 3, 12),
    )
    assert replacement.replaces_shipment_id == shipment.id
    assert db.session.get(Order, order.id).paid_amount == D("60000.00")  # no charge
    assert {b.warranty_end for b in replacement.boards} == {date(2027, 6, 12)}


def test_a_confirmed_order_is_cancelled_only_by_head_office_with_a_reason(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    with pytest.raises(DomainError, match="role"):
        services.cancel_order(order, Role.DISTRIBUTOR, date(2026, 3, 10), "不要了")
    with pytest.raises(InvalidValue, match="reason"):
        services.cancel_order(order, Role.SALES, date(2026, 3, 10))
    services.cancel_order(order, Role.SALES, date(2026, 3, 10), "定金逾期")
    assert order.status is OrderStatus.CANCELLED


def test_overdue_deposits_get_one_reminder(setup):
    from portal.notices.models import Notice

    agreement, board, _ = setup
    make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    on_time = payments.remind_overdue_deposits(date(2026, 3, 8))
    late = payments.remind_overdue_deposits(date(2026, 3, 9))
    again = payments.remind_overdue_deposits(date(2026, 3, 10))
    assert (len(on_time), len(late), len(again)) == (0, 1, 0)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    [notice] = late  # its text comes from the notice template alone, stated once
    assert notice.body_zh.count("¥60,000.00") == 2  # the deposit, and what is still owed of it
    assert "应于 2026年3月8日 前支付" in notice.body_zh
    assert "已付 ¥0.00" in notice.body_zh
    assert "定金逾期的订单可能被取消" in notice.body_zh
    assert "the deposit of ¥60,000.00 on order" in notice.body_en
    assert "was due on 8 March 2026" in notice.body_en
    assert "paid so far: ¥0.00" in notice.body_en
    assert "2026-03-08" not in notice.body_zh + notice.body_en  # no ISO dates pasted into the text


def test_twenty_payments_at_the_same_moment_end_with_the_exact_sum(setup, app):
    """Threads post ¥5,000 each against an order of ¥60,000: twelve fit, eight are refused, none lost."""
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    order_id = order.id
    db.session.commit()
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def post(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                payments.record_payment(
                    db.session.get(Order, order_id),
                    amount=D("5000.00"),
                    received_on=date(2026, 3, 6),
                    bank_reference=f"RACE-{n}",
                    payer="",
                    recorded_by_id=None,
                    today=date(2026, 3, 6),
                )
                outcomes.append("booked")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    live = db.session.scalar(select(func.sum(Payment.amount)).where(Payment.order_id == order_id))
    assert (outcomes.count("booked"), outcomes.count("refused")) == (12, 8)
    assert order.paid_amount == D("60000.00") == live
    assert order.status is OrderStatus.PAID_IN_FULL


def test_the_same_slip_posted_twice_at_the_same_moment_is_booked_once(setup, app):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    order_id = order.id
    db.session.commit()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        with app.app_context():
            barrier.wait()
            try:
                payments.record_payment(
                    db.session.get(Order, order_id),
                    amount=D("100.00"),
                    received_on=date(2026, 3, 6),
                    bank_reference="SAME-SLIP",
                    payer="",
                    recorded_by_id=None,
                    today=date(2026, 3, 6),
                )
                outcomes.append("booked")
            except Duplicate:
                db.session.rollback()
                outcomes.append("duplicate")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "duplicate"]


def test_a_fully_shipped_order_is_closed_by_head_office_only(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    with pytest.raises(DomainError, match="fully shipped"):
        services.close_order(order, Role.SALES)
    pay(order, "60000.00", date(2026, 3, 6), "C-1")
    shipping.ship_order(
        order,
        [ShipmentLineRequest(board.id, 50, [f"C{i}" for i in range(50)])],
        shipped_on=date(2026, 3, 7),
        role=Role.SALES,
        today=date(2026, 3, 7),
    )
    with pytest.raises(DomainError, match="role"):
        services.close_order(order, Role.DISTRIBUTOR)
    assert services.close_order(order, Role.SALES).status is OrderStatus.CLOSED


def test_a_second_draft_does_not_make_the_first_order_ordinary(setup):
    """§2.1: the first order is the first head office confirms; drafts and submissions do not count."""
    agreement, board, _ = setup
    small = make_order(agreement, {board: 1})
    make_order(agreement, {board: 2})  # another draft alongside
    with pytest.raises(DomainError, match="at least"):
        services.submit_order(small, Role.DISTRIBUTOR, date(2026, 3, 1))
    first = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    assert first.is_first_order
    assert first.deposit_amount == first.total
    later = make_order(agreement, {board: 1}, confirm_on=date(2026, 3, 6))
    assert not later.is_first_order


def test_the_same_product_twice_in_one_shipment_is_refused(setup, count_rows):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    pay(order, "60000.00", date(2026, 3, 6), "DUP-1")
    with pytest.raises(InvalidValue, match="once"):
        shipping.ship_order(
            order,
            [
                ShipmentLineRequest(board.id, 30, [f"A{i}" for i in range(30)]),
                ShipmentLineRequest(board.id, 30, [f"B{i}" for i in range(30)]),
            ],
            shipped_on=date(2026, 3, 7),
            role=Role.SALES,
            today=date(2026, 3, 7),
        )
    assert count_rows(Board) == 0


def test_a_zero_deposit_is_paid_on_confirmation_and_never_reminded(app):
    board = make_product()
    make_price_list({board: ("1000.00", "60000.00", "70000.00")}, published_on=START)
    agreement = make_active_agreement(products=[board], terms=Terms(deposit_percent=D("0.00")))
    make_order(agreement, {board: 1}, confirm_on=date(2026, 3, 1))  # the first order: 100% up front
    order = make_order(agreement, {board: 1}, confirm_on=date(2026, 3, 5))
    assert (order.deposit_amount, order.status, order.deposit_paid_on) == (
        D("0.00"),
        OrderStatus.DEPOSIT_PAID,
        date(2026, 3, 5),
    )
    assert order.delivery_due_on == date(2026, 4, 4)  # deposit "paid" on confirmation + 30 days, balance open
    reminded = payments.remind_overdue_deposits(date(2026, 4, 1))
    assert len(reminded) == 1  # the unpaid first order only
    assert db.session.get(Order, order.id).reminder_notice_id is None


def test_an_order_with_money_received_is_not_cancelled(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, confirm_on=date(2026, 3, 5))
    pay(order, "100.00", date(2026, 3, 6), "KEEP-1")
    with pytest.raises(DomainError, match="Money was received"):
        services.cancel_order(order, Role.SALES, date(2026, 3, 10), "定金逾期")
    assert db.session.get(Order, order.id).status is OrderStatus.CONFIRMED


def test_no_confirmation_once_the_agreement_has_ended(setup):
    agreement, board, _ = setup
    order = make_order(agreement, {board: 50}, on=date(2027, 12, 30), submit=True)
    with pytest.raises(DomainError, match="active agreement"):
        services.confirm_order(order, Role.SALES, date(2028, 1, 2), today=date(2028, 1, 2))
