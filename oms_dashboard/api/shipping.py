"""Shipping: the seller's queue, carrier offers, buying labels, carriers' webhooks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from oms_dashboard.api.checkouts import raw_body
from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Time
from oms_dashboard.domain.fulfillment import Offer, ParcelSize
from oms_dashboard.domain.money import format_minor
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.carrier_events import receive_carrier_event
from oms_dashboard.services.carrier_offers import label_options
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.fulfillment import buy_label, fulfillment_queue
from oms_dashboard.services.receipt import confirm_receipt, report_delivery_problem
from oms_dashboard.services.shipments import label_pdf, labels_bundle, packing_slips

router = APIRouter(tags=["shipping"])


def get_sandbox_transport(request: Request) -> httpx.BaseTransport | None:
    return request.app.state.wiring.sandbox_transport


SandboxDep = Annotated[httpx.BaseTransport | None, Depends(get_sandbox_transport)]
OrderId = Annotated[str, Path(max_length=40)]
OrderIds = Annotated[list[str], Query(alias="order_id", description="Repeat for each order")]
PDF = {200: {"content": {"application/pdf": {}}}}


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


class ParcelIn(BaseModel):
    weight_grams: int = Field(gt=0, le=1_000_000)
    length_mm: int = Field(gt=0, le=10_000)
    width_mm: int = Field(gt=0, le=10_000)
    height_mm: int = Field(gt=0, le=10_000)

    def size(self) -> ParcelSize:
        return ParcelSize(**self.model_dump())


class ShipIn(BaseModel):
    carrier: str = Field(max_length=16, description="fedex, ups, dhl or usps")
    service: str | None = Field(
        default=None,
        max_length=40,
        description="The carrier's service code; by default its offer that best meets "
        "the promised date",
    )
    parcel: ParcelIn | None = Field(
        default=None, description="As measured; by default one box for all items"
    )


class ShippedLabelOut(BaseModel):
    carrier: str
    service: str
    tracking_number: str
    label_url: str | None


class ShippedOut(BaseModel):
    status: str
    shipment: ShippedLabelOut


class OfferOut(BaseModel):
    carrier: str
    service: str
    amount: str
    currency: str
    transit_days: int | None
    arrives: date | None
    meets_promise: bool


class LabelOptionsOut(BaseModel):
    order_id: str
    parcel: ParcelIn | None
    promised_delivery: date | None
    offers: list[OfferOut] = Field(description="Cheapest first")
    preselected: OfferOut | None
    unavailable: dict[str, str] = Field(description="Carrier -> why it offers nothing now")


class QueueRowOut(BaseModel):
    order_id: str
    number: str
    ship_by: Time
    urgency: str = Field(description="on_time, due_soon or late")
    time_left: str
    units: int
    ship_to: str
    cancellation_requested: bool = Field(
        description="the customer asked to cancel and the request waits for an answer: no "
        "label may be bought (409 cancellation-request-pending) until the seller rejects it"
    )
    cancellation_requested_at: Time | None = Field(description="when they asked; null if not")
    cancellation_answer_due: Time | None = Field(
        description="when the seller's answer is due (then support takes it); null if not asked"
    )
    held_for_review: str | None = Field(
        description="why the order is held for an admin's review (duplicate, stock_lost, "
        "payment): no label until it is released; null when it is not held"
    )
    can_ship: bool = Field(
        description="neither held nor asked to cancel: a label may be bought now"
    )


class CarrierEventOut(BaseModel):
    shipments: int
    new_scans: int
    moves: int
    unknown: list[str]


def _offer(offer: Offer, promised: date | None) -> OfferOut:
    return OfferOut(
        carrier=offer.carrier,
        service=offer.service,
        amount=format_minor(offer.amount_minor, offer.currency),
        currency=offer.currency,
        transit_days=offer.transit_days,
        arrives=offer.arrives,
        meets_promise=offer.meets(promised),
    )


@router.get(
    "/api/v1/fulfillment/queue",
    response_model=list[QueueRowOut],
    responses=responses(401, 403),
)
def get_queue(session: SessionDep, actor: Actor = require_role(Role.SELLER, Role.ADMIN)):
    """Orders waiting to ship, the nearest ship-by deadline first."""
    return [
        QueueRowOut(
            order_id=row.order.id,
            number=row.order.number,
            ship_by=row.ship_by,
            urgency=row.urgency.value,
            time_left=row.time_left,
            units=row.units,
            ship_to=f"{row.order.ship_city}, {row.order.ship_country}",
            cancellation_requested=row.cancellation_pending,
            cancellation_requested_at=row.cancellation_requested_at,
            cancellation_answer_due=row.cancellation_due_at,
            held_for_review=row.order.review_reason,
            can_ship=not row.order.review_reason and not row.cancellation_pending,
        )
        for row in fulfillment_queue(session, actor=actor)
    ]


@router.get(
    "/api/v1/orders/{order_id}/label-options",
    response_model=LabelOptionsOut,
    responses=responses(401, 403, 404, 409, 422),
)
def get_label_options(
    order_id: OrderId,
    engine: EngineDep,
    sandbox_transport: SandboxDep,
    weight_grams: Annotated[int | None, Query(gt=0, le=1_000_000)] = None,
    length_mm: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    width_mm: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    height_mm: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    actor: Actor = require_role(Role.SELLER),
):
    """Every usable carrier's offers for the order's parcel (as measured, or one box
    for all items), the preselected one the cheapest arriving by the promised date."""
    given = {
        "weight_grams": weight_grams,
        "length_mm": length_mm,
        "width_mm": width_mm,
        "height_mm": height_mm,
    }
    if any(v is not None for v in given.values()) and None in given.values():
        raise ValidationFailed(
            [
                {"field": name, "message": "give all four measures, or none"}
                for name, value in given.items()
                if value is None
            ]
        )
    options = label_options(
        engine,
        actor=actor,
        order_id=order_id,
        parcel=ParcelSize(**given) if weight_grams is not None else None,
        sandbox_transport=sandbox_transport,
    )
    promised = options.promised
    return LabelOptionsOut(
        order_id=order_id,
        parcel=ParcelIn(**vars(options.parcel)) if options.parcel else None,
        promised_delivery=promised,
        offers=[_offer(offer, promised) for offer in options.offers],
        preselected=_offer(options.preselected, promised) if options.preselected else None,
        unavailable=options.unavailable,
    )


@router.post(
    "/api/v1/orders/{order_id}/ship",
    response_model=ShippedOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_ship(
    order_id: OrderId,
    body: ShipIn,
    engine: EngineDep,
    sandbox_transport: SandboxDep,
    actor: Actor = require_role(Role.SELLER),
):
    """Buy a label and mark the order shipped; only from `processing` (else 409
    `invalid-transition`)."""
    shipment = buy_label(
        engine,
        actor=actor,
        order_id=order_id,
        carrier=body.carrier,
        service=body.service,
        parcel=body.parcel.size() if body.parcel else None,
        sandbox_transport=sandbox_transport,
    )
    return ShippedOut(
        status="shipped",
        shipment=ShippedLabelOut(
            carrier=shipment.carrier,
            service=shipment.service,
            tracking_number=shipment.tracking_number,
            label_url=shipment.label_url,
        ),
    )


@router.get(
    "/api/v1/shipments/{shipment_id}/label.pdf",
    response_class=Response,
    responses=PDF | responses(401, 404),
)
def get_label(
    shipment_id: Annotated[str, Path(max_length=40)], session: SessionDep, actor: ActorDep
):
    """The 4x6 in label PDF the carrier returned."""
    return _pdf(*label_pdf(session, actor=actor, shipment_id=shipment_id))


@router.get(
    "/api/v1/fulfillment/labels.pdf",
    response_class=Response,
    responses=PDF | responses(401, 404, 422),
)
def get_labels(order_ids: OrderIds, session: SessionDep, actor: ActorDep):
    """Every label of these orders in one PDF, in the order given."""
    return _pdf(labels_bundle(session, actor=actor, order_ids=order_ids), "labels.pdf")


@router.get(
    "/api/v1/fulfillment/packing-slips.pdf",
    response_class=Response,
    responses=PDF | responses(401, 403, 404, 422),
)
def get_packing_slips(order_ids: OrderIds, session: SessionDep, actor: ActorDep):
    """One packing slip page per order, in the order given."""
    return _pdf(packing_slips(session, actor=actor, order_ids=order_ids), "packing-slips.pdf")


@router.post(
    "/api/v1/carriers/{carrier}/events",
    response_model=CarrierEventOut,
    responses=responses(401, 422),
)
def post_carrier_event(
    carrier: Annotated[str, Path(max_length=16)],
    engine: EngineDep,
    body: Annotated[bytes, Depends(raw_body)],
    x_oms_signature: Annotated[str | None, Header(alias="X-OMS-Signature")] = None,
):
    """A carrier's tracking webhook in its own JSON, signed (HMAC-SHA256 of the raw body
    with the carrier's webhook secret, header `X-OMS-Signature: sha256=<hex>`).
    Idempotent: the same news twice changes nothing."""
    applied = receive_carrier_event(engine, carrier=carrier, body=body, signature=x_oms_signature)
    return CarrierEventOut(**vars(applied))


class DeliveryProblemIn(BaseModel):
    problem: str = Field(max_length=20, description="not_arrived, damaged or wrong_item")
    note: str = Field(default="", max_length=1000)


@router.post("/api/v1/orders/{order_id}/receipt", responses=responses(401, 403, 404, 409))
def post_receipt(order_id: OrderId, engine: EngineDep, actor: Actor = require_role(Role.CUSTOMER)):
    """The customer confirms the delivered parcel arrived."""
    order = confirm_receipt(engine, actor=actor, order_id=order_id)
    return {"order_id": order.id, "receipt_confirmed_at": order.receipt_confirmed_at}


@router.post(
    "/api/v1/orders/{order_id}/delivery-problem", responses=responses(401, 403, 404, 409, 422)
)
def post_delivery_problem(
    order_id: OrderId,
    body: DeliveryProblemIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.CUSTOMER),
):
    """The customer says the delivery went wrong: the shipment goes to support's
    flagged queue and the seller is told."""
    shipment = report_delivery_problem(
        engine, actor=actor, order_id=order_id, problem=body.problem, note=body.note
    )
    return {"shipment_id": shipment.id, "flag": shipment.flag, "reason": shipment.flagged_reason}
