"""Support tickets and disputes: open, the queue, the thread, assignment, status,
rating, escalation to a dispute and the admin's decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StrictInt

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Money, RequestBody, Text, Time
from oms_dashboard.domain.money import format_minor
from oms_dashboard.models import Dispute, Ticket, TicketMessage
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import ticket_views
from oms_dashboard.services import tickets as service
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed

router = APIRouter(tags=["support"])
TicketId = Annotated[str, Path(max_length=40)]
Severity = Literal["low", "normal", "high", "urgent"]


class TicketIn(RequestBody):
    order_id: Annotated[Text | None, Field(max_length=40)] = None
    shipment_id: Annotated[Text | None, Field(max_length=40)] = None
    return_id: Annotated[Text | None, Field(max_length=40)] = None
    subject: Annotated[Text, Field(max_length=200)]
    body: Annotated[Text, Field(max_length=5000)]
    severity: Severity | None = None


class MessageIn(RequestBody):
    body: Annotated[Text, Field(max_length=5000)]
    status: Annotated[
        Text | None,
        Field(
            max_length=24,
            description="Support and admins only: the status the answer leaves the "
            "ticket in, e.g. waiting_on_customer",
        ),
    ] = None


class AssignIn(RequestBody):
    agent_id: Annotated[
        Text | None, Field(max_length=40, description="The support agent (or admin) to give it to")
    ] = None
    assignee_id: Annotated[
        Text | None, Field(max_length=40, description="Older name of agent_id")
    ] = None


class StatusIn(RequestBody):
    status: Annotated[
        Text,
        Field(max_length=24, description="open, waiting_on_seller, waiting_on_customer, resolved"),
    ]


class RatingIn(RequestBody):
    rating: StrictInt = Field(ge=1, le=5)


class DecisionIn(RequestBody):
    decision: Annotated[Text, Field(max_length=24, description="refund, partial_refund, reject")]
    amount: Money | None = None
    note: Annotated[Text | None, Field(max_length=2000)] = None


class DisputeRef(BaseModel):
    id: str
    status: str


class DisputeOut(DisputeRef):
    ticket_id: str
    order_id: str | None
    opened_role: str
    decision: str | None
    amount: str | None
    currency: str | None
    refund_id: str | None = Field(description="The refund a refund decision started")
    note: str | None
    created_at: Time
    decided_at: Time | None


class EscalatedOut(BaseModel):
    dispute: DisputeRef


class TicketOut(BaseModel):
    id: str
    number: str
    status: str
    priority: str
    priority_reason: str
    sla_due_at: Time
    sla_breached: bool
    subject: str
    severity: str
    source: str
    order_id: str | None
    shipment_id: str | None
    return_id: str | None
    seller_id: str | None
    customer_id: str | None
    assignee_id: str | None
    first_response_at: Time | None
    rating: int | None
    created_at: Time
    updated_at: Time
    resolved_at: Time | None


class MessageOut(BaseModel):
    id: str
    author_role: str
    author: str
    body: str
    at: Time


class TicketDetailOut(TicketOut):
    order_number: str | None
    messages: list[MessageOut]
    dispute: DisputeOut | None


class TicketPageOut(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


class DisputePageOut(BaseModel):
    items: list[DisputeOut]
    next_cursor: str | None


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(s.strip() for value in values or () for s in value.split(",") if s.strip())


@router.post(
    "/api/v1/tickets",
    status_code=201,
    response_model=TicketOut,
    responses=responses(401, 404, 422),
)
def post_ticket(body: TicketIn, engine: EngineDep, actor: ActorDep) -> TicketOut:
    """Customers open tickets about their own orders (or none), sellers about theirs
    (or none), support and admins about any. The priority and its reason are written
    on it; ``sla_due_at`` is the first-response deadline."""
    ticket = service.open_ticket(engine, actor=actor, **body.model_dump())
    return ticket_out(ticket)


@router.get("/api/v1/tickets", response_model=TicketPageOut, responses=responses(401, 422))
def get_tickets(
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[list[Text] | None, Query(description="Comma-separated or repeated")] = None,
    priority: Annotated[list[Text] | None, Query(description="Comma-separated or repeated")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    cursor: Annotated[Text | None, Query(max_length=200)] = None,
) -> TicketPageOut:
    """The queue: most urgent first, then the nearest SLA deadline. Customers see
    their own tickets, sellers those about their orders, support and admins all."""
    page = service.list_tickets(
        session,
        actor=actor,
        statuses=_split(status),
        priorities=_split(priority),
        limit=limit,
        cursor=cursor or None,
    )
    return TicketPageOut(items=[ticket_out(t) for t in page.items], next_cursor=page.next_cursor)


@router.get(
    "/api/v1/tickets/{ticket_id}",
    response_model=TicketDetailOut,
    responses=responses(401, 404, 422),
)
def get_ticket(ticket_id: TicketId, session: SessionDep, actor: ActorDep) -> TicketDetailOut:
    """The ticket with its whole thread and its order, shipment and return ids."""
    detail = service.get_ticket_detail(session, actor=actor, ticket_id=ticket_id)
    return TicketDetailOut(
        **ticket_out(detail.ticket).model_dump(),
        order_number=detail.order_number,
        messages=[message_out(m) for m in detail.messages],
        dispute=dispute_out(detail.dispute) if detail.dispute else None,
    )


@router.post(
    "/api/v1/tickets/{ticket_id}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_message(
    ticket_id: TicketId, body: MessageIn, engine: EngineDep, actor: ActorDep
) -> MessageOut:
    """Write on the thread. A customer or seller the ticket waits on puts it back with
    support; a customer writing on a resolved ticket reopens it (within 14 days)."""
    message = service.add_ticket_message(
        engine, actor=actor, ticket_id=ticket_id, body=body.body, status=body.status
    )
    return message_out(message)


@router.post(
    "/api/v1/tickets/{ticket_id}/assign",
    response_model=TicketOut,
    responses=responses(401, 403, 404, 422),
)
def post_assign(
    ticket_id: TicketId,
    body: AssignIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SUPPORT, Role.ADMIN),
) -> TicketOut:
    """Assign the ticket to a support agent (yourself, or reassign it to another):
    audited, noted on the thread, the new assignee told in the app and by email.
    Someone who is not an active support agent or admin is a 422."""
    field = "assignee_id" if body.agent_id is None and body.assignee_id else "agent_id"
    agent_id = body.agent_id or body.assignee_id
    if not agent_id:
        raise ValidationFailed.one("agent_id", "is required")
    return ticket_out(
        service.assign_ticket(
            engine, actor=actor, ticket_id=ticket_id, assignee_id=agent_id, field=field
        )
    )


@router.post(
    "/api/v1/tickets/{ticket_id}/status",
    response_model=TicketOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_status(
    ticket_id: TicketId,
    body: StatusIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SUPPORT, Role.ADMIN),
) -> TicketOut:
    """Support moves the ticket; waiting_on_seller tells the seller (in-app and
    email), waiting_on_customer and resolved tell the customer."""
    return ticket_out(
        service.set_ticket_status(engine, actor=actor, ticket_id=ticket_id, status=body.status)
    )


@router.post(
    "/api/v1/tickets/{ticket_id}/rating",
    response_model=TicketOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_rating(
    ticket_id: TicketId,
    body: RatingIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.CUSTOMER),
) -> TicketOut:
    """The customer rates how a resolved ticket was handled, 1 to 5, once."""
    return ticket_out(
        service.rate_ticket(engine, actor=actor, ticket_id=ticket_id, rating=body.rating)
    )


@router.post(
    "/api/v1/tickets/{ticket_id}/escalate",
    status_code=201,
    response_model=EscalatedOut,
    responses=responses(401, 403, 404, 409),
)
def post_escalate(ticket_id: TicketId, engine: EngineDep, actor: ActorDep) -> EscalatedOut:
    """The ticket's customer or seller opens a dispute; an admin decides it."""
    dispute = service.escalate_ticket(engine, actor=actor, ticket_id=ticket_id)
    return EscalatedOut(dispute=DisputeRef(id=dispute.id, status=dispute.status))


