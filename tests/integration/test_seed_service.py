"""The demo's customer service: reviews, messages, tickets, refunds, returns,
cancellation requests and disputes, as the services and their rules would have
left them on the demo's orders.

Seeded once per backend for the module; the tests only read.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from oms_dashboard.demo.seed import build_demo_rows, seed_demo
from oms_dashboard.demo.service import TABLES_BUILT
from oms_dashboard.domain import tickets as ticket_rules
from oms_dashboard.domain.kpis import KpiKey
from oms_dashboard.domain.refunds import CANCELLATION_REFUND_HOURS, ON_ITS_WAY, RefundStatus
from oms_dashboard.domain.returns import DEFAULT_RETURN_WINDOW_DAYS
from oms_dashboard.models import (
    CancellationRequest,
    Dispute,
    Order,
    OrderEvent,
    OrderLine,
    OrderMessage,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Review,
    Shipment,
    Ticket,
    TicketMessage,
)
from oms_dashboard.services import kpis
from oms_dashboard.services.actor import Actor, Role
from tests.conftest import empty_all_tables

NOW = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(engine):
    with Session(engine) as session:
        seed_demo(session, now=NOW)
        session.commit()
    yield engine
    empty_all_tables(engine)


@pytest.fixture
def db(seeded):
    with Session(seeded, expire_on_commit=False) as session:
        yield session


def rows(db, model):
    return db.exec(select(model)).all()


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; compare in UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def test_every_kind_of_case_is_there_in_believable_numbers(db):
    orders = rows(db, Order)
    delivered = [o for o in orders if o.status == "delivered"]
    customer_tickets = [t for t in rows(db, Ticket) if t.source == "customer"]
    messaged = {m.order_id for m in rows(db, OrderMessage)}
    returns = rows(db, Return)
    assert 0.025 <= len({t.order_id for t in customer_tickets}) / len(orders) <= 0.07
    assert 0.05 <= len(messaged) / len(orders) <= 0.11
    assert 0.025 <= len(returns) / len(delivered) <= 0.06
    reviewed = Counter((r.order_id, r.sku) for r in rows(db, Review))
    products = sum(1 for line in rows(db, OrderLine) if line.order_id in {o.id for o in delivered})
    assert 0.25 <= len(reviewed) / products <= 0.40
    ratings = Counter(r.rating for r in rows(db, Review))
    assert ratings[5] + ratings[4] > 0.75 * sum(ratings.values()) and ratings[1] > 0
    tickets = Counter(t.status for t in rows(db, Ticket))
    assert set(tickets) == {s.value for s in ticket_rules.TicketStatus}
    assert tickets["resolved"] > sum(tickets.values()) / 2
    assert {t.source for t in rows(db, Ticket)} == {"customer", "system"}
    refunds = Counter(r.status for r in rows(db, Refund))
    assert refunds["paid"] > 100
    assert 1 <= refunds["failed"] <= 2 and refunds["pending_review"] >= 2
    assert {"requested", "rejected", "inspected", "refunded", "closed"} <= {
        r.status for r in returns
    }
    assert any(r.resolution == "exchange" for r in returns)
    assert {"damaged", "wrong_item", "changed_mind"} <= {r.reason for r in returns}
    requests = Counter(r.status for r in rows(db, CancellationRequest))
    assert requests["pending"] >= 2 and requests["approved"] > 10 and requests["rejected"] >= 2
    disputes = Counter((d.status, d.decision) for d in rows(db, Dispute))
    assert disputes[("open", None)] == 1 and len(disputes) == 3
    assert {"partial_refund", "reject"} <= {d.decision for d in rows(db, Dispute)}


def test_no_refund_takes_an_order_past_what_was_paid(db):
    orders = {o.id: o for o in rows(db, Order)}
    bought = {line.id: line for line in rows(db, OrderLine)}
    lines = defaultdict(list)
    for line in rows(db, RefundLine):
        lines[line.refund_id].append(line)
    taken, units = defaultdict(int), defaultdict(int)
    for refund in rows(db, Refund):
        order = orders[refund.order_id]
        assert order.paid_at is not None
        assert refund.currency == order.currency and refund.seller_id == order.seller_id
        assert refund.amount_minor > 0 and refund.shipping_minor <= order.shipping_minor
        if refund.status != RefundStatus.REJECTED:
            taken[order.id] += refund.amount_minor
        for line in lines[refund.id]:
            assert line.amount_minor == line.quantity * bought[line.order_line_id].unit_price_minor
            units[line.order_line_id] += line.quantity
        if lines[refund.id]:
            assert refund.amount_minor == sum(x.amount_minor for x in lines[refund.id]) + (
                refund.shipping_minor
            )
        assert (refund.paid_at is not None) == (refund.status == RefundStatus.PAID)
        assert utc(refund.paid_at or NOW) <= NOW
    for order_id, amount in taken.items():
        assert amount <= orders[order_id].total_minor
    for line_id, quantity in units.items():
        assert quantity <= bought[line_id].quantity


def test_orders_cancelled_after_payment_are_refunded_in_full_within_a_day(db):
    refunds = defaultdict(list)
    for refund in rows(db, Refund):
        refunds[refund.order_id].append(refund)
    cancelled = [o for o in rows(db, Order) if o.status == "cancelled" and o.paid_at]
    assert len(cancelled) > 20
    for order in cancelled:
        (refund,) = refunds[order.id]
        assert refund.amount_minor == order.total_minor
        assert refund.requested_role == "system" and refund.status in ("paid", "approved")
        assert utc(refund.due_at) == utc(refund.created_at) + timedelta(
            hours=CANCELLATION_REFUND_HOURS
        )
        assert utc(refund.created_at) >= utc(order.cancelled_at)
        if refund.paid_at:
            assert utc(refund.paid_at) <= utc(refund.due_at)
    overdue = [
        r
        for r in rows(db, Refund)
        if r.status in ON_ITS_WAY and r.due_at is not None and utc(r.due_at) < NOW
    ]
    assert 1 <= len(overdue) <= 4


def test_returns_only_on_delivered_orders_within_the_window(db):
    orders = {o.id: o for o in rows(db, Order)}
    bought = {line.id: line for line in rows(db, OrderLine)}
    refunds = {r.id: r for r in rows(db, Refund)}
    lines = defaultdict(list)
    for line in rows(db, ReturnLine):
        lines[line.return_id].append(line)
    for ret in rows(db, Return):
        order = orders[ret.order_id]
        assert order.status == "delivered" and ret.customer_id == order.customer_id
        window = timedelta(days=DEFAULT_RETURN_WINDOW_DAYS)
        assert utc(order.delivered_at) < utc(ret.created_at) <= utc(order.delivered_at) + window
        assert lines[ret.id]
        for line in lines[ret.id]:
            assert bought[line.order_line_id].order_id == order.id
            assert bought[line.order_line_id].kind != "digital"
        if ret.status == "refunded":
            refund = refunds[ret.refund_id]
            assert refund.return_id == ret.id and refund.rule == "return-after-delivery"
        if ret.received_at:
            assert utc(ret.received_at) <= NOW


def test_reviews_only_after_delivery_once_per_customer_and_product(db):
    orders = {o.id: o for o in rows(db, Order)}
    seen = set()
    for review in rows(db, Review):
        order = orders[review.order_id]
        assert order.status == "delivered"
        assert utc(order.delivered_at) < utc(review.created_at) <= NOW
        assert review.customer_id == order.customer_id and review.seller_id == order.seller_id
        assert (review.customer_id, review.sku) not in seen
        seen.add((review.customer_id, review.sku))
        if review.rating <= 3:
            assert review.body


def test_ticket_priorities_are_what_the_rules_give_when_they_were_opened(db):
    orders = {o.id: o for o in rows(db, Order)}
    timelines = defaultdict(list)
    for event in db.exec(select(OrderEvent).order_by(OrderEvent.at, OrderEvent.id)).all():
        timelines[event.order_id].append(event)
    placed = defaultdict(list)
    for order in orders.values():
        placed[order.customer_id].append(utc(order.placed_at))
    for times in placed.values():
        times.sort()
    flagged = {s.id: s for s in rows(db, Shipment) if s.flag}
    tickets = sorted(rows(db, Ticket), key=lambda t: (utc(t.created_at), t.id))
    earlier = defaultdict(int)
    for ticket in tickets:
        opened = utc(ticket.created_at)
        order = orders[ticket.order_id]
        status = [e.to_status for e in timelines[order.id] if e.to_status and utc(e.at) <= opened]
        kind = (
            ticket_rules.KIND_OF_FLAG[flagged[ticket.shipment_id].flag]
            if ticket.source == "system"
            else ticket_rules.TicketKind.QUESTION
        )
        decisions = {
            # The ticket keeps the severity asked for, or else its priority: try both.
            ticket_rules.priority(
                ticket_rules.TicketFacts(
                    kind=kind,
                    order_status=status[-1],
                    severity=asked,
                    opened_by=ticket.source,
                    prior_tickets_on_order=earlier[order.id],
                    customer_orders=bisect.bisect_right(placed[order.customer_id], opened),
                )
            )
            for asked in (None, ticket.severity)
        }
        assert (ticket.priority, ticket.priority_rank, ticket.priority_reason) in {
            (d.priority.value, d.priority.rank, d.reason) for d in decisions
        }, ticket.number
        earlier[order.id] += 1
        responded = ticket.first_response_at is not None
        if not responded:
            assert utc(ticket.sla_due_at) == ticket_rules.sla_due_at(ticket.priority, opened)
        assert (ticket.resolved_at is not None) == (ticket.status == "resolved")
        assert ticket.rating is None or ticket.status == "resolved"
        if ticket.source == "system":
            flag = flagged[ticket.shipment_id].flag
            assert ticket.dedupe_key == f"shipment:{ticket.shipment_id}:{flag}"
    open_breached = [
        t
        for t in tickets
        if t.status != "resolved" and ticket_rules.sla_breached(utc(t.sla_due_at), NOW)
    ]
    assert 1 <= len(open_breached) < len([t for t in tickets if t.status != "resolved"])


def test_every_ticket_has_a_thread_and_order_messages_alternate_parties(db):
    thread = Counter(m.ticket_id for m in rows(db, TicketMessage))
    for ticket in rows(db, Ticket):
        assert 1 <= thread[ticket.id] <= 6, ticket.number
        if ticket.source == "customer" and ticket.status == "resolved":
            assert thread[ticket.id] >= 3
    messages = defaultdict(list)
    for message in db.exec(select(OrderMessage).order_by(OrderMessage.created_at)).all():
        messages[message.order_id].append(message)
    answered = []
    for thread_ in messages.values():
        assert thread_[0].author_role == "customer"
        if len(thread_) > 1:
            assert thread_[1].author_role == "seller"
            answered.append(utc(thread_[1].created_at) - utc(thread_[0].created_at))
    answered.sort()
    assert answered[len(answered) // 2] < timedelta(hours=8)
    assert answered[-1] > timedelta(hours=24)


def test_the_kpi_page_has_every_number_on_the_demo(db):
    admin = Actor(user_id=None, role=Role.ADMIN, name="Admin")
    filters = kpis.kpi_filters(actor=admin, today=NOW.date())
    report = kpis.kpi_report(db, actor=admin, filters=filters, now=NOW)
    assert report.value(KpiKey.SATISFACTION) is not None
    assert report.value(KpiKey.AVG_REFUND_HOURS) is not None
    assert report.value(KpiKey.ACCURACY_RATE) < 100
    assert not report.tickets.empty and not report.refund_reasons.empty


def test_the_same_seed_and_clock_give_the_same_customer_service():
    def build():
        built = build_demo_rows(now=NOW, seed=11, password_hash="x")
        return {name: built[name] for name in TABLES_BUILT}

    first, second = build(), build()
    assert first == second
    assert all(first[name] for name in TABLES_BUILT)
