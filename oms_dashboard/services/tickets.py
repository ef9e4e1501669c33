"""Support tickets and disputes: opening (by a person, or by the system once per
cause), the thread, assignment, status changes, rating, escalation to a dispute and
the admin's decision. Rules live in ``domain.tickets`` and ``domain.disputes``.

Scope: customers see their own tickets (not the ones the system opens for support),
sellers those about their orders or opened by them, support and admins all; a ticket
outside the caller's scope is a 404, as orders are.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, or_, select

from oms_dashboard.domain import disputes as dispute_rules
from oms_dashboard.domain import tickets as rules
from oms_dashboard.domain.money import MoneyError, parse_amount, to_minor
from oms_dashboard.domain.refunds import RefundCause
from oms_dashboard.domain.tickets import TicketKind, TicketStatus
from oms_dashboard.domain.tracking import ShipmentFlag, carrier_title
from oms_dashboard.ids import new_id, new_ticket_number
from oms_dashboard.models import (
    Dispute,
    Order,
    Return,
    Shipment,
    Ticket,
    TicketMessage,
    User,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, refunds
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.orders import get_order
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import transactional

MAX_PAGE = 100
SYSTEM_SOURCE = "system"


@dataclass
class TicketDetail:
    ticket: Ticket
    messages: list[TicketMessage]
    dispute: Dispute | None
    order_number: str | None


@dataclass
class Page:
    items: list
    next_cursor: str | None


# -- scope -----------------------------------------------------------------------------


def scoped_tickets(actor: Actor) -> sa.Select:
    """Every ticket query starts here."""
    query = select(Ticket)
    if actor.role is Role.CUSTOMER:
        return query.where(
            Ticket.customer_id == (actor.customer_id or "-"), Ticket.source != SYSTEM_SOURCE
        )
    if actor.role is Role.SELLER:
        return query.where(Ticket.seller_id == (actor.seller_id or "-"))
    return query


def get_ticket(session: Session, *, actor: Actor, ticket_id: str, lock: bool = False) -> Ticket:
    """The ticket if the actor may see it (locked when ``lock``); otherwise 404."""
    ticket = session.exec(scoped_tickets(actor).where(Ticket.id == ticket_id)).first()
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id!r}")
    if lock:
        ticket = locks.lock_ticket(session, ticket_id) or ticket
    return ticket


# -- opening ---------------------------------------------------------------------------


@transactional
def open_ticket(
    session: Session,
    *,
    actor: Actor,
    subject: str,
    body: str,
    order_id: str | None = None,
    shipment_id: str | None = None,
    return_id: str | None = None,
    severity: str | None = None,
) -> Ticket:
    """A person opens a ticket: customers about their own orders (or none), sellers
    about theirs (or none), staff about any."""
    subject, body = _required_text(subject, "subject", 200), _required_text(body, "body", 5000)
    if severity is not None and severity not in rules.Priority.__members__.values():
        choices = ", ".join(p.value for p in rules.Priority)
        raise ValidationFailed.one("severity", f"must be one of {choices}")
    order, shipment_id, return_id = _context(session, actor, order_id, shipment_id, return_id)
    if order is None and actor.role is Role.SELLER:
        seller_id, customer_id = actor.seller_id, None
    else:
        seller_id = order.seller_id if order else None
        customer_id = order.customer_id if order else actor.customer_id
    ticket = _new_ticket(
        session,
        kind=TicketKind.QUESTION,
        source=actor.role.value,
        opened_by=actor.user_id,
        subject=subject,
        severity=severity,
        order=order,
        seller_id=seller_id,
        customer_id=customer_id,
        shipment_id=shipment_id,
        return_id=return_id,
    )
    _write(session, ticket, actor, body)
    if order is not None:
        record_event(
            session,
            order,
            "ticket.opened",
            by=By.person(actor),
            note=f"Support ticket {ticket.number} opened: {subject}",
            data={"ticket_id": ticket.id},
        )
    return ticket


def open_system_ticket(
    session: Session,
    *,
    kind: TicketKind,
    dedupe_key: str,
    subject: str,
    body: str,
    order: Order | None,
    shipment_id: str | None = None,
    return_id: str | None = None,
) -> tuple[Ticket, bool]:
    """The system opens a case in the caller's transaction, once per ``dedupe_key``
    however often the cause is noticed; (ticket, whether it is new)."""
    existing = session.exec(select(Ticket).where(Ticket.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing, False
    ticket = _new_ticket(
        session,
        kind=kind,
        source=SYSTEM_SOURCE,
        opened_by=None,
        subject=subject[:200],
        severity=None,
        order=order,
        seller_id=order.seller_id if order else None,
        customer_id=order.customer_id if order else None,
        shipment_id=shipment_id,
        return_id=return_id,
        dedupe_key=dedupe_key,
    )
    _note(session, ticket, body)
    if order is not None:
        record_event(
            session,
            order,
            "ticket.opened",
            by=OMS,
            note=f"Support ticket {ticket.number} opened: {ticket.subject}",
            data={"ticket_id": ticket.id},
        )
    return ticket, True


_FLAG_SUBJECTS = {
    "stuck": "Package stuck",
    "exception": "Delivery exception",
    "reported": "Delivery problem reported by the customer",
}


def open_shipment_ticket(
    session: Session, *, shipment: Shipment, order: Order, flag: str, reason: str
) -> tuple[Ticket, bool]:
    """The case for a shipment flagged for support: one per shipment and flag."""
    flag = ShipmentFlag(flag)
    carrier = carrier_title(shipment.carrier)
    return open_system_ticket(
        session,
        kind=rules.KIND_OF_FLAG[flag],
        dedupe_key=f"shipment:{shipment.id}:{flag.value}",
        subject=f"{_FLAG_SUBJECTS[flag.value]}: {carrier} {shipment.tracking_number}",
        body=f"{reason} (order {order.number}, {carrier} {shipment.tracking_number})",
        order=order,
        shipment_id=shipment.id,
    )


def _context(session, actor, order_id, shipment_id, return_id):
    """The order the ticket is about (scoped: 404 if not the caller's), and the
    shipment or return, which must belong to it."""
    order = get_order(session, actor=actor, order_id=order_id) if order_id else None
    for field, model, row_id in (
        ("shipment_id", Shipment, shipment_id),
        ("return_id", Return, return_id),
    ):
        if not row_id:
            continue
        row = session.get(model, row_id)
        if row is None or (order is not None and row.order_id != order.id):
            raise NotFound(f"no {field.removesuffix('_id')} {row_id!r} on this order")
        order = order or get_order(session, actor=actor, order_id=row.order_id)
    return order, shipment_id or None, return_id or None


def _new_ticket(
    session: Session,
    *,
    kind: TicketKind,
    source: str,
    opened_by: str | None,
    subject: str,
    severity: str | None,
    order: Order | None,
    seller_id: str | None,
    customer_id: str | None,
    shipment_id: str | None,
    return_id: str | None,
    dedupe_key: str | None = None,
) -> Ticket:
    now = utcnow()
    decision = rules.priority(
        rules.TicketFacts(
            kind=kind,
            order_status=order.status if order else None,
            severity=severity,
            opened_by=source,
            prior_tickets_on_order=_count(session, Ticket.order_id == order.id) if order else 0,
            customer_orders=_count_orders(session, customer_id),
        )
    )
    ticket = Ticket(
        id=new_id("tkt"),
        number=new_ticket_number(),
        order_id=order.id if order else None,
        shipment_id=shipment_id,
        return_id=return_id,
        seller_id=seller_id,
        customer_id=customer_id,
        opened_by=opened_by,
        source=source,
        subject=subject,
        severity=severity or decision.priority.value,
        priority=decision.priority.value,
        priority_rank=decision.priority.rank,
        priority_reason=decision.reason[:500],
        status=TicketStatus.OPEN.value,
        sla_due_at=rules.sla_due_at(decision.priority, now),
        dedupe_key=dedupe_key,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    return ticket


def _count(session: Session, *where) -> int:
    return session.exec(select(func.count()).select_from(Ticket).where(*where)).one()


def _count_orders(session: Session, customer_id: str | None) -> int:
    if customer_id is None:
        return 0
    query = select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
    return session.exec(query).one()


# -- the thread ------------------------------------------------------------------------


def _write(session: Session, ticket: Ticket, actor: Actor, body: str) -> TicketMessage:
    message = TicketMessage(
        id=new_id("tmg"),
        ticket_id=ticket.id,
        author_id=actor.user_id,
        author_role=actor.role.value,
        author_label=actor.label[:200],
        body=body,
        created_at=utcnow(),
    )
    session.add(message)
    return message


def _note(session: Session, ticket: Ticket, body: str) -> TicketMessage:
    """A system entry on the thread: a status change, a decision, what was noticed."""
    message = TicketMessage(
        id=new_id("tmg"),
        ticket_id=ticket.id,
        author_role=SYSTEM_SOURCE,
        author_label="OMS",
        body=body[:5000],
        created_at=utcnow(),
    )
    session.add(message)
    return message


@transactional
def add_ticket_message(
    session: Session, *, actor: Actor, ticket_id: str, body: str, status: str | None = None
) -> TicketMessage:
    """A party writes on the thread. A customer or seller the ticket waits on puts it
    back with support (a customer reopens a resolved one within the reopen window);
    staff may name the status their answer leaves it in (``status``), and their
    first answer stops the first-response clock."""
    body = _required_text(body, "body", 5000)
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id, lock=True)
    now = utcnow()
    if status is not None and not actor.is_staff:
        raise Forbidden("only support and admins set a ticket's status")
    if actor.role is Role.CUSTOMER:
        rules.check_customer_message(ticket.status, ticket.resolved_at, now)
    message = _write(session, ticket, actor, body)
    if actor.is_staff and ticket.first_response_at is None:
        ticket.sla_due_at = _first_response_due(ticket)
        ticket.first_response_at = now
    target = (
        _staff_target(ticket, status)
        if status is not None
        else rules.status_after_message(ticket.status, actor.role.value)
    )
    if target != ticket.status:
        _move(session, ticket, target, by=actor, now=now, cause=message.id)
    ticket.updated_at = now
    session.add(ticket)
    return message


# -- assignment, status, rating --------------------------------------------------------


@transactional
def assign_ticket(
    session: Session,
    *,
    actor: Actor,
    ticket_id: str,
    assignee_id: str,
    field: str = "assignee_id",
) -> Ticket:
    """Support takes a ticket or hands it to another agent: audited, a note on the
    thread, and an agent given it by someone else is told (in-app and email).
    ``field`` is what the caller called the agent, for the 422."""
    actor.require(Role.SUPPORT, Role.ADMIN)
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id, lock=True)
    agent = session.get(User, assignee_id)
    if agent is None or not agent.is_active or agent.role not in (Role.SUPPORT, Role.ADMIN):
        raise ValidationFailed.one(field, "must be an active support agent or admin")
    if ticket.assignee_id == agent.id:
        return ticket  # already theirs: nothing to note or tell
    before = snapshot(ticket)
    ticket.assignee_id, ticket.updated_at = agent.id, utcnow()
    session.add(ticket)
    taken = agent.id == actor.user_id
    words = f"Taken by {agent.name}" if taken else f"Assigned to {agent.name} by {actor.label}"
    if before["assignee_id"]:
        words = f"Reassigned to {agent.name} by {actor.label}" if not taken else words
    note = _note(session, ticket, words)
    record_audit(
        session,
        actor=actor,
        action="ticket.assign",
        entity_type="ticket",
        entity_id=ticket.id,
        before={"assignee_id": before["assignee_id"]},
        after={"assignee_id": agent.id},
        order_id=ticket.order_id,
    )
    if not taken:
        add_message(
            session,
            kind=MessageKind.TICKET_UPDATE,
            dedupe_key=f"ticket:{ticket.id}:assigned:assignee:{note.id}",
            payload={
                "ticket_id": ticket.id,
                "to": "assignee",
                "event": "assigned",
                "cause": note.id,
                "assignee_id": agent.id,
                "by": actor.label,
            },
        )
    return ticket


def support_agents(session: Session, *, actor: Actor) -> list[User]:
    """Whom staff may give a ticket to: active support agents and admins, by name."""
    actor.require(Role.SUPPORT, Role.ADMIN)
    query = select(User).where(
        User.is_active.is_(True), User.role.in_([Role.SUPPORT.value, Role.ADMIN.value])
    )
    return list(session.exec(query.order_by(User.role.desc(), User.name, User.id)).all())


@transactional
def set_ticket_status(session: Session, *, actor: Actor, ticket_id: str, status: str) -> Ticket:
    """Staff move a ticket: open (reopen), waiting on the seller (who is told) or the
    customer, resolved. Escalation is the parties' (``escalate_ticket``)."""
    actor.require(Role.SUPPORT, Role.ADMIN)
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id, lock=True)
    target = _staff_target(ticket, status)
    now = utcnow()
    _move(session, ticket, target, by=actor, now=now)
    ticket.updated_at = now
    session.add(ticket)
    return ticket


