"""Request and response bodies: separate classes from the tables, so a column
never leaks into an answer by accident.

Requests refuse unknown fields and wrong JSON types (no silent ``"5"`` -> 5),
and bound every text to its column, so bad input becomes a 422 naming the
field instead of a database error. Business rules (email shape, country
codes, price places, stock bounds) stay in the services.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    create_model,
)

from oms_dashboard.domain.policies import POLICY_SPECS, PolicySpec
from oms_dashboard.services.actor import Role
from oms_dashboard.services.catalog import MAX_ON_HAND


def no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it up front on every backend.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


MAX_PRICE = Decimal(10_000_000)
"""Keeps a price's minor units inside a 32-bit integer column, in every currency."""


def _money_input(value: Any) -> Any:
    if isinstance(value, (bool, float)):
        raise ValueError('must be a decimal string such as "12.50", not a JSON number')
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        if len(value) > 40:
            raise ValueError("is too long to be an amount")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return value  # the service names what is wrong with it
        # copy_abs, not abs(): no context, so "1e999999999" cannot raise Overflow.
        if amount.is_finite() and amount.copy_abs() >= MAX_PRICE:
            raise ValueError(f"must be less than {MAX_PRICE}")
    return value


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isascii() or not value.isupper():
        raise ValueError("must be an ISO 4217 code in capitals, such as USD")
    return value


def _as_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


Text = Annotated[str, AfterValidator(no_nul)]
Money = Annotated[
    str,
    BeforeValidator(_money_input),
    AfterValidator(no_nul),
    Field(description='A decimal string with the currency\'s places, e.g. "12.50".'),
]
MoneyOut = Annotated[str, Field(description='Decimal string, e.g. "12.50".', examples=["12.50"])]
Currency = Annotated[str, AfterValidator(_currency), Field(examples=["USD"])]
Time = Annotated[datetime, PlainSerializer(_as_utc, return_type=str)]
Measure = Annotated[StrictInt, Field(description="0 to 1000000")]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- identity -------------------------------------------------------------------------


class TokenRequest(RequestBody):
    email: Annotated[Text, Field(max_length=254)]
    password: Annotated[Text, Field(max_length=1024)]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user_id: str
    role: Role
    expires_in: int = Field(description="Seconds until the token expires.")


class UserCreate(RequestBody):
    email: Annotated[Text, Field(max_length=254, examples=["ana@example.com"])]
    password: Annotated[Text, Field(max_length=1024, description="At least 8 characters.")]
    name: Annotated[Text, Field(max_length=200)]
    role: Role
    seller_id: Annotated[Text, Field(max_length=40)] | None = Field(
        default=None, description="Required for (and only for) seller accounts."
    )


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    seller_id: str | None
    created_at: Time


class SellerCreate(RequestBody):
    name: Annotated[Text, Field(max_length=200)]
    country: Annotated[Text, Field(description="ISO 3166-1 alpha-2, e.g. US")]
    postal_code: Annotated[Text, Field(max_length=20)]
    city: Annotated[Text, Field(max_length=100)] | None = None
    region: Annotated[Text, Field(max_length=100)] | None = None
    handling_hours: StrictInt | None = Field(
        default=None, description="1 to 336; default: the policy's default handling time"
    )
    currency: Currency = "USD"


class SellerOut(BaseModel):
    id: str
    name: str
    country: str
    region: str | None
    city: str | None
    postal_code: str
    handling_hours: int
    currency: str
    created_at: Time


# -- catalog --------------------------------------------------------------------------


class ProductCreate(RequestBody):
    sku: Annotated[Text, Field(max_length=64, examples=["MUG-RED-01"])]
    seller_id: Annotated[Text, Field(max_length=40)]
    title: Annotated[Text, Field(max_length=300)]
    price: Money
    currency: Currency
    weight_grams: Measure
    length_mm: Measure
    width_mm: Measure
    height_mm: Measure
    digital: StrictBool = False
    kind: (
        Annotated[
            Literal["physical", "digital", "subscription"],
            Field(description="Defaults to digital or physical, as `digital` says"),
        ]
        | None
    ) = None
    hs_code: Annotated[Text, Field(description="Customs tariff code, 6-10 digits")] | None = None
    origin_country: (
        Annotated[Text, Field(description="Defaults to the seller's country")] | None
    ) = None
    category: Annotated[Text, Field(max_length=60)] | None = None
    restricted: StrictBool = False


