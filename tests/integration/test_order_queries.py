"""Order lists and details are scoped to the actor, on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.orders import (
    OrderFilter,
    count_by_status,
    get_order_detail,
    list_orders,
)
from tests.factories import make_actor, make_order, make_product, make_seller


@pytest.fixture
def world(session):
    shop_a, shop_b = make_seller(session), make_seller(session)
    pa, pb = make_product(session, shop_a), make_product(session, shop_b)
    alice, bob = make_actor(session, "customer"), make_actor(session, "customer")
    now = utcnow()
    orders = {
        "alice_a": make_order(
            session, customer=alice, seller=shop_a, products=[pa], placed_at=now - timedelta(days=3)
        ),
        "alice_b": make_order(
            session,
            customer=alice,
            seller=shop_b,
            products=[pb],
            placed_at=now - timedelta(days=2),
            status="delivered",
        ),
        "bob_a": make_order(
            session,
            customer=bob,
            seller=shop_a,
            products=[pa],
            placed_at=now - timedelta(days=1),
            status="shipped",
        ),
    }
    return {
        "a": shop_a,
        "b": shop_b,
        "alice": alice,
        "bob": bob,
        "orders": orders,
        "pa": pa,
        "pb": pb,
    }


def ids(page):
    return [o.id for o in page.items]


def test_customer_sees_only_their_orders_newest_first(session, world):
    page = list_orders(session, actor=world["alice"])
    assert ids(page) == [world["orders"]["alice_b"].id, world["orders"]["alice_a"].id]


def test_seller_sees_only_their_sellers_orders(session, world):
    staff = make_actor(session, "seller", seller=world["a"])
    page = list_orders(session, actor=staff)
    assert set(ids(page)) == {world["orders"]["alice_a"].id, world["orders"]["bob_a"].id}


def test_support_and_admin_see_all(session, world):
    for role in ("support", "admin"):
        assert len(list_orders(session, actor=make_actor(session, role)).items) == 3


def test_another_customers_order_is_not_found(session, world):
    with pytest.raises(NotFound):
        get_order_detail(session, actor=world["bob"], order_id=world["orders"]["alice_a"].id)


def test_another_sellers_order_is_not_found(session, world):
    staff_b = make_actor(session, "seller", seller=world["b"])
    with pytest.raises(NotFound):
        get_order_detail(session, actor=staff_b, order_id=world["orders"]["bob_a"].id)


def test_keyset_pages_cover_every_order_once(session, world):
    admin = make_actor(session, "admin")
    first = list_orders(session, actor=admin, limit=2)
    second = list_orders(session, actor=admin, limit=2, cursor=first.next_cursor)
    assert len(first.items) == 2 and len(second.items) == 1
    assert second.next_cursor is None
    assert set(ids(first)) | set(ids(second)) == {o.id for o in world["orders"].values()}


def test_filters_by_status_sku_email_and_number(session, world):
    admin = make_actor(session, "admin")
    shipped = list_orders(session, actor=admin, filters=OrderFilter(statuses=("shipped",)))
    assert ids(shipped) == [world["orders"]["bob_a"].id]
    by_sku = list_orders(session, actor=admin, filters=OrderFilter(q=world["pa"].sku.lower()))
    assert len(by_sku.items) == 2
    by_email = list_orders(session, actor=admin, filters=OrderFilter(q=world["bob"].email.upper()))
    assert ids(by_email) == [world["orders"]["bob_a"].id]
    number = world["orders"]["alice_b"].number
    assert ids(list_orders(session, actor=admin, filters=OrderFilter(q=number))) == [
        world["orders"]["alice_b"].id
    ]


def test_unknown_status_and_bad_cursor_name_the_field(session, world):
    admin = make_actor(session, "admin")
    with pytest.raises(ValidationFailed) as err:
        list_orders(session, actor=admin, filters=OrderFilter(statuses=("lost",)))
    assert err.value.errors[0]["field"] == "status"
    with pytest.raises(ValidationFailed) as err:
        list_orders(session, actor=admin, cursor="nonsense")
    assert err.value.errors[0]["field"] == "cursor"


def test_counts_by_status_follow_scope(session, world):
    assert count_by_status(session, actor=make_actor(session, "admin"))["processing"] == 1
    counts = count_by_status(session, actor=world["alice"])
    assert counts["delivered"] == 1 and counts["shipped"] == 0


def test_detail_has_lines_events_and_actions(session, world):
    detail = get_order_detail(session, actor=world["alice"], order_id=world["orders"]["alice_b"].id)
    assert [line.sku for line in detail.lines] == [
        world["orders"]["alice_b"] and detail.lines[0].sku
    ]
    assert detail.events[0].type == "order.placed"
    # delivered: confirm receipt or report a problem (returns come with customer service)
    assert detail.allowed_actions == [
        "confirm_receipt",
        "report_delivery_problem",
        "download_invoice",
        "review_products",
        "message_seller",
    ]


def test_a_list_that_fits_its_first_page_is_counted_without_a_query(session, world):
    """The all-orders page shows how many orders match: a first page with no next one
    holds them all, so no count runs; a longer list, or a later page, is counted."""
    import sqlalchemy as sa

    from oms_dashboard.services.order_search import count_list

    admin = make_actor(session, "admin")
    counts: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        if "count(" in statement.lower():
            counts.append(statement)

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        whole = list_orders(session, actor=admin, limit=5)
        assert count_list(session, actor=admin, filters=OrderFilter(), page=whole, first=True) == (
            3,
            False,
        )
        assert counts == []
        first = list_orders(session, actor=admin, limit=2)
        assert count_list(session, actor=admin, filters=OrderFilter(), page=first, first=True) == (
            3,
            False,
        )
        assert len(counts) == 1
        last = list_orders(session, actor=admin, limit=2, cursor=first.next_cursor)
        assert last.next_cursor is None
        assert count_list(session, actor=admin, filters=OrderFilter(), page=last, first=False) == (
            3,
            False,
        )
        assert len(counts) == 2
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