@transactional
def rate_ticket(session: Session, *, actor: Actor, ticket_id: str, rating: int) -> Ticket:
    actor.require(Role.CUSTOMER)
    if rating not in rules.RATINGS:
        raise ValidationFailed.one("rating", "must be a whole number from 1 to 5")
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id, lock=True)
    rules.check_rating(ticket.status, ticket.rating)
    ticket.rating, ticket.updated_at = rating, utcnow()
    session.add(ticket)
    _note(session, ticket, f"The customer rated how this was handled: {rating} of 5")
    return ticket


def _staff_target(ticket: Ticket, status: str) -> TicketStatus:
    target = rules.check_status_target(_status(status))
    if target is TicketStatus.WAITING_ON_SELLER and ticket.seller_id is None:
        raise ValidationFailed.one("status", "this ticket has no seller to wait on")
    return target


def _status(value: str) -> TicketStatus:
    try:
        return TicketStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in TicketStatus)
        raise ValidationFailed.one("status", f"must be one of {choices}") from None


def _first_response_due(ticket: Ticket) -> datetime:
    """The deadline once staff first answered: the resolution, counted from opening,
    with the time already spent waiting on the customer kept off the clock."""
    unanswered = rules.sla_due_at(ticket.priority, ticket.created_at)
    paused = max(ticket.sla_due_at - unanswered, timedelta(0))
    return rules.sla_due_at(ticket.priority, ticket.created_at, responded=True, paused=paused)


