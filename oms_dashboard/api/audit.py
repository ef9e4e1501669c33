"""The audit log, read by admins: append-only, hash-chained rows, newest first.

``order_id`` matches the privileged actions on that order: rows whose entity is
the order and rows whose target belongs to it (its refunds, returns,
cancellation requests, tickets, disputes). The order's own timeline (status
changes, payments, scans: ``order_events``) is not audit rows; it is on the
order itself (``GET /orders/{id}``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import (
    MAX_PAGE,
    AuditFilter,
    AuditRow,
    decode_cursor,
    list_audit,
)
from oms_dashboard.services.errors import ValidationFailed

router = APIRouter(tags=["audit"])


class AuditActorOut(BaseModel):
    id: str | None = Field(description="The user; null for the system itself")
    role: str
    name: str | None


class AuditTargetOut(BaseModel):
    type: str = Field(description="What was acted on: order, refund, policy, user, ...")
    id: str
    order_id: str | None = Field(description="The order it concerns, if any")
    order_number: str | None


class AuditRowOut(BaseModel):
    id: str
    seq: int = Field(description="Position in the chain (1, 2, 3, ...)")
    at: datetime
    actor: AuditActorOut
    action: str
    target: AuditTargetOut
    before: dict[str, Any] | None = Field(description="The changed fields as they were")
    after: dict[str, Any] | None = Field(description="The changed fields as they became")
    prev_hash: str
    hash: str = Field(description="SHA-256 over the row's content and prev_hash")


class AuditPageOut(BaseModel):
    items: list[AuditRowOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


@router.get("/api/v1/audit", response_model=AuditPageOut, responses=responses(401, 403, 422))
def get_audit(
    session: SessionDep,
    actor: Actor = require_role(Role.ADMIN),
    actor_id: Annotated[Text | None, Query(max_length=40)] = None,
    action: Annotated[Text | None, Query(max_length=60)] = None,
    order_id: Annotated[Text | None, Query(max_length=40)] = None,
    at_from: Annotated[
        datetime | None,
        Query(alias="from", description="Inclusive; ISO 8601, UTC if no offset"),
    ] = None,
    at_to: Annotated[
        datetime | None, Query(alias="to", description="Exclusive; ISO 8601, UTC if no offset")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[Text | None, Query(max_length=64)] = None,
) -> AuditPageOut:
    """Newest first (chain order); admins only."""
    filters = AuditFilter(
        actor_id=actor_id or None,
        action=action or None,
        order_id=order_id or None,
        at_from=_utc(at_from, "from"),
        at_to=_utc(at_to, "to"),
    )
    if filters.at_from and filters.at_to and filters.at_from > filters.at_to:
        raise ValidationFailed.one("to", "must not be before from")
    if cursor:
        decode_cursor(cursor)
    page = list_audit(session, actor=actor, filters=filters, limit=limit, cursor=cursor or None)
    return AuditPageOut(
        items=[audit_row_out(row) for row in page.items], next_cursor=page.next_cursor
    )


def audit_row_out(row: AuditRow) -> AuditRowOut:
    e = row.entry
    return AuditRowOut(
        id=e.id,
        seq=e.seq,
        at=e.at,
        actor=AuditActorOut(id=e.actor_id, role=e.actor_role, name=row.actor_name),
        action=e.action,
        target=AuditTargetOut(
            type=e.entity_type, id=e.entity_id, order_id=e.order_id, order_number=row.order_number
        ),
        before=e.before,
        after=e.after,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def _utc(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.one(field, "is out of range") from None
