"""An order's invoice as a PDF, and the download of its digital lines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
from oms_dashboard.services.downloads import download_line
from oms_dashboard.services.invoices import invoice_pdf

router = APIRouter(tags=["orders"])


@router.get(
    "/api/v1/orders/{order_id}/invoice.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The invoice"},
        **responses(401, 404, 422),
    },
)
def get_invoice(
    order_id: Annotated[Text, Path(max_length=64)], session: SessionDep, actor: ActorDep
) -> Response:
    """The seller's details, the customer, the lines, shipping, tax, totals and paid
    refunds; for the customer, the owning seller, support and admins (404 otherwise)."""
    pdf, filename = invoice_pdf(session, actor=actor, order_id=order_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/api/v1/orders/{order_id}/lines/{sku}/download",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The digital item's licence"},
        **responses(401, 403, 404, 409, 422),
    },
)
def get_download(
    order_id: Annotated[Text, Path(max_length=64)],
    sku: Annotated[Text, Path(max_length=64)],
    engine: EngineDep,
    actor: ActorDep,
) -> Response:
    """A digital line of the customer's own paid order (403 for other roles, 404 for
    another's order, 409 `not-digital`, `download-not-paid` or `download-order-cancelled`).
    The first download delivers the line: the order can no longer be cancelled."""
    got = download_line(engine, actor=actor, order_id=order_id, sku=sku)
    return Response(
        got.content,
        media_type=got.media_type,
        headers={"Content-Disposition": f'attachment; filename="{got.filename}"'},
    )