def _move(
    session: Session,
    ticket: Ticket,
    target: TicketStatus,
    *,
    by: Actor | None,
    now: datetime,
    cause: str | None = None,
    event: str | None = None,
) -> None:
    """One status change, checked against ``domain.tickets.TICKET``: the SLA clock
    paused or restarted, the change written on the thread, the parties told."""
    current = TicketStatus(ticket.status)
    rules.TICKET.check(current, target)
    if current in rules.SLA_PAUSED and ticket.waiting_since is not None:
        ticket.sla_due_at += max(now - ticket.waiting_since, timedelta(0))
        ticket.waiting_since = None
    if target in rules.SLA_PAUSED:
        ticket.waiting_since = now
    ticket.status = target.value
    if target is TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif current is TicketStatus.RESOLVED:
        ticket.resolved_at = None
    who = by.label if by else "OMS"
    note = _note(session, ticket, f"Status: {_LABELS[target]} ({who})")
    for party in sorted(rules.notify_on(target)):
        _tell(session, ticket, party, event or target.value, cause or note.id)


_LABELS = {
    TicketStatus.OPEN: "open",
    TicketStatus.WAITING_ON_SELLER: "waiting on the seller",
    TicketStatus.WAITING_ON_CUSTOMER: "waiting on the customer",
    TicketStatus.ESCALATED: "escalated to a dispute",
    TicketStatus.RESOLVED: "resolved",
}


