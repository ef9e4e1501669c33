"""Support tickets and disputes over the API: lifecycles end to end through the
outbox, system tickets from flagged shipments (once per cause), escalation to a
dispute and its decision, refusals across roles and sellers, and the queue's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from oms_dashboard.bootstrap import outbox_handlers
from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    AuditEntry,
    EmailMessage,
    Notification,
    OrderEvent,
    SandboxPayment,
    SandboxRefund,
    Shipment,
    Ticket,
    TicketMessage,
)
from oms_dashboard.services import outbox, tracking
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    fetch,
    world_fixture,
)

T = "/api/v1/tickets"


def deliver(engine) -> None:
    """Run the outbox worker twice: every notice is sent once however often it runs."""
    for _ in range(2):
        outbox.dispatch_pending(handlers=outbox_handlers(engine), engine=engine)


def emails(engine, to: str) -> list[EmailMessage]:
    return fetch(engine, select(EmailMessage).where(EmailMessage.to_address == to))


def bells(engine, **who) -> list[Notification]:
    where = [getattr(Notification, k) == v for k, v in who.items()]
    return fetch(engine, select(Notification).where(*where, Notification.kind == "ticket_update"))


def open_ticket(world, who: str, order: str | None = None, **body) -> dict:
    payload = {"subject": "Where is my parcel?", "body": "It has been a while.", **body}
    if order:
        payload["order_id"] = world.orders[order].id
    response = world.api.post(T, json=payload, headers=world.headers(who))
    assert response.status_code == 201, response.text
    return response.json()


def act(world, who: str, ticket_id: str, what: str, **body):
    return world.api.post(f"{T}/{ticket_id}/{what}", json=body, headers=world.headers(who))


def detail(world, who: str, ticket_id: str) -> dict:
    response = world.api.get(f"{T}/{ticket_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


# -- lifecycles ------------------------------------------------------------------------


def test_customer_opens_support_answers_customer_replies_resolved_rated_twice(
    world,
    engine,
    mailbox,  # noqa: F811
):
    alice = world.users["alice"]
    for round_ in (1, 2):
        opened = open_ticket(world, "alice", "alice_a", subject=f"Question {round_}")
        if round_ == 1:
            assert opened["priority"] == "normal"
            assert "processing" in opened["priority_reason"].lower()
        else:  # a second contact about the same order is raised one step
            assert opened["priority"] == "high"
            assert "contacted us before" in opened["priority_reason"]
        assert opened["status"] == "open" and opened["number"].startswith("TKT-")
        tid = opened["id"]
        due_first = datetime.fromisoformat(opened["sla_due_at"])

        answered = act(
            world,
            "support",
            tid,
            "messages",
            body="Can you confirm the address?",
            status="waiting_on_customer",
        )
        assert answered.status_code == 201, answered.text
        now = detail(world, "support", tid)
        assert now["status"] == "waiting_on_customer" and now["first_response_at"]
        assert datetime.fromisoformat(now["sla_due_at"]) > due_first  # now the resolution
        deliver(engine)
        told = [e for e in emails(engine, alice.email) if opened["number"] in e.subject]
        assert [e.subject for e in told] == [f"Support replied to your ticket {opened['number']}"]
        assert "Can you confirm the address?" in told[0].text_body

        replied = act(world, "alice", tid, "messages", body="Yes, 1 Main St.")
        assert replied.status_code == 201
        assert detail(world, "alice", tid)["status"] == "open"

        resolved = act(world, "support", tid, "status", status="resolved")
        assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
        rated = act(world, "alice", tid, "rating", rating=5)
        assert rated.status_code == 200 and rated.json()["rating"] == 5
        again = act(world, "alice", tid, "rating", rating=1)
        assert assert_problem(again, 409, "refused")["reason"] == "already-rated"

        thread = detail(world, "alice", tid)["messages"]
        assert [m["author_role"] for m in thread if m["author_role"] != "system"] == [
            "customer",
            "support",
            "customer",
        ]
        assert thread[0]["body"] == "It has been a while."
        deliver(engine)
        subjects = [e.subject for e in emails(engine, alice.email) if opened["number"] in e.subject]
        assert sorted(subjects) == sorted(
            [
                f"Support replied to your ticket {opened['number']}",
                f"Your ticket {opened['number']} is resolved",
            ]
        )
    assert len(bells(engine, user_id=alice.id)) == 4


def test_seller_input_needed_the_seller_is_told_and_answers_twice(
    world,
    engine,
    mailbox,  # noqa: F811
):
    seller_a, seller_b = world.users["seller_a"], world.users["seller_b"]
    for _ in range(2):
        tid = open_ticket(world, "bob", "bob_a", subject="Wrong colour")["id"]
        asked = act(world, "support", tid, "status", status="waiting_on_seller")
        assert asked.status_code == 200 and asked.json()["status"] == "waiting_on_seller"
        deliver(engine)
        assert world.api.get(f"{T}/{tid}", headers=world.headers("seller_b")).status_code == 404
        assert detail(world, "seller_a", tid)["subject"] == "Wrong colour"
        answer = act(world, "seller_a", tid, "messages", body="We will send the blue one.")
        assert answer.status_code == 201
        assert detail(world, "support", tid)["status"] == "open"
        assert act(world, "support", tid, "status", status="resolved").status_code == 200
    deliver(engine)
    told = bells(engine, seller_id=world.shop_a.id)
    assert len(told) == 2 and all("needs your input" in n.title for n in told)
    assert len(emails(engine, seller_a.email)) == 2
    assert emails(engine, seller_b.email) == [] and bells(engine, seller_id=world.shop_b.id) == []


def test_waiting_on_the_customer_stops_the_sla_clock(world, engine):
    tid = open_ticket(world, "alice", "alice_a")["id"]
    act(world, "support", tid, "messages", body="Which size?", status="waiting_on_customer")
    with Session(engine) as s:
        ticket = s.get(Ticket, tid)
        due = ticket.sla_due_at
        ticket.waiting_since = ticket.waiting_since - timedelta(hours=5)
        s.add(ticket)
        s.commit()
    act(world, "alice", tid, "messages", body="Medium.")
    after = datetime.fromisoformat(detail(world, "support", tid)["sla_due_at"])
    assert after - due >= timedelta(hours=5)


# -- system tickets ----------------------------------------------------------------------


def _shipment(engine, order, status="shipped", last_scan_at=None) -> str:
    with Session(engine) as s:
        shipment = Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=order.seller_id,
            carrier="fedex",
            service="FEDEX_GROUND",
            tracking_number=new_id("trk")[-20:],
            status=status,
            last_scan_at=last_scan_at,
        )
        s.add(shipment)
        s.commit()
        return shipment.id


def test_a_stuck_shipment_opens_one_system_ticket_however_often_it_is_flagged(world, engine):
    order = world.orders["bob_a"]
    shipment_id = _shipment(engine, order, last_scan_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    monday = datetime(2026, 12, 7, 12, tzinfo=UTC)
    for hours in (0, 1, 2):
        tracking.flag_stuck(engine, now=monday + timedelta(hours=hours))
        with Session(engine) as s:  # a scan clears the flag; silence flags it again
            shipment = s.get(Shipment, shipment_id)
            shipment.flag = None
            s.add(shipment)
            s.commit()
    tickets = fetch(engine, select(Ticket).where(Ticket.shipment_id == shipment_id))
    assert len(tickets) == 1
    (ticket,) = tickets
    assert ticket.dedupe_key == f"shipment:{shipment_id}:stuck"
    assert (ticket.source, ticket.priority, ticket.order_id) == ("system", "high", order.id)
    assert "no carrier scan" in ticket.priority_reason.lower()
    queue = world.api.get(T, headers=world.headers("support")).json()["items"]
    assert [t["id"] for t in queue] == [ticket.id]
    assert queue[0]["shipment_id"] == shipment_id and queue[0]["source"] == "system"
    seen = detail(world, "seller_a", ticket.id)
    assert seen["messages"][0]["author_role"] == "system"
    assert "No carrier scan" in seen["messages"][0]["body"]
    assert world.api.get(T, headers=world.headers("bob")).json()["items"] == []
    assert world.api.get(f"{T}/{ticket.id}", headers=world.headers("bob")).status_code == 404
    events = fetch(engine, select(OrderEvent.type).where(OrderEvent.order_id == order.id))
    assert events.count("ticket.opened") == 1


def test_a_delivery_problem_reported_by_the_customer_opens_a_system_ticket(world, engine):
    order = world.orders["bob_b"]
    shipment_id = _shipment(engine, order, status="delivered")
    reported = world.api.post(
        f"/api/v1/orders/{order.id}/delivery-problem",
        json={"problem": "not_arrived"},
        headers=world.headers("bob"),
    )
    assert reported.status_code == 200, reported.text
    (ticket,) = fetch(engine, select(Ticket).where(Ticket.shipment_id == shipment_id))
    assert ticket.dedupe_key == f"shipment:{shipment_id}:reported"
    assert ticket.priority == "high" and ticket.seller_id == world.shop_b.id


# -- disputes ----------------------------------------------------------------------------


def test_escalate_to_a_dispute_and_an_admins_rejection_seen_by_both(
    world,
    engine,
    mailbox,  # noqa: F811
):
    alice = world.users["alice"]
    tid = open_ticket(world, "alice", "alice_a", subject="Item broken")["id"]
    escalated = act(world, "alice", tid, "escalate")
    assert escalated.status_code == 201, escalated.text
    dispute = escalated.json()["dispute"]
    assert dispute["status"] == "open"
    assert detail(world, "support", tid)["status"] == "escalated"
    assert_problem(act(world, "alice", tid, "escalate"), 409, "invalid-transition")
    listed = world.api.get("/api/v1/disputes?status=open", headers=world.headers("admin"))
    assert [d["id"] for d in listed.json()["items"]] == [dispute["id"]]
    assert world.api.get("/api/v1/disputes", headers=world.headers("support")).status_code == 403

    resolve = f"/api/v1/disputes/{dispute['id']}/resolve"
    decision = {"decision": "reject", "note": "The photos show wear, not a defect."}
    assert (
        world.api.post(resolve, json=decision, headers=world.headers("support")).status_code == 403
    )
    assert world.api.post(resolve, json=decision, headers=world.headers("alice")).status_code == 403
    bad = world.api.post(resolve, json={"decision": "reject"}, headers=world.headers("admin"))
    assert error_fields(bad) == ["note"]
    too_much = world.api.post(
        resolve,
        json={"decision": "partial_refund", "amount": "10000.00", "note": "Everything and more."},
        headers=world.headers("admin"),
    )
    assert assert_problem(too_much, 409, "refund-exceeds-paid")["reason"] == "refund-exceeds-paid"

    decided = world.api.post(resolve, json=decision, headers=world.headers("admin"))
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "reject" and decided.json()["status"] == "resolved"
    assert_problem(
        world.api.post(resolve, json=decision, headers=world.headers("admin")),
        409,
        "invalid-transition",
    )
    for who in ("alice", "seller_a"):
        seen = detail(world, who, tid)
        assert seen["status"] == "resolved"
        assert seen["dispute"]["decision"] == "reject"
        assert seen["dispute"]["note"] == decision["note"]
        assert any(decision["note"] in m["body"] for m in seen["messages"])
    deliver(engine)
    subject = "The dispute on ticket"
    assert [e.subject.startswith(subject) for e in emails(engine, alice.email)].count(True) == 1
    seller_mail = emails(engine, world.users["seller_a"].email)
    assert [e for e in seller_mail if e.subject.startswith(subject)]
    assert decision["note"] in seller_mail[-1].text_body
    assert any(n.title.startswith(subject) for n in bells(engine, seller_id=world.shop_a.id))
    assert any(n.title.startswith(subject) for n in bells(engine, user_id=alice.id))
    audit = fetch(engine, select(AuditEntry).where(AuditEntry.action == "dispute.resolve"))
    assert len(audit) == 1
    assert (
        world.api.get("/api/v1/disputes?status=open", headers=world.headers("admin")).json()[
            "items"
        ]
        == []
    )


def test_a_partial_refund_decision_is_refunded_through_the_provider_twice(world, engine):
    for round_ in range(2):
        order = world.orders["bob_b"]
        with Session(engine) as s:
            if s.get(SandboxPayment, order.checkout_id) is None:
                s.add(
                    SandboxPayment(
                        checkout_id=order.checkout_id,
                        amount_minor=order.total_minor,
                        currency=order.currency,
                        status="authorized",
                    )
                )
                s.commit()
        tid = open_ticket(world, "bob", "bob_b", subject=f"Scratched lid {round_}")["id"]
        dispute = act(world, "bob", tid, "escalate").json()["dispute"]
        decided = world.api.post(
            f"/api/v1/disputes/{dispute['id']}/resolve",
            json={"decision": "partial_refund", "amount": "1.50", "note": "A small scratch."},
            headers=world.headers("admin"),
        )
        assert decided.status_code == 200, decided.text
        body = decided.json()
        assert (body["decision"], body["amount"], body["currency"]) == (
            "partial_refund",
            "1.50",
            order.currency,
        )
        refunds = world.api.get(
            f"/api/v1/orders/{order.id}/refunds", headers=world.headers("bob")
        ).json()["items"]
        made = next(r for r in refunds if r["id"] == body["refund_id"])
        assert (made["status"], made["amount"], made["rule"]) == (
            "approved",
            "1.50",
            "dispute-decision",
        )
        deliver(engine)
        with Session(engine) as s:
            paid = s.exec(
                select(SandboxRefund).where(SandboxRefund.checkout_id == order.checkout_id)
            ).all()
        assert [r.amount_minor for r in paid] == [150] * (round_ + 1)


def test_the_seller_escalates_too_but_not_staff_nor_a_ticket_without_order(world):
    tid = open_ticket(world, "bob", "bob_a")["id"]
    assert act(world, "support", tid, "escalate").status_code == 403
    assert act(world, "seller_b", tid, "escalate").status_code == 404
    assert act(world, "seller_a", tid, "escalate").status_code == 201
    general = open_ticket(world, "alice")["id"]
    refused = act(world, "alice", general, "escalate")
    assert assert_problem(refused, 409, "refused")["reason"] == "dispute-needs-an-order"


# -- refusals ----------------------------------------------------------------------------


def test_who_may_open_a_ticket_about_which_order(world):
    api = world.api
    for who, order in (("alice", "bob_a"), ("seller_b", "alice_a"), ("bob", "alice_a")):
        body = {"order_id": world.orders[order].id, "subject": "s", "body": "b"}
        assert_problem(api.post(T, json=body, headers=world.headers(who)), 404, "not-found")
    assert api.post(T, json={"subject": "s", "body": "b"}).status_code == 401
    assert open_ticket(world, "seller_a", "bob_a")["status"] == "open"
    assert open_ticket(world, "seller_b")["status"] == "open"  # about no order
    assert open_ticket(world, "support", "bob_b")["status"] == "open"
    low = open_ticket(world, "alice")
    assert low["priority"] == "low" and "about no order" in low["priority_reason"]
    capped = open_ticket(world, "alice", "alice_a", severity="urgent")
    assert capped["priority"] == "high"  # urgent is kept for staff
    assert open_ticket(world, "support", "alice_a", severity="urgent")["priority"] == "urgent"
    bad = api.post(
        T, json={"subject": "", "body": "b", "severity": "meh"}, headers=world.headers("alice")
    )
    assert error_fields(bad) == ["severity"]
    blank = api.post(T, json={"subject": "  ", "body": "b"}, headers=world.headers("alice"))
    assert error_fields(blank) == ["subject"]


def test_tickets_are_scoped_and_staff_actions_refused_to_others(world):
    tid = open_ticket(world, "alice", "alice_a")["id"]
    for who in ("bob", "seller_b"):
        assert world.api.get(f"{T}/{tid}", headers=world.headers(who)).status_code == 404
        assert act(world, who, tid, "messages", body="hi").status_code == 404
        assert [t["id"] for t in world.api.get(T, headers=world.headers(who)).json()["items"]] == []
    for who in ("alice", "seller_a", "support", "admin"):
        assert detail(world, who, tid)["id"] == tid
    for who in ("alice", "seller_a"):
        assert act(world, who, tid, "status", status="resolved").status_code == 403
        assert (
            act(world, who, tid, "assign", assignee_id=world.users["support"].id).status_code == 403
        )
    assert act(world, "alice", tid, "messages", body="x", status="resolved").status_code == 403
    assert act(world, "support", tid, "rating", rating=5).status_code == 403
    assert world.api.get(f"{T}/tkt_nope", headers=world.headers("support")).status_code == 404

    rating = act(world, "alice", tid, "rating", rating=4)
    assert assert_problem(rating, 409, "refused")["reason"] == "rate-after-resolution"
    assert error_fields(act(world, "alice", tid, "rating", rating=6)) == ["rating"]
    escalate = act(world, "support", tid, "status", status="escalated")
    assert assert_problem(escalate, 409, "refused")["reason"] == "escalate-by-dispute"
    assert error_fields(act(world, "support", tid, "status", status="closed")) == ["status"]
    assert error_fields(
        act(world, "support", tid, "assign", assignee_id=world.users["alice"].id)
    ) == ["assignee_id"]
    assigned = act(world, "support", tid, "assign", assignee_id=world.users["support"].id)
    assert (
        assigned.status_code == 200 and assigned.json()["assignee_id"] == world.users["support"].id
    )
    assert act(world, "support", tid, "status", status="resolved").status_code == 200
    moved = act(world, "support", tid, "status", status="waiting_on_customer")
    assert_problem(moved, 409, "invalid-transition")
    general = open_ticket(world, "alice")["id"]
    no_seller = act(world, "support", general, "status", status="waiting_on_seller")
    assert error_fields(no_seller) == ["status"]


def test_a_resolved_ticket_reopens_when_the_customer_writes_within_two_weeks(world, engine):
    tid = open_ticket(world, "alice", "alice_a")["id"]
    act(world, "support", tid, "status", status="resolved")
    assert act(world, "alice", tid, "messages", body="Still broken").status_code == 201
    assert detail(world, "support", tid)["status"] == "open"
    act(world, "support", tid, "status", status="resolved")
    with Session(engine) as s:
        ticket = s.get(Ticket, tid)
        ticket.resolved_at = ticket.resolved_at - timedelta(days=15)
        s.add(ticket)
        s.commit()
    late = act(world, "alice", tid, "messages", body="Again")
    assert assert_problem(late, 409, "refused")["reason"] == "reopen-window-passed"


# -- the queue ---------------------------------------------------------------------------


def test_the_queue_sorts_by_priority_then_sla_due_and_pages_stably(world):
    made = [
        open_ticket(world, "support", "alice_a", severity="low"),  # normal (order status)
        open_ticket(world, "support", None, subject="general"),  # low
        open_ticket(world, "support", "bob_b", severity="urgent"),  # urgent
        open_ticket(world, "support", None, severity="high"),  # high
        open_ticket(world, "support", "bob_a"),  # normal, later: after the first
    ]
    queue = world.api.get(T, headers=world.headers("support")).json()["items"]
    ids = [t["id"] for t in queue]
    expected = sorted(
        made,
        key=lambda t: (["urgent", "high", "normal", "low"].index(t["priority"]), t["sla_due_at"]),
    )
    assert ids == [t["id"] for t in expected]
    assert [t["priority"] for t in queue] == ["urgent", "high", "normal", "normal", "low"]
    paged, cursor = [], None
    while True:
        url = f"{T}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = world.api.get(url, headers=world.headers("support")).json()
        paged += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert paged == ids
    normal = world.api.get(f"{T}?priority=normal", headers=world.headers("support")).json()
    assert [t["id"] for t in normal["items"]] == ids[2:4]
    open_ = world.api.get(f"{T}?status=open,resolved", headers=world.headers("admin")).json()
    assert len(open_["items"]) == 5
    assert error_fields(world.api.get(f"{T}?priority=meh", headers=world.headers("support"))) == [
        "priority"
    ]
    assert error_fields(world.api.get(f"{T}?cursor=zz", headers=world.headers("support"))) == [
        "cursor"
    ]


def test_a_delivery_exception_opens_one_system_ticket_however_many_exception_scans(engine, session):
    from oms_dashboard.carriers.base import Scan, ShipmentStatus
    from tests.integration.test_tracking import AUSTIN, PICKED, at, news, shipped_order

    order_id, shipment_id, number = shipped_order(engine)
    first = Scan(at(25), "DE", "Customer not available or business closed", AUSTIN)
    second = Scan(at(49), "DE", "Business closed again", AUSTIN)
    exception = ShipmentStatus.DELIVERY_EXCEPTION
    for scans in ((PICKED, first), (PICKED, first), (PICKED, first, second)):
        tracking.apply_updates(engine, "fedex", [news(number, exception, *scans)])
    (ticket,) = fetch(engine, select(Ticket).where(Ticket.order_id == order_id))
    assert ticket.dedupe_key == f"shipment:{shipment_id}:exception"
    assert (ticket.source, ticket.priority, ticket.shipment_id) == ("system", "high", shipment_id)
    assert (
        "Customer not available" in ticket.subject
        or "Customer not available"
        in (
            fetch(engine, select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id))[0]
        )
    )
