"""The customer and the seller writing to each other about an order."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import ActorDep, EngineDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import RequestBody, Text
from oms_dashboard.models import OrderMessage
from oms_dashboard.services import order_messages
from oms_dashboard.services.orders import MAX_PAGE

router = APIRouter(tags=["order messages"])
OrderId = Annotated[Text, Path(max_length=64)]


class MessageIn(RequestBody):
    body: Annotated[Text, Field(max_length=50_000, description="1 to 5000 characters once trimmed")]


class MessageOut(BaseModel):
    id: str
    order_id: str
    author_role: str = Field(description="customer or seller")
    author: str
    body: str
    created_at: datetime
    read_at: datetime | None = Field(description="When the other party first listed it")


class MessagePageOut(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


def message_out(message: OrderMessage, author: str) -> MessageOut:
    return MessageOut(
        id=message.id,
        order_id=message.order_id,
        author_role=message.author_role,
        author=author,
        body=message.body,
        created_at=message.created_at,
        read_at=message.read_at,
    )


@router.get(
    "/api/v1/orders/{order_id}/messages",
    response_model=MessagePageOut,
    responses=responses(401, 403, 404, 422),
)
def get_messages(
    order_id: OrderId,
    engine: EngineDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[Text | None, Query(max_length=64)] = None,
) -> MessagePageOut:
    """The order's thread, oldest first; the caller's reading marks the other party's
    messages read (support and admins read without marking)."""
    page = order_messages.list_messages(
        engine, actor=actor, order_id=order_id, limit=limit, cursor=cursor or None
    )
    return MessagePageOut(
        items=[message_out(m, page.authors.get(m.author_id, m.author_role)) for m in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/api/v1/orders/{order_id}/messages",
    response_model=MessageOut,
    status_code=201,
    responses=responses(401, 403, 404, 422),
)
def post_message(
    order_id: OrderId, body: MessageIn, engine: EngineDep, actor: ActorDep
) -> MessageOut:
    """The customer (own order) or the owning seller writes; the other party is told
    in-app, and the seller's staff by email as well."""
    message = order_messages.post_message(engine, actor=actor, order_id=order_id, body=body.body)
    return message_out(message, actor.name)