def _tell(session: Session, ticket: Ticket, party: str, event: str, cause: str) -> None:
    """Queue the party's notice (in-app and email) through the outbox."""
    if party == "seller" and ticket.seller_id is None:
        return
    if party == "customer" and (ticket.customer_id is None or ticket.source == SYSTEM_SOURCE):
        return
    add_message(
        session,
        kind=MessageKind.TICKET_UPDATE,
        dedupe_key=f"ticket:{ticket.id}:{event}:{party}:{cause}",
        payload={"ticket_id": ticket.id, "to": party, "event": event, "cause": cause},
    )


# -- reading ---------------------------------------------------------------------------


def get_ticket_detail(session: Session, *, actor: Actor, ticket_id: str) -> TicketDetail:
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id)
    messages = session.exec(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.created_at, TicketMessage.id)
    ).all()
    dispute = session.exec(select(Dispute).where(Dispute.ticket_id == ticket.id)).first()
    order = session.get(Order, ticket.order_id) if ticket.order_id else None
    return TicketDetail(ticket, list(messages), dispute, order.number if order else None)


def list_tickets(
    session: Session,
    *,
    actor: Actor,
    statuses: tuple[str, ...] = (),
    priorities: tuple[str, ...] = (),
    assignee_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The queue: most urgent first, then the nearest SLA deadline; keyset-paged.
    ``assignee_id`` keeps the tickets assigned to that agent."""
    _limit(limit)
    query = scoped_tickets(actor)
    if assignee_id:
        query = query.where(Ticket.assignee_id == assignee_id)
    if statuses:
        _known("status", statuses, TicketStatus)
        query = query.where(Ticket.status.in_(statuses))
    if priorities:
        _known("priority", priorities, rules.Priority)
        query = query.where(Ticket.priority.in_(priorities))
    if cursor:
        rank, due, last_id = _decode(cursor)
        query = query.where(
            or_(
                Ticket.priority_rank > int(rank),
                sa.and_(Ticket.priority_rank == int(rank), Ticket.sla_due_at > due),
                sa.and_(
                    Ticket.priority_rank == int(rank),
                    Ticket.sla_due_at == due,
                    Ticket.id > last_id,
                ),
            )
        )
    query = query.order_by(Ticket.priority_rank, Ticket.sla_due_at, Ticket.id).limit(limit + 1)
    rows = list(session.exec(query).all())
    more, rows = len(rows) > limit, rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = _encode(last.priority_rank, last.sla_due_at, last.id) if more and last else None
    return Page(rows, next_cursor)


def list_disputes(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Admins' list of disputes, newest first."""
    actor.require(Role.ADMIN)
    _limit(limit)
    query = select(Dispute)
    if status:
        _known("status", (status,), dispute_rules.DisputeStatus)
        query = query.where(Dispute.status == status)
    if cursor:
        query = query.where(Dispute.id < _decode(cursor)[0])
    rows = list(session.exec(query.order_by(Dispute.id.desc()).limit(limit + 1)).all())
    more, rows = len(rows) > limit, rows[:limit]
    return Page(rows, _encode(rows[-1].id) if more else None)


def _limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_PAGE}")


