"""Returns and exchanges: the customer asks, the seller answers and inspects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import RequestBody, Text, Time
from oms_dashboard.api.shipping import SandboxDep
from oms_dashboard.models import Return, Shipment
from oms_dashboard.services import (
    return_inspection,
    return_labels,
    return_photos,
    return_records,
    return_views,
    returns,
)
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["returns"])

ReturnId = Annotated[str, Path(max_length=40)]


class ReturnLineIn(RequestBody):
    sku: Annotated[Text, Field(max_length=64)]
    quantity: Annotated[int, Field(ge=1, le=10000)]


class ReturnIn(RequestBody):
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=100)]
    reason: Annotated[
        Text,
        Field(
            max_length=24,
            description="damaged, wrong_item, missing_item, not_as_described, changed_mind "
            "or other",
        ),
    ]
    resolution: Annotated[Text, Field(max_length=16, description="refund or exchange")]
    exchange_sku: Annotated[Text | None, Field(max_length=64)] = None
    note: Annotated[Text | None, Field(max_length=1000)] = None


class RejectIn(RequestBody):
    reason: Annotated[Text, Field(max_length=1000)]


class ReceiveIn(RequestBody):
    condition: Annotated[Text, Field(max_length=16, description="sellable or damaged")]


class CloseIn(RequestBody):
    note: Annotated[Text | None, Field(max_length=1000)] = None


class ReturnLabelOut(BaseModel):
    carrier: str
    tracking_number: str
    label_url: str | None
    status: str


class ReturnLineOut(BaseModel):
    sku: str
    quantity: int


class ReturnOut(BaseModel):
    id: str
    order_id: str
    seller_id: str
    status: str = Field(
        description="requested, approved, rejected, label_created, in_transit, received, "
        "inspected, refund_due, refunded, exchange_shipped or closed"
    )
    rule: str = Field(description="The rule that made the latest decision (a stable slug)")
    rule_reason: str = Field(description="That decision in words")
    reason: str = Field(description="The customer's reason code")
    resolution: str
    exchange_sku: str | None
    note: str | None
    condition: str | None
    decision_note: str | None
    lines: list[ReturnLineOut]
    label: ReturnLabelOut | None = Field(description="The return label, once bought")
    exchange_shipment: ReturnLabelOut | None
    photos: list[str]
    refund_id: str | None = Field(
        description="The refund of the returned lines (GET /orders/{id}/refunds), once made"
    )
    created_at: Time
    received_at: Time | None


class PhotoOut(BaseModel):
    id: str
    return_id: str
    content_type: str


def _label(shipment: Shipment | None) -> ReturnLabelOut | None:
    if shipment is None:
        return None
    return ReturnLabelOut(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        label_url=shipment.label_url,
        status=shipment.status,
    )


def return_out(view: return_views.ReturnView) -> ReturnOut:
    ret = view.ret
    return ReturnOut(
        id=ret.id,
        order_id=ret.order_id,
        seller_id=ret.seller_id,
        status=ret.status,
        rule=ret.rule,
        rule_reason=ret.rule_reason,
        reason=ret.reason,
        resolution=ret.resolution,
        exchange_sku=ret.exchange_sku,
        note=ret.note,
        condition=ret.condition,
        decision_note=ret.decision_note,
        lines=[ReturnLineOut(sku=line.sku, quantity=line.quantity) for line in view.lines],
        label=_label(view.label),
        exchange_shipment=_label(view.exchange),
        photos=view.photo_ids,
        refund_id=ret.refund_id,
        created_at=ret.created_at,
        received_at=ret.received_at,
    )


def _out(session, return_id: str) -> ReturnOut:
    ret = session.get(Return, return_id)
    return return_out(return_views.return_view(session, ret))


@router.post(
    "/api/v1/orders/{order_id}/returns",
    response_model=ReturnOut,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def post_return(
    order_id: Annotated[str, Path(max_length=40)],
    body: ReturnIn,
    engine: EngineDep,
    session: SessionDep,
    sandbox_transport: SandboxDep,
    actor: Actor = require_role(Role.CUSTOMER),
) -> ReturnOut:
    """Ask to return items of a delivered order (409 `not-returnable`, `reason` naming
    the rule, outside the return window or before delivery). Damaged or wrong items are
    approved at once, with the original carrier's return label; others wait for the
    seller."""
    ret = returns.request_return(
        engine,
        actor=actor,
        order_id=order_id,
        lines=[returns.Asked(line.sku, line.quantity) for line in body.lines],
        reason=body.reason,
        resolution=body.resolution,
        exchange_sku=body.exchange_sku,
        note=body.note,
        sandbox_transport=sandbox_transport,
    )
    return _out(session, ret.id)


@router.get(
    "/api/v1/orders/{order_id}/returns",
    response_model=list[ReturnOut],
    responses=responses(401, 404),
)
def get_order_returns(
    order_id: Annotated[str, Path(max_length=40)], session: SessionDep, actor: ActorDep
) -> list[ReturnOut]:
    """The order's returns, oldest first."""
    views = return_views.order_returns(session, actor=actor, order_id=order_id)
    return [return_out(v) for v in views]


