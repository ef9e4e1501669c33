"""Seller notifications (new order, low stock) and the read side: the bell and the Outbox page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from oms_dashboard.models import EmailMessage, Notification
from oms_dashboard.notifications import handlers, queries
from oms_dashboard.services.errors import Forbidden
from tests.factories import make_actor, make_order, make_product, make_seller, make_user
from tests.integration.test_notifications import usd

PLACED = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)


def seller_with_staff(session, **seller_fields):
    seller = make_seller(session, name="Bright Lamps", handling_hours=48, **seller_fields)
    staff = [make_user(session, "seller", seller=seller) for _ in range(2)]
    retired = make_user(session, "seller", seller=seller)
    retired.is_active = False
    session.commit()
    return seller, staff


def new_order_for(session, seller):
    customer = make_actor(session, "customer")
    products = [
        make_product(session, seller, price_minor=1999, currency=seller.currency),
        make_product(session, seller, price_minor=1250, currency=seller.currency),
    ]
    return make_order(
        session, customer=customer, seller=seller, products=products, quantity=2, placed_at=PLACED
    )


def test_new_order_emails_each_active_staff_member_and_rings_the_bell(
    session,
    engine,
    smtp,  # noqa: F811
):
    seller, staff = seller_with_staff(session)
    make_user(session, "seller", seller=make_seller(session))  # another seller's staff
    order = new_order_for(session, seller)

    handlers.new_order({"order_id": order.id}, engine=engine)
    handlers.new_order({"order_id": order.id}, engine=engine)

    assert sorted(rcpts[0] for rcpts, _ in smtp.received) == sorted(u.email for u in staff)
    message = smtp.messages[0]
    # A header is one line of plain spaces.
    assert message["Subject"] == f"New order {order.number}: 4 items, USD 70.97"
    text = message.get_body(("plain",)).get_content()
    # Paid Fri 14 Mar 06:01 in New York, 48 h = two business days after Friday: the end
    # of Tue 18 Mar there (EDT), 03:59 UTC on the 19th.
    assert "Ship by: 19 Mar 2025, 03:59 UTC" in text
    assert "2 x Product" in text and usd("39.98") in text
    ship_to = [line.strip() for line in text.split("Ship to:")[1].splitlines() if line.strip()]
    assert ship_to[1:4] == ["1 Main St", "AUSTIN, TX 78701", "UNITED STATES"]
    (note,) = session.exec(select(Notification)).all()
    assert note.seller_id == seller.id and note.user_id is None
    assert note.title == f"New order {order.number}"
    assert note.body == f"4 items, {usd('70.97')} total. Ship by 19 Mar 2025, 03:59 UTC."
    keys = sorted(row.dedupe_key for row in session.exec(select(EmailMessage)))
    assert keys == sorted(f"email:new-order:{order.id}:{u.id}" for u in staff)


def test_a_canadian_sellers_new_order_reads_in_canadian_dollars(session, engine, mailbox):  # noqa: F811
    seller, _ = seller_with_staff(session, currency="CAD", country="CA")
    order = new_order_for(session, seller)

    handlers.new_order({"order_id": order.id}, engine=engine)

    row = session.exec(select(EmailMessage)).first()
    assert row.subject == f"New order {order.number}: 4 items, CA$70.97"
    assert "2 x Product" in row.text_body and "CA$39.98" in row.text_body
    (note,) = session.exec(select(Notification)).all()
    assert note.body.startswith("4 items, CA$70.97 total.")


def test_a_refused_recipient_is_retried_without_resending_to_the_others(
    session,
    engine,
    smtp,  # noqa: F811
):
    seller, staff = seller_with_staff(session)
    order = new_order_for(session, seller)
    by_id = sorted(staff, key=lambda u: u.id)
    smtp.refuse = {by_id[1].email}

    with pytest.raises(Exception, match="refused|550"):
        handlers.new_order({"order_id": order.id}, engine=engine)
    smtp.refuse = set()
    handlers.new_order({"order_id": order.id}, engine=engine)

    assert [rcpts for rcpts, _ in smtp.received] == [[by_id[0].email], [by_id[1].email]]
    assert len(session.exec(select(Notification)).all()) == 1


def test_low_stock_alerts_once_per_alert_id(session, engine, mailbox):  # noqa: F811
    seller, staff = seller_with_staff(session)
    payload = {
        "seller_id": seller.id,
        "sku": "MUG-1",
        "title": "Blue mug",
        "available": 2,
        "threshold": 5,
        "alert_id": "alert-1",
    }

    handlers.low_stock(payload, engine=engine)
    handlers.low_stock(payload, engine=engine)
    handlers.low_stock({**payload, "alert_id": "alert-2"}, engine=engine)

    notes = session.exec(select(Notification)).all()
    assert len(notes) == 2
    assert {n.title for n in notes} == {"Low stock: Blue mug (MUG-1) — 2 left"}
    assert all(n.seller_id == seller.id for n in notes)
    rows = session.exec(select(EmailMessage)).all()
    assert len(rows) == 2 * len(staff)
    assert "under your threshold of 5" in rows[0].text_body


def test_low_stock_without_alert_id_dedupes_on_sku_and_level(
    session,
    engine,
    mailbox,  # noqa: F811
):
    seller, _ = seller_with_staff(session)
    payload = {
        "seller_id": seller.id,
        "sku": "MUG-1",
        "title": "Mug",
        "available": 2,
        "threshold": 5,
    }

    handlers.low_stock(payload, engine=engine)
    handlers.low_stock(payload, engine=engine)
    handlers.low_stock({**payload, "available": 1}, engine=engine)

    assert len(session.exec(select(Notification)).all()) == 2


def test_the_bell_shows_a_seller_its_own_notifications_only(
    session,
    engine,
    mailbox,  # noqa: F811
):
    seller, _ = seller_with_staff(session)
    other_seller = make_seller(session)
    handlers.new_order({"order_id": new_order_for(session, seller).id}, engine=engine)
    handlers.new_order({"order_id": new_order_for(session, seller).id}, engine=engine)
    handlers.new_order({"order_id": new_order_for(session, other_seller).id}, engine=engine)
    staff = make_actor(session, "seller", seller=seller)
    outsider = make_actor(session, "seller", seller=other_seller)

    latest = queries.list_notifications(session, actor=staff, limit=10)
    assert len(latest) == 2 and all(n.seller_id == seller.id for n in latest)
    assert latest[0].created_at >= latest[1].created_at
    assert queries.unread_count(session, actor=staff) == 2
    session.commit()
    assert queries.mark_read(engine, actor=outsider, notification_ids=[latest[0].id]) == 0
    assert queries.mark_read(engine, actor=staff, notification_ids=[latest[0].id]) == 1
    assert queries.unread_count(session, actor=staff) == 1
    assert queries.mark_read(engine, actor=staff) == 1
    session.commit()
    assert queries.unread_count(session, actor=staff) == 0
    assert queries.unread_count(session, actor=outsider) == 1


def test_a_customer_sees_only_their_own_notifications(session, engine, mailbox):  # noqa: F811
    seller, _ = seller_with_staff(session)
    order = new_order_for(session, seller)
    handlers.new_order({"order_id": order.id}, engine=engine)
    handlers.stock_lost({"order_id": order.id, "sku": "none", "alternatives": []}, engine=engine)
    someone_else = make_actor(session, "customer")

    (note,) = queries.list_notifications(session, actor=_customer_of(session, order), limit=5)
    assert note.kind == "stock_lost"
    assert queries.list_notifications(session, actor=someone_else, limit=5) == []


def test_outbox_page_is_for_admins_and_pages_newest_first(session, engine, mailbox):  # noqa: F811
    seller, staff = seller_with_staff(session)
    for _ in range(3):
        handlers.new_order({"order_id": new_order_for(session, seller).id}, engine=engine)
    admin = make_actor(session, "admin")

    first = queries.list_emails(session, actor=admin, limit=4)
    second = queries.list_emails(session, actor=admin, limit=4, cursor=first.next_cursor)
    assert len(first.items) == 4 and first.next_cursor == first.items[-1].id
    assert len(second.items) == 2 and second.next_cursor is None
    ids = [e.id for e in first.items + second.items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    assert queries.get_email(session, actor=admin, email_id=ids[0]).transport == "mailbox"
    for role in ("customer", "support"):
        with pytest.raises(Forbidden):
            queries.list_emails(session, actor=make_actor(session, role), limit=10)
    with pytest.raises(Forbidden):
        queries.list_emails(session, actor=make_actor(session, "seller", seller=seller))
    with pytest.raises(Forbidden):
        queries.get_email(session, actor=make_actor(session, "support"), email_id=ids[0])


def _customer_of(session, order):
    from oms_dashboard.models import Customer, User
    from oms_dashboard.services.auth import actor_for_user

    customer = session.get(Customer, order.customer_id)
    return actor_for_user(session, session.get(User, customer.user_id))