def _known(field: str, values: tuple[str, ...], enum) -> None:
    unknown = [v for v in values if v not in enum.__members__.values()]
    if unknown:
        choices = ", ".join(e.value for e in enum)
        raise ValidationFailed.one(field, f"unknown {field} {unknown[0]!r}; use one of {choices}")


def _encode(*parts) -> str:
    raw = "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded).decode().split("|")
        if len(parts) == 3:
            parts[0], parts[1] = int(parts[0]), datetime.fromisoformat(parts[1])
            if parts[1].tzinfo is None:
                raise ValueError
        return parts
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise ValidationFailed.one("cursor", "is not a cursor this API handed out") from None


# -- disputes --------------------------------------------------------------------------


@transactional
def escalate_ticket(session: Session, *, actor: Actor, ticket_id: str) -> Dispute:
    """The customer or seller of a ticket about an order escalates it to a dispute."""
    if actor.role not in (Role.CUSTOMER, Role.SELLER):
        get_ticket(session, actor=actor, ticket_id=ticket_id)  # 404 first if it is not there
        raise Forbidden("only the ticket's customer or seller escalates it to a dispute")
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id)
    rules.check_escalation(has_order=ticket.order_id is not None)
    if ticket.order_id:
        locks.lock_orders(session, ids=[ticket.order_id])
    ticket = locks.lock_ticket(session, ticket.id) or ticket
    now = utcnow()
    dispute = Dispute(
        id=new_id("dsp"),
        ticket_id=ticket.id,
        order_id=ticket.order_id,
        opened_by=actor.user_id or "",
        opened_role=actor.role.value,
        status=dispute_rules.DisputeStatus.OPEN.value,
        created_at=now,
    )
    _move(session, ticket, TicketStatus.ESCALATED, by=actor, now=now, cause=dispute.id)
    ticket.updated_at = now
    session.add(ticket)
    session.add(dispute)
    order = session.get(Order, ticket.order_id)
    record_event(
        session,
        order,
        "dispute.opened",
        by=By.person(actor),
        note=f"Ticket {ticket.number} escalated to a dispute by the {actor.role.value}",
        data={"ticket_id": ticket.id, "dispute_id": dispute.id},
    )
    return dispute


