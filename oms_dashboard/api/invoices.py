"""An order's invoice as a PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from oms_dashboard.api.deps import ActorDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
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
