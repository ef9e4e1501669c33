"""Changing an unshipped order's delivery address (issue 13, "address changes").

``POST /orders/{id}/address`` with checkout's ``shipping_address`` shape; with
``?preview=true`` (or ``POST /orders/{id}/address/preview``) it answers the new cost,
the difference and the date and changes nothing. One service call each
(``services.address_change``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.checkout_schemas import AddressIn
from oms_dashboard.api.deps import EngineDep, ProviderDep, SessionDep, require_role
from oms_dashboard.api.problems import problem_doc, responses
from oms_dashboard.api.schemas import AddressOut, MoneyOut, RequestBody
from oms_dashboard.domain.money import format_minor
from oms_dashboard.services import address_change
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["orders"])
P = "/api/v1"
WHO = (Role.CUSTOMER, Role.SUPPORT, Role.ADMIN)


class AddressChangeIn(RequestBody):
    shipping_address: AddressIn


class ChargeOut(BaseModel):
    id: str
    amount: MoneyOut
    provider_charge_id: str


class AddressRefundOut(BaseModel):
    id: str
    status: str
    amount: MoneyOut


class AddressChangeOut(BaseModel):
    order_id: str
    applied: bool = Field(description="False for a preview: nothing changed")
    shipping_address: AddressOut
    currency: str
    shipping_before: MoneyOut = Field(description="What shipping costs the customer now")
    shipping_after: MoneyOut = Field(description="What shipping to the new address costs")
    difference: MoneyOut = Field(description="After minus before: positive is charged")
    settlement: str = Field(description="none, charge or refund")
    estimated_delivery: str
    previous_estimated_delivery: str | None
    message: str
    shipping_cost: MoneyOut = Field(description="The order's shipping charged, after")
    total: MoneyOut = Field(description="The order's total charged, after")
    charge: ChargeOut | None = None
    refund: AddressRefundOut | None = None


ANSWERS = {
    **responses(401, 403, 404, 409, 422),
    402: problem_doc("The payment provider declined the difference; nothing changed"),
    503: problem_doc("The payment provider did not answer; nothing changed"),
}


@router.post(f"{P}/orders/{{order_id}}/address", response_model=AddressChangeOut, responses=ANSWERS)
def post_address(
    order_id: str,
    body: AddressChangeIn,
    engine: EngineDep,
    provider: ProviderDep,
    session: SessionDep,
    actor: Actor = require_role(*WHO),
    preview: Annotated[bool, Query(description="Answer the price; change nothing")] = False,
) -> AddressChangeOut:
    """Send an unshipped order somewhere else in its country (the customer's own order,
    support, admins). The new shipping is priced as at checkout; dearer: the difference
    is charged first (402 `charge-declined` changes nothing); cheaper: it is refunded
    (approved automatically). 409 with the rule as `reason`: `already-shipped`,
    `label-already-bought`, `other-country`, `order-cancelled`, `payment-not-taken`.
    422 names each bad address field."""
    raw = body.shipping_address.model_dump()
    if preview:
        return _preview(session, actor, order_id, raw)
    outcome = address_change.apply_address_change(
        engine, actor=actor, order_id=order_id, shipping_address=raw, provider=provider
    )
    return _out(outcome.quote, applied=True, outcome=outcome)


@router.post(
    f"{P}/orders/{{order_id}}/address/preview",
    response_model=AddressChangeOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_address_preview(
    order_id: str,
    body: AddressChangeIn,
    session: SessionDep,
    actor: Actor = require_role(*WHO),
) -> AddressChangeOut:
    """The same as `POST /orders/{id}/address?preview=true`: nothing changes."""
    return _preview(session, actor, order_id, body.shipping_address.model_dump())


def _preview(session, actor: Actor, order_id: str, raw: dict) -> AddressChangeOut:
    quote = address_change.preview_address_change(
        session, actor=actor, order_id=order_id, shipping_address=raw
    )
    return _out(quote, applied=False)


def _out(
    quote: address_change.AddressQuote,
    *,
    applied: bool,
    outcome: address_change.AddressChangeOutcome | None = None,
) -> AddressChangeOut:
    cur, order = quote.currency, (outcome.order if outcome else quote.order)
    address = quote.address
    charge = outcome.charge if outcome else None
    refund = outcome.refund if outcome else None
    return AddressChangeOut(
        order_id=order.id,
        applied=applied,
        shipping_address=AddressOut(**address.to_dict()),
        currency=cur,
        shipping_before=format_minor(quote.shipping_before_minor, cur),
        shipping_after=format_minor(quote.shipping_after_minor, cur),
        difference=format_minor(quote.difference_minor, cur),
        settlement=quote.settlement.value,
        estimated_delivery=quote.estimated_delivery.isoformat(),
        previous_estimated_delivery=quote.previous_estimated_delivery.isoformat()
        if quote.previous_estimated_delivery
        else None,
        message=quote.decision.reason,
        shipping_cost=format_minor(order.shipping_minor, cur),
        total=format_minor(order.total_minor, cur),
        charge=ChargeOut(
            id=charge.id,
            amount=format_minor(charge.amount_minor, cur),
            provider_charge_id=charge.provider_charge_id,
        )
        if charge
        else None,
        refund=AddressRefundOut(
            id=refund.id, status=refund.status, amount=format_minor(refund.amount_minor, cur)
        )
        if refund
        else None,
    )