@router.post(
    "/api/v1/disputes/{dispute_id}/resolve",
    response_model=DisputeOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_resolve(
    dispute_id: Annotated[str, Path(max_length=40)],
    body: DecisionIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.ADMIN),
) -> DisputeOut:
    """The admin's decision, with a note both parties read; the ticket is resolved.
    A refund decision (all that is left, or ``amount``) starts an approved refund, paid
    through the payment provider; more than is left is a 409 ``refund-exceeds-paid``."""
    dispute = service.resolve_dispute(
        engine,
        actor=actor,
        dispute_id=dispute_id,
        decision=body.decision,
        amount=body.amount,
        note=body.note,
    )
    return dispute_out(dispute)


@router.get("/api/v1/disputes", response_model=DisputePageOut, responses=responses(401, 403, 422))
def get_disputes(
    session: SessionDep,
    status: Annotated[Text | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
    cursor: Annotated[Text | None, Query(max_length=200)] = None,
    actor: Actor = require_role(Role.ADMIN),
) -> DisputePageOut:
    """Every dispute, newest first."""
    page = service.list_disputes(
        session, actor=actor, status=status or None, limit=limit, cursor=cursor or None
    )
    return DisputePageOut(items=[dispute_out(d) for d in page.items], next_cursor=page.next_cursor)


def ticket_out(ticket: Ticket) -> TicketOut:
    """``sla_breached``: past the next deadline (resolved: resolved after it); time
    waiting on the customer does not count."""
    breached = ticket_views.is_breached(ticket, utcnow())
    return TicketOut(**ticket.model_dump(exclude={"dedupe_key"}), sla_breached=breached)


def message_out(message: TicketMessage) -> MessageOut:
    return MessageOut(
        id=message.id,
        author_role=message.author_role,
        author=message.author_label,
        body=message.body,
        at=message.created_at,
    )


def dispute_out(dispute: Dispute) -> DisputeOut:
    amount = None
    if dispute.amount_minor is not None and dispute.currency:  # a refund decision
        amount = format_minor(dispute.amount_minor, dispute.currency)
    return DisputeOut(
        **dispute.model_dump(
            include={
                "id",
                "status",
                "ticket_id",
                "order_id",
                "opened_role",
                "decision",
                "note",
                "created_at",
                "decided_at",
                "refund_id",
                "currency",
            }
        ),
        amount=amount,
    )
