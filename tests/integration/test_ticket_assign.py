"""Support hands a ticket to another agent: ``POST /tickets/{id}/assign {agent_id}``
(support and admins; 422 for anyone who is not an active support agent or admin),
audited, a note on the thread, the new assignee told in the app and by email."""

from __future__ import annotations

from sqlmodel import Session, select

from oms_dashboard.bootstrap import outbox_handlers
from oms_dashboard.models import EmailMessage, Notification, TicketMessage, User
from oms_dashboard.services import outbox, tickets
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    audit_rows,
    error_fields,
    fetch,
    world_fixture,
)

T = "/api/v1/tickets"


def deliver(engine) -> None:
    for _ in range(2):
        outbox.dispatch_pending(handlers=outbox_handlers(engine), engine=engine)


def open_ticket(world) -> str:
    body = {
        "subject": "Where is my parcel?",
        "body": "Late.",
        "order_id": world.orders["alice_a"].id,
    }
    response = world.api.post(T, json=body, headers=world.headers("alice"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def assign(world, who, ticket_id, **body):
    return world.api.post(f"{T}/{ticket_id}/assign", json=body, headers=world.headers(who))


def bell(engine, user: User) -> list[str]:
    return [
        n.title for n in fetch(engine, select(Notification).where(Notification.user_id == user.id))
    ]


def test_reassigned_twice_audited_noted_and_the_new_agent_told(world, engine, session, mailbox):
    tid = open_ticket(world)
    ben = make_user(session, "support")
    world.users["ben"] = ben
    support = world.users["support"]
    taken = assign(world, "support", tid, agent_id=support.id)
    assert taken.status_code == 200 and taken.json()["assignee_id"] == support.id
    for rounds, (who, to) in enumerate((("support", ben), ("admin", support)), start=1):
        response = assign(world, who, tid, agent_id=to.id)
        assert response.status_code == 200, response.text
        assert response.json()["assignee_id"] == to.id
        deliver(engine)
        # one notice each: support taking it first themselves told nobody
        assert sum("assigned to you" in t for t in bell(engine, to)) == 1
        assert len(audit_rows(engine, "ticket.assign")) == 1 + rounds
    notes = fetch(
        engine,
        select(TicketMessage.body).where(
            TicketMessage.ticket_id == tid, TicketMessage.author_role == "system"
        ),
    )
    assert any(n.startswith(f"Reassigned to {ben.name}") for n in notes)
    assert any(n.startswith(f"Reassigned to {support.name}") for n in notes)
    emails = fetch(engine, select(EmailMessage).where(EmailMessage.to_address == ben.email))
    assert len(emails) == 1 and "assigned to you" in emails[0].subject
    assert f"/support/tickets/{tid}" in emails[0].text_body
    # giving it to whom has it already changes nothing
    again = assign(world, "admin", tid, agent_id=support.id)
    assert again.status_code == 200
    assert len(audit_rows(engine, "ticket.assign")) == 3


def test_only_active_support_agents_and_only_by_staff(world, session):
    tid = open_ticket(world)
    gone = make_user(session, "support")
    gone.is_active = False
    session.add(gone)
    session.commit()
    for who in ("alice", "seller_a", "bob"):
        denied = assign(world, who, tid, agent_id=world.users["support"].id)
        assert denied.status_code in (403, 404)
    assert assign(world, "alice", tid, agent_id=world.users["support"].id).status_code == 403
    for user in ("alice", "seller_a"):
        bad = assign(world, "support", tid, agent_id=world.users[user].id)
        assert bad.status_code == 422 and error_fields(bad) == ["agent_id"]
    assert error_fields(assign(world, "support", tid, agent_id=gone.id)) == ["agent_id"]
    assert error_fields(assign(world, "support", tid, agent_id="usr_nope")) == ["agent_id"]
    assert error_fields(assign(world, "support", tid)) == ["agent_id"]
    older = assign(world, "support", tid, assignee_id=world.users["alice"].id)
    assert error_fields(older) == ["assignee_id"]  # the older field name still answers
    assert assign(world, "support", "tkt_nope", agent_id=gone.id).status_code == 404


def test_the_agents_staff_may_choose(world, engine, session):
    ben = make_user(session, "support")
    gone = make_user(session, "support")
    gone.is_active = False
    session.add(gone)
    session.commit()
    with Session(engine) as s:
        actor = actor_for_user(s, world.users["support"])
        ids = [u.id for u in tickets.support_agents(s, actor=actor)]
    assert {world.users["support"].id, ben.id, world.users["admin"].id} == set(ids)
    assert gone.id not in ids