class ProductOut(BaseModel):
    id: str
    sku: str
    seller_id: str
    title: str
    category: str | None
    price: MoneyOut
    currency: str
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    digital: bool
    kind: str
    hs_code: str | None
    origin_country: str
    restricted: bool
    active: bool
    created_at: Time


class InventoryUpdate(RequestBody):
    on_hand: StrictInt = Field(le=MAX_ON_HAND, description="Units on the shelf, >= reserved")


class InventoryOut(BaseModel):
    sku: str
    seller_id: str
    on_hand: int
    reserved: int
    available: int
    updated_at: Time


# -- policies -------------------------------------------------------------------------


def _policy_field(spec: PolicySpec, *, required: bool) -> Any:
    description = f"{spec.label}, in {spec.unit} ({spec.minimum} to {spec.maximum}). {spec.help}"
    if required:
        return (int, Field(description=description))
    # Bounds are checked by the service, so a bad value gets the same message everywhere.
    return (StrictInt | None, Field(default=None, description=description))


PolicyUpdate = create_model(
    "PolicyUpdate",
    __base__=RequestBody,
    __doc__="Only the fields sent are changed.",
    **{spec.name: _policy_field(spec, required=False) for spec in POLICY_SPECS},
)
"""One optional field per entry of ``domain.policies.POLICY_SPECS``."""

PolicyOut = create_model(
    "PolicyOut",
    **{spec.name: _policy_field(spec, required=True) for spec in POLICY_SPECS},
    updated_at=(Time, ...),
    updated_by=(str | None, ...),
)


# -- orders ---------------------------------------------------------------------------


class AddressOut(BaseModel):
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


class OrderOut(BaseModel):
    id: str
    number: str
    checkout_id: str
    seller_id: str
    seller_name: str
    customer_id: str
    status: str
    currency: str
    subtotal: MoneyOut
    shipping_cost: MoneyOut
    total: MoneyOut
    service_level: str
    estimated_delivery: date | None
    placed_at: Time
    updated_at: Time
    shipping_address: AddressOut


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end"
    )


class LineOut(BaseModel):
    sku: str
    title: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut


class ScanLocationOut(BaseModel):
    city: str | None
    region: str | None
    country: str | None
    lat: float | None
    lon: float | None


class ScanOut(BaseModel):
    at: Time
    status: str | None = Field(description="What the scan means in our words, when it says")
    code: str = Field(description="The carrier's own code")
    description: str
    location: ScanLocationOut | None


class ShipmentOut(BaseModel):
    id: str
    direction: str
    carrier: str
    service: str
    tracking_number: str
    label_url: str | None
    status: str
    estimated_delivery: date | None
    signature_required: bool
    created_at: Time
    last_scan_at: Time | None
    last_synced_at: Time | None = Field(description="When the carrier last answered")
    flag: str | None = Field(description="stuck or exception while support should look")
    flagged_reason: str | None
    scans: list[ScanOut] = Field(description="Newest first")


class EventOut(BaseModel):
    type: str
    at: Time
    actor: str = Field(description="Who or what did it, e.g. 'Ana (customer)' or 'OMS (admin)'")
    actor_type: str = Field(description="user, system, carrier or payment")
    from_status: str | None
    to_status: str | None
    note: str | None


class OrderDetailOut(OrderOut):
    lines: list[LineOut]
    shipments: list[ShipmentOut]
    events: list[EventOut]
    allowed_actions: list[str] = Field(description="What the caller may do to it right now")


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    wiring: dict[str, Any] = Field(
        description="entry point, outbox kinds with a handler, payment provider kind"
    )