@transactional
def resolve_dispute(
    session: Session,
    *,
    actor: Actor,
    dispute_id: str,
    decision: str,
    note: str | None,
    amount: str | None = None,
) -> Dispute:
    """An admin decides: the decision and note on the dispute and the ticket's thread,
    the ticket resolved, both parties told; a refund decision starts the refund
    (approved by the rule ``dispute-decision``, paid through the provider)."""
    actor.require(Role.ADMIN)
    found = session.get(Dispute, dispute_id)
    if found is None:
        raise NotFound(f"no dispute {dispute_id!r}")
    order = locks.lock_orders(session, ids=[found.order_id])[0] if found.order_id else None
    amount_minor = _amount(amount, order)
    errors = dispute_rules.resolution_errors(
        decision=decision, amount_minor=amount_minor, note=note
    )
    if errors:
        raise ValidationFailed(errors)
    ticket = locks.lock_ticket(session, found.ticket_id)
    dispute = session.exec(
        select(Dispute).where(Dispute.id == dispute_id).execution_options(populate_existing=True)
    ).one()
    dispute_rules.DISPUTE.check(dispute.status, dispute_rules.DisputeStatus.RESOLVED)
    left = refunds.refundable_left(session, order) if order is not None else 0
    resolution = dispute_rules.resolve(
        decision=decision, amount_minor=amount_minor, note=note or "", left_minor=left
    )
    if resolution.refund_minor:
        # the order's row lock is held (taken above), as start_refund needs
        refund = refunds.start_refund(
            session,
            order,
            cause=RefundCause.DISPUTE_DECISION,
            reason=f"Dispute {dispute.id}: {resolution.note}",
            actor=actor,
            amount_minor=resolution.refund_minor,
        )
        refund.dispute_id, dispute.refund_id = dispute.id, refund.id
        dispute.currency = order.currency
    now = utcnow()
    before = snapshot(dispute)
    dispute.status = dispute_rules.DisputeStatus.RESOLVED.value
    dispute.decision = resolution.decision.value
    dispute.amount_minor = resolution.refund_minor or None
    dispute.note = resolution.note[:2000]
    dispute.decided_by, dispute.decided_at = actor.user_id, now
    session.add(dispute)
    _write(
        session,
        ticket,
        actor,
        f"Dispute decision: {_DECISIONS[resolution.decision]}.\n\n{resolution.note}",
    )
    _move(
        session,
        ticket,
        TicketStatus.RESOLVED,
        by=actor,
        now=now,
        cause=dispute.id,
        event="dispute_resolved",
    )
    if "seller" not in rules.notify_on(TicketStatus.RESOLVED):
        _tell(session, ticket, "seller", "dispute_resolved", dispute.id)
    ticket.updated_at = now
    session.add(ticket)
    record_audit(
        session,
        actor=actor,
        action="dispute.resolve",
        entity_type="dispute",
        entity_id=dispute.id,
        before={"status": before["status"]},
        after={"status": dispute.status, "decision": dispute.decision, "note": dispute.note},
        order_id=dispute.order_id,
    )
    if order is not None:
        record_event(
            session,
            order,
            "dispute.resolved",
            by=By.person(actor),
            note=f"Dispute decided: {_DECISIONS[resolution.decision]}. {resolution.note}",
            data={"dispute_id": dispute.id, "decision": dispute.decision},
        )
    return dispute


_DECISIONS = {
    dispute_rules.DisputeDecision.REFUND: "refund in full",
    dispute_rules.DisputeDecision.PARTIAL_REFUND: "partial refund",
    dispute_rules.DisputeDecision.REJECT: "rejected, no refund",
}


def _amount(amount: str | None, order: Order | None) -> int | None:
    if amount is None:
        return None
    currency = order.currency if order else "USD"
    try:
        return to_minor(parse_amount(amount, currency), currency)
    except (MoneyError, ValueError, ArithmeticError) as exc:
        raise ValidationFailed.one("amount", 'must be a decimal string such as "12.50"') from exc


def _required_text(value: str | None, field: str, most: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed.one(field, "is required")
    if len(text) > most:
        raise ValidationFailed.one(field, f"at most {most} characters")
    return text