@router.get("/api/v1/returns", response_model=list[ReturnOut], responses=responses(401, 403, 422))
def get_returns(
    session: SessionDep,
    status: Annotated[
        list[Text] | None, Query(description="One or more statuses, comma-separated or repeated")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    actor: Actor = require_role(Role.SELLER, Role.SUPPORT, Role.ADMIN),
) -> list[ReturnOut]:
    """A seller's returns (staff: everyone's), newest first."""
    statuses = [s.strip() for value in status or () for s in value.split(",") if s.strip()]
    views = return_views.list_returns(session, actor=actor, statuses=statuses, limit=limit)
    return [return_out(v) for v in views]


@router.get("/api/v1/returns/{return_id}", response_model=ReturnOut, responses=responses(401, 404))
def get_return(return_id: ReturnId, session: SessionDep, actor: ActorDep) -> ReturnOut:
    ret = return_records.get_return(session, actor=actor, return_id=return_id)
    return return_out(return_views.return_view(session, ret))


@router.post(
    "/api/v1/returns/{return_id}/approve",
    response_model=ReturnOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_approve(
    return_id: ReturnId,
    engine: EngineDep,
    session: SessionDep,
    sandbox_transport: SandboxDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN),
) -> ReturnOut:
    """Approve a requested return: the replacement of an exchange is held, the return
    label bought from the original carrier. Again on an approved return whose label
    the carrier could not sell: tries the label again."""
    returns.approve_return(
        engine, actor=actor, return_id=return_id, sandbox_transport=sandbox_transport
    )
    return _out(session, return_id)


@router.post(
    "/api/v1/returns/{return_id}/reject",
    response_model=ReturnOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_reject(
    return_id: ReturnId,
    body: RejectIn,
    engine: EngineDep,
    session: SessionDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN),
) -> ReturnOut:
    """Refuse a requested return, saying why."""
    returns.reject_return(engine, actor=actor, return_id=return_id, reason=body.reason)
    return _out(session, return_id)


@router.post(
    "/api/v1/returns/{return_id}/receive",
    response_model=ReturnOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_receive(
    return_id: ReturnId,
    body: ReceiveIn,
    engine: EngineDep,
    session: SessionDep,
    sandbox_transport: SandboxDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN),
) -> ReturnOut:
    """The seller's inspection of what came back: sellable items restocked; then
    `refunded` (its refund made, for the seller to approve), the replacement shipped
    (`exchange_shipped`), or `inspected` (the
    replacement still to ship, or damage nobody reported: a person decides)."""
    return_inspection.receive_return(
        engine,
        actor=actor,
        return_id=return_id,
        condition=body.condition,
        sandbox_transport=sandbox_transport,
    )
    return _out(session, return_id)


@router.post(
    "/api/v1/returns/{return_id}/ship-exchange",
    response_model=ReturnOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_ship_exchange(
    return_id: ReturnId,
    engine: EngineDep,
    session: SessionDep,
    sandbox_transport: SandboxDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN),
) -> ReturnOut:
    """Ship an inspected exchange's replacement (or a missing item's) with the original
    carrier: the retry when the label could not be bought at inspection."""
    return_labels.ship_exchange(
        engine, actor=actor, return_id=return_id, sandbox_transport=sandbox_transport
    )
    return _out(session, return_id)


@router.post(
    "/api/v1/returns/{return_id}/close",
    response_model=ReturnOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_close(
    return_id: ReturnId,
    body: CloseIn,
    engine: EngineDep,
    session: SessionDep,
    actor: Actor = require_role(Role.CUSTOMER, Role.SELLER, Role.ADMIN),
) -> ReturnOut:
    """Withdraw (the customer, before sending it) or close a return; a held replacement
    goes back to stock."""
    returns.close_return(engine, actor=actor, return_id=return_id, note=body.note)
    return _out(session, return_id)


@router.post(
    "/api/v1/returns/{return_id}/photos",
    response_model=PhotoOut,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def post_photo(
    return_id: ReturnId,
    session: SessionDep,
    photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 5 MB")],
    actor: Actor = require_role(Role.CUSTOMER),
) -> PhotoOut:
    """Attach a photo to your return (at most 5)."""
    data = photo.file.read(return_photos.MAX_PHOTO_BYTES + 1)
    row = return_photos.add_photo(
        session, actor=actor, return_id=return_id, content_type=photo.content_type, data=data
    )
    return PhotoOut(id=row.id, return_id=row.return_id, content_type=row.content_type)


@router.get(
    "/api/v1/returns/{return_id}/photos/{photo_id}",
    response_class=Response,
    responses=responses(401, 404),
)
def get_photo(
    return_id: ReturnId,
    photo_id: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    actor: ActorDep,
) -> Response:
    photo = return_photos.get_photo(session, actor=actor, return_id=return_id, photo_id=photo_id)
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )
