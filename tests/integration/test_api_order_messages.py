"""Order messages: the customer and the owning seller talk on the order, the other
party is told through the outbox, and listing the thread reads the other's messages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from oms_dashboard.models import EmailMessage, Notification, OrderMessage, OutboxMessage
from oms_dashboard.services.outbox import MessageKind
from tests.factories import make_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    fetch,
    world_fixture,
)
from tests.integration.test_notifications import deliver_due


def url(order) -> str:
    return f"/api/v1/orders/{order.id}/messages"


def post(world, who: str, order, body):
    return world.api.post(url(order), json={"body": body}, headers=world.headers(who))


def listing(world, who: str, order, **params):
    return world.api.get(url(order), params=params, headers=world.headers(who))


def converse(world, session, engine, order_key: str, customer: str, seller: str, shop):
    """Customer asks, seller answers, each reads: the whole round trip."""
    order = world.orders[order_key]
    staff = [world.users[seller], make_user(session, "seller", seller=shop)]

    asked = post(world, customer, order, "  Could you gift-wrap it?\n")
    assert asked.status_code == 201, asked.text
    assert asked.json()["body"] == "Could you gift-wrap it?"
    assert asked.json()["author_role"] == "customer" and asked.json()["read_at"] is None

    # Nothing is told before the outbox delivers; then one bell and one email per staff.
    assert fetch(engine, select(Notification).where(Notification.order_id == order.id)) == []
    deliver_due(engine)
    deliver_due(engine)  # at-least-once: a second run tells nobody twice
    (bell,) = fetch(engine, select(Notification).where(Notification.order_id == order.id))
    assert bell.seller_id == shop.id and bell.user_id is None and bell.kind == "order_message"
    assert bell.title == f"{order.ship_name} wrote about order {order.number}"
    assert bell.body == "Could you gift-wrap it?"
    emails = fetch(engine, select(EmailMessage).where(EmailMessage.order_id == order.id))
    assert sorted(e.to_address for e in emails) == sorted(u.email for u in staff)
    assert all("Could you gift-wrap it?" in e.text_body for e in emails)
    assert emails[0].subject == f"Order {order.number}: a message from {order.ship_name}"

    # The customer's own listing reads nothing; the seller's reads the customer's message.
    mine = listing(world, customer, order).json()["items"]
    assert [m["read_at"] for m in mine] == [None]
    seen = listing(world, seller, order).json()["items"]
    assert seen[0]["read_at"] is not None

    answered = post(world, seller, order, "Yes, at no charge.")
    assert answered.status_code == 201, answered.text
    deliver_due(engine)
    bells = fetch(
        engine,
        select(Notification).where(Notification.order_id == order.id).order_by(Notification.id),
    )
    assert len(bells) == 2
    customer_user = world.users[customer]
    assert bells[1].user_id == customer_user.id and bells[1].seller_id is None
    assert bells[1].title == f"{shop.name} answered about order {order.number}"
    customer_emails = [
        e for e in fetch(engine, select(EmailMessage)) if e.to_address == customer_user.email
    ]
    assert customer_emails == []  # the customer is told in-app only

    items = listing(world, customer, order).json()["items"]
    assert [(m["author_role"], m["body"]) for m in items] == [
        ("customer", "Could you gift-wrap it?"),
        ("seller", "Yes, at no charge."),
    ]
    assert all(m["read_at"] for m in items)
    assert items[1]["author"] == world.users[seller].name
    first_read = items[0]["read_at"]
    again = listing(world, seller, order).json()["items"]
    assert again[0]["read_at"] == first_read  # read once, the first time
    kinds = fetch(
        engine, select(OutboxMessage.kind).where(OutboxMessage.kind == MessageKind.ORDER_MESSAGE)
    )
    return len(kinds)


def test_two_conversations_end_to_end(world, session, engine, mailbox):
    assert converse(world, session, engine, "alice_a", "alice", "seller_a", world.shop_a) == 2
    assert converse(world, session, engine, "bob_b", "bob", "seller_b", world.shop_b) == 4
    # Each thread holds its own messages only.
    assert len(listing(world, "support", world.orders["alice_a"]).json()["items"]) == 2
    assert len(listing(world, "admin", world.orders["bob_b"]).json()["items"]) == 2
    assert listing(world, "support", world.orders["bob_a"]).json()["items"] == []


def test_staff_read_without_marking_anything_read(world, engine):
    order = world.orders["alice_a"]
    post(world, "alice", order, "Hello")
    for who in ("support", "admin"):
        (item,) = listing(world, who, order).json()["items"]
        assert item["read_at"] is None
    assert fetch(engine, select(OrderMessage.read_at)) == [None]


@pytest.mark.parametrize(
    ("who", "order", "status"),
    [
        ("bob", "alice_a", 404),
        ("seller_b", "alice_a", 404),
        ("seller_a", "bob_b", 404),
        ("support", "alice_a", 403),
        ("admin", "alice_a", 403),
        (None, "alice_a", 401),
    ],
)
def test_who_may_not_write(world, engine, who, order, status):
    response = post(world, who, world.orders[order], "Hi")
    assert_problem(
        response, status, {401: "unauthorized", 403: "forbidden", 404: "not-found"}[status]
    )
    assert fetch(engine, select(OrderMessage)) == []
    assert (
        fetch(engine, select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ORDER_MESSAGE))
        == []
    )


@pytest.mark.parametrize(
    ("who", "order", "status"),
    [
        ("alice", "alice_a", 200),
        ("bob", "alice_a", 404),
        ("seller_a", "bob_a", 200),
        ("seller_a", "bob_b", 404),
        ("seller_b", "bob_b", 200),
        ("support", "bob_b", 200),
        ("admin", "alice_a", 200),
        (None, "alice_a", 401),
    ],
)
def test_who_may_read(world, who, order, status):
    response = listing(world, who, world.orders[order])
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next_cursor": None}
    else:
        assert_problem(response, status, {401: "unauthorized", 404: "not-found"}[status])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("x" * 5001, "at most 5000 characters"),
        ("  " + "x" * 5001, "at most 5000 characters"),
    ],
)
def test_a_bad_body_is_a_clear_422_and_writes_nothing(world, engine, body, message):
    response = post(world, "alice", world.orders["alice_a"], body)
    problem = assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["body"] and message in problem["errors"][0]["message"]
    assert fetch(engine, select(OrderMessage)) == []


def test_a_body_of_exactly_5000_characters_is_kept(world):
    response = post(world, "alice", world.orders["alice_a"], " " + "x" * 5000 + " ")
    assert response.status_code == 201 and len(response.json()["body"]) == 5000


def test_a_missing_body_or_a_number_is_a_422(world):
    order = world.orders["alice_a"]
    for payload in ({}, {"body": 5}, {"body": "hi", "extra": 1}):
        response = world.api.post(url(order), json=payload, headers=world.headers("alice"))
        assert_problem(response, 422, "validation-error")


def test_the_thread_pages_oldest_first(world):
    order = world.orders["alice_a"]
    for n in range(5):
        post(world, "alice" if n % 2 == 0 else "seller_a", order, f"message {n}")
    first = listing(world, "support", order, limit=3).json()
    assert [m["body"] for m in first["items"]] == ["message 0", "message 1", "message 2"]
    rest = listing(world, "support", order, limit=3, cursor=first["next_cursor"]).json()
    assert [m["body"] for m in rest["items"]] == ["message 3", "message 4"]
    assert rest["next_cursor"] is None
