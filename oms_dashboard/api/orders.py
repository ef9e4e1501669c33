"""Reading orders: lists and details, always within the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlmodel import select

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import (
    EventOut,
    LineOut,
    OrderDetailOut,
    OrderPageOut,
    ScanLocationOut,
    ScanOut,
    ShipmentOut,
    Text,
)
from oms_dashboard.documents.order_export import FORMATS, export_chunks, export_file
from oms_dashboard.domain.money import format_minor
from oms_dashboard.models import Order, Shipment, ShipmentScan
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.order_search import (
    SEARCH_FIELDS,
    apply_filters,
    parse_flagged,
    search_orders,
)
from oms_dashboard.services.orders import (
    MAX_PAGE,
    OrderDetail,
    OrderFilter,
    decode_cursor,
    get_order_detail,
)

router = APIRouter(tags=["orders"])


async def order_filters(
    status: Annotated[
        list[Text] | None,
        Query(description="One or more statuses, comma-separated or repeated"),
    ] = None,
    seller_id: Annotated[Text | None, Query(max_length=40)] = None,
    q: Annotated[
        Text | None,
        Query(
            max_length=200,
            description="Order id or number, customer email or name, sku, product title, "
            "tracking number; 3+ characters unless an exact order id or number",
        ),
    ] = None,
    search_in: Annotated[
        Text,
        Query(description=f"Where to look for `q`: {', '.join(SEARCH_FIELDS)}"),
    ] = "any",
    carrier: Annotated[Text | None, Query(max_length=16)] = None,
    country: Annotated[Text | None, Query(max_length=2, description="Delivery country")] = None,
    flagged: Annotated[
        Text | None, Query(description="true: a shipment is flagged for support; false: none")
    ] = None,
    placed_from: Annotated[
        datetime | None, Query(description="Inclusive; ISO 8601, UTC if no offset")
    ] = None,
    placed_to: Annotated[
        datetime | None, Query(description="Exclusive; ISO 8601, UTC if no offset")
    ] = None,
) -> OrderFilter:
    """The list's filters, shared by the list and its exports. ``async``: it does no
    I/O, and a sync dependency costs a thread hop per request."""
    filters = OrderFilter(
        statuses=tuple(s.strip() for value in status or () for s in value.split(",") if s.strip()),
        seller_id=seller_id,
        q=q,
        search_in=search_in,
        carrier=carrier or None,
        country=country or None,
        flagged=parse_flagged(flagged),
        placed_from=_utc(placed_from, "placed_from"),
        placed_to=_utc(placed_to, "placed_to"),
    )
    if filters.placed_from and filters.placed_to and filters.placed_from > filters.placed_to:
        raise ValidationFailed.one("placed_to", "must not be before placed_from")
    apply_filters(select(Order), filters)  # refuses a bad filter with 422 before any work
    return filters


FiltersDep = Annotated[OrderFilter, Depends(order_filters)]


@router.get("/api/v1/orders", response_model=OrderPageOut, responses=responses(401, 422))
def get_orders(
    session: SessionDep,
    actor: ActorDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[Text | None, Query(max_length=200)] = None,
) -> Response:
    """Newest first. Customers see their own orders, sellers their seller's,
    support and admins all."""
    if cursor:
        _check_cursor(cursor)
    page = search_orders(session, actor=actor, filters=filters, limit=limit, cursor=cursor or None)
    # The page validated in one call from plain fields (fifty models built one by one
    # cost ten times as much) and serialised once, here: returning the model, FastAPI
    # would dump it, validate the dump again and encode that (docs/PERFORMANCE.md).
    body = OrderPageOut.model_validate(
        {
            "items": [order_fields(o, o.seller_name) for o in page.items],
            "next_cursor": page.next_cursor,
        }
    )
    return Response(body.model_dump_json(), media_type="application/json")


@router.get(
    "/api/v1/orders/export",
    response_class=StreamingResponse,
    responses={
        **responses(401, 422),
        200: {"content": {media: {} for media, _ in FORMATS.values()}},
    },
)
def export_orders(
    engine: EngineDep,
    actor: ActorDep,
    filters: FiltersDep,
    format: Annotated[Text, Query(description="csv, xlsx or parquet")] = "csv",
) -> StreamingResponse:
    """Every order of the filtered list (same filters and scope as the list), newest
    first, streamed a keyset page at a time."""
    if format not in FORMATS:
        raise ValidationFailed.one("format", f"must be one of {', '.join(FORMATS)}")
    media, ext = FORMATS[format]
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        export_chunks(engine, actor=actor, filters=filters, fmt=format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="orders-{stamp}.{ext}"'},
    )


@router.get(
    "/api/v1/orders/export-files/{token}/{name}",
    response_class=FileResponse,
    responses=responses(404),
    include_in_schema=False,
)
def get_export_file(
    token: Annotated[Text, Path(max_length=40)], name: Annotated[Text, Path(max_length=80)]
) -> FileResponse:
    """An export the all-orders page wrote for its user (``ui.states.order_list.export``).

    The page's browser has no bearer token, so the link itself is the permission:
    a 128-bit random token, handed only to the user who asked, kept an hour."""
    path = export_file(token, name)
    if path is None:
        raise NotFound("no such export (they are kept for an hour)")
    media = FORMATS.get(path.suffix.lstrip("."), ("application/octet-stream", ""))[0]
    return FileResponse(path, media_type=media, filename=path.name)


@router.get(
    "/api/v1/orders/{order_id}",
    response_model=OrderDetailOut,
    responses=responses(401, 404, 422),
)
def get_order(
    order_id: Annotated[Text, Path(max_length=64)], session: SessionDep, actor: ActorDep
) -> OrderDetailOut:
    """The order with its lines, shipments, timeline and the actions open to the
    caller; 404 when the caller may not see it."""
    return order_detail_out(get_order_detail(session, actor=actor, order_id=order_id))


def order_fields(order: Order | sa.Row, seller_name: str) -> dict:
    """``OrderOut``'s fields of an order, or of a row of a list's ``PAGE_COLUMNS``, as
    plain values, to be validated with others at once."""
    money = order.currency
    return dict(
        id=order.id,
        number=order.number,
        checkout_id=order.checkout_id,
        seller_id=order.seller_id,
        customer_id=order.customer_id,
        status=order.status,
        currency=order.currency,
        service_level=order.service_level,
        estimated_delivery=order.estimated_delivery,
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        seller_name=seller_name,
        subtotal=format_minor(order.subtotal_minor, money),
        shipping_cost=format_minor(order.shipping_minor, money),
        total=format_minor(order.total_minor, money),
        shipping_address=dict(
            name=order.ship_name,
            line1=order.ship_line1,
            line2=order.ship_line2,
            city=order.ship_city,
            region=order.ship_region,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
        ),
    )


def order_detail_out(detail: OrderDetail) -> OrderDetailOut:
    money = detail.order.currency
    return OrderDetailOut(
        **order_fields(detail.order, detail.seller_name),
        lines=[
            LineOut(
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price=format_minor(line.unit_price_minor, money),
                line_total=format_minor(line.line_total_minor, money),
            )
            for line in detail.lines
        ],
        shipments=[
            shipment_out(shipment, detail.scans.get(shipment.id, []))
            for shipment in detail.shipments
        ],
        events=[
            EventOut(
                type=event.type,
                at=event.at,
                actor=event.actor_label,
                actor_type=event.actor_type,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
            )
            for event in detail.events
        ],
        allowed_actions=detail.allowed_actions,
    )


def shipment_out(shipment: Shipment, scans: list[ShipmentScan]) -> ShipmentOut:
    return ShipmentOut.model_validate(
        {
            **shipment.model_dump(),
            "scans": [
                ScanOut(
                    at=scan.at,
                    status=scan.status,
                    code=scan.code,
                    description=scan.description,
                    location=ScanLocationOut(
                        city=scan.city,
                        region=scan.region,
                        country=scan.country,
                        lat=scan.lat,
                        lon=scan.lon,
                    )
                    if scan.city or scan.country or scan.lat is not None
                    else None,
                )
                for scan in scans
            ],
        }
    )


def _utc(value: datetime | None, field: str) -> datetime | None:
    """A bound as aware UTC; a time without offset is taken to be UTC already."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.one(field, "is out of range") from None


def _check_cursor(cursor: str) -> None:
    """A cursor edited by hand must be refused here, not fail in the database."""
    placed_at, _ = decode_cursor(cursor)
    try:
        if placed_at.tzinfo is None:
            raise ValueError
        placed_at.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed.one("cursor", "is not a cursor this API handed out") from None
