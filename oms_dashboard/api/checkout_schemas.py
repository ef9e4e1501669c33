"""Bodies of the checkout and payment endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictInt

from oms_dashboard.api.schemas import MoneyOut, RequestBody, Text

Short = Annotated[Text, Field(max_length=200)]


class AddressIn(RequestBody):
    name: Short
    line1: Short
    line2: Short | None = None
    city: Annotated[Text, Field(max_length=100)]
    region: Annotated[Text, Field(max_length=100)] | None = None
    postal_code: Annotated[Text, Field(max_length=20)]
    country: Annotated[Text, Field(max_length=2, description="ISO 3166-1 alpha-2")]


class LineIn(RequestBody):
    sku: Annotated[Text, Field(max_length=64)]
    quantity: StrictInt


class CheckoutIn(RequestBody):
    lines: list[LineIn]
    shipping_address: AddressIn
    service_level: Annotated[Text, Field(max_length=16)] = "standard"


class CheckoutLineOut(BaseModel):
    sku: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut


class CheckoutOrderOut(BaseModel):
    id: str
    number: str
    seller_id: str
    status: str
    subtotal: MoneyOut
    shipping_cost: MoneyOut
    total: MoneyOut
    estimated_delivery: str | None
    review_reason: str | None = None
    lines: list[CheckoutLineOut]


class CheckoutOut(BaseModel):
    checkout_id: str
    status: str
    currency: str
    total: MoneyOut
    orders: list[CheckoutOrderOut]


class PaymentEventOut(BaseModel):
    event_id: str
    checkout_id: str
    outcome: str = Field(
        description="verified, needs_action, retrying, ignored (already settled) or received"
    )
    detail: str | None = None
    replayed: bool = False
