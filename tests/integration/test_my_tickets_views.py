"""What "My requests" (/tickets) and the order page's tickets read: a party's tickets,
scoped as the API scopes them, those waiting on the viewer first, each with its last
message written by a person and whose turn it is."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_dashboard.services import ticket_views
from oms_dashboard.services.actor import Role
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.ui.states.ticket_rows import ticket_rows, waiting_on
from tests.integration.api_helpers import api_fixture, world_fixture  # noqa: F401

T = "/api/v1/tickets"


def open_ticket(world, who, order=None, subject="Help"):
    body = {"subject": subject, "body": f"{subject}: first words"}
    if order:
        body["order_id"] = world.orders[order].id
    response = world.api.post(T, json=body, headers=world.headers(who))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def write(world, who, ticket_id, body, status=None):
    payload = {"body": body, **({"status": status} if status else {})}
    response = world.api.post(f"{T}/{ticket_id}/messages", json=payload, headers=world.headers(who))
    assert response.status_code == 201, response.text


def seen(world, engine, who, order=None):
    with Session(engine) as session:
        actor = actor_for_user(session, world.users[who])
        order_id = world.orders[order].id if order else None
        found, _ = ticket_views.party_tickets(session, actor=actor, order_id=order_id)
        return ticket_rows(session, found, actor)


def test_a_party_sees_theirs_waiting_on_them_first_with_the_last_message(world, engine):
    general = open_ticket(world, "alice", subject="General")
    about = open_ticket(world, "alice", "alice_a", subject="Parcel")
    bobs = open_ticket(world, "bob", "bob_a", subject="Bob's")
    write(world, "support", about, "Which colour did you order?", status="waiting_on_customer")
    write(world, "support", bobs, "Seller, did you ship?", status="waiting_on_seller")

    alice = seen(world, engine, "alice")
    assert [r.id for r in alice] == [about, general]  # her turn first
    first = alice[0]
    assert (first.waiting_on, first.your_turn) == ("You", True)
    assert first.last_words == "Which colour did you order?" and first.href == f"/tickets/{about}"
    assert alice[1].last_author == "You" and alice[1].waiting_on == "Support"

    seller = seen(world, engine, "seller_a")
    assert [r.id for r in seller] == [bobs, about]  # general is not about their orders
    assert seller[0].your_turn and seller[1].waiting_on == "The customer"
    assert [r.id for r in seen(world, engine, "seller_b")] == []
    assert [r.id for r in seen(world, engine, "bob")] == [bobs]

    assert [r.id for r in seen(world, engine, "alice", order="alice_a")] == [about]
    staff = seen(world, engine, "support", order="alice_a")
    assert [r.href for r in staff] == [f"/support/tickets/{about}"]


@pytest.mark.parametrize(
    ("status", "viewer", "words", "yours"),
    [
        ("open", "customer", "Support", False),
        ("open", "support", "You", True),
        ("open", "admin", "You", True),
        ("waiting_on_customer", "customer", "You", True),
        ("waiting_on_customer", "seller", "The customer", False),
        ("waiting_on_seller", "seller", "You", True),
        ("waiting_on_seller", "customer", "The seller", False),
        ("escalated", "customer", "An admin (dispute)", False),
        ("resolved", "seller", "Nobody: resolved", False),
    ],
)
def test_whose_turn_in_words(status, viewer, words, yours):
    assert waiting_on(status, Role(viewer)) == (words, yours)
