"""Demo sellers with their products and staff, customers with their addresses,
and the staff accounts: rows as plain dicts, ready for a bulk insert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from oms_dashboard.demo import DEMO_LOGINS
from oms_dashboard.demo.catalog_data import NICHES, SELLERS, Item, SellerSpec
from oms_dashboard.demo.context import HISTORY_DAYS, DemoContext
from oms_dashboard.demo.places import PlaceMaker, email_local_part
from oms_dashboard.domain.delivery import DEFAULT_CUTOFF_HOUR, HolidayCheck
from oms_dashboard.services.delivery_calendar import holiday_checker

Row = dict[str, Any]
CUSTOMER_COUNTRIES = (("US", 88), ("CA", 14), ("GB", 10), ("DE", 8))
DEMO_CUSTOMER = ("Jordan", "Ellis")
STAFF = (
    ("admin", "Morgan Reyes", DEMO_LOGINS["admin"]),
    ("support", "Priya Shah", DEMO_LOGINS["support"]),
    ("support", "Daniel Okafor", "daniel.okafor@oms.demo"),
)


@dataclass
class SellerCtx:
    spec: SellerSpec
    row: Row
    staff: Row
    is_holiday: HolidayCheck
    """The seller's days off, as checkout's delivery estimate counts them."""
    products: list[Row] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)
    stock: dict[str, int] = field(default_factory=dict)
    """sku -> units on the shelf before open orders hold any."""


@dataclass
class CustomerCtx:
    row: Row
    user: Row
    country: str
    addresses: list[tuple[Row, str]]
    """(address row, its time zone)."""
    weight: float


def user_row(
    ctx: DemoContext,
    *,
    name: str,
    email: str,
    role: str,
    created_at: datetime,
    seller_id: str | None = None,
) -> Row:
    last_login = ctx.now - timedelta(hours=ctx.rng.uniform(1, 24 * 20))
    return ctx.add(
        "users",
        {
            "id": ctx.ids.new("usr", created_at),
            "email": email,
            "email_lookup": email.lower(),
            "name": name,
            "role": role,
            "seller_id": seller_id,
            "password_hash": ctx.password_hash,
            "is_active": True,
            "created_at": created_at,
            "last_login_at": max(last_login, created_at),
        },
    )


def build_staff(ctx: DemoContext) -> None:
    for role, name, email in STAFF:
        user_row(ctx, name=name, email=email, role=role, created_at=ctx.days_ago(760, 800))


PICKUP_STREETS = {
    "volt": ("2150 N First St", "+1 408 555 0142"),
    "hearth": ("600 Congress Ave", "+1 512 555 0187"),
    "summit": ("1700 Wynkoop St", "+1 303 555 0110"),
    "northleaf": ("299 Queen St W", "+1 416 555 0163"),
    "thread": ("35 Dale St", "+44 161 496 0321"),
    "alpenglow": ("Sendlinger Str. 12", "+49 89 5550 1234"),
}
"""Where each demo seller's parcels are picked up, and the phone its carriers call."""


def build_sellers(ctx: DemoContext) -> list[SellerCtx]:
    sellers = []
    for spec in SELLERS:
        created = ctx.days_ago(HISTORY_DAYS + 40, HISTORY_DAYS + 200)
        row = ctx.add(
            "sellers",
            {
                "id": ctx.ids.new("sel", created),
                "name": spec.name,
                "country": spec.country,
                "region": spec.region,
                "city": spec.city,
                "postal_code": spec.postal_code,
                "address_line1": PICKUP_STREETS[spec.key][0],
                "phone": PICKUP_STREETS[spec.key][1],
                "handling_hours": spec.handling_hours,
                "low_stock_threshold": spec.low_stock_threshold,
                "currency": spec.currency,
                # Checkout's estimate reads the seller's clock and cut-off from its row.
                "timezone": spec.timezone,
                "cutoff_hour": DEFAULT_CUTOFF_HOUR,
                "created_at": created,
            },
        )
        staff = user_row(
            ctx,
            name=spec.staff_name,
            email=spec.staff_email,
            role="seller",
            created_at=created + timedelta(hours=2),
            seller_id=row["id"],
        )
        seller = SellerCtx(spec, row, staff, holiday_checker(spec.country, spec.region))
        _build_products(ctx, seller)
        sellers.append(seller)
    return sellers


def _scalar(value: int | tuple[int, ...], i: int, n: int) -> int:
    """A pair runs from the first variant to the last; a full tuple names each one."""
    if isinstance(value, int):
        return value
    if len(value) == n:
        return value[i]
    low, high = value
    return round(low + (high - low) * (i / (n - 1) if n > 1 else 0.0))


def _dims(value, i: int, n: int) -> tuple[int, int, int]:
    if not isinstance(value[0], tuple):
        return value
    low, high = value
    t = i / (n - 1) if n > 1 else 0.0
    return tuple(round(a + (b - a) * t) for a, b in zip(low, high, strict=True))


def shelf_price(minor: int, ending: int) -> int:
    """Round to the seller's price point: 24.99, 24,95 EUR, 24.00 GBP."""
    major = (minor + 50) // 100
    return major * 100 - (100 - ending) if ending else major * 100


def _build_products(ctx: DemoContext, seller: SellerCtx) -> None:
    rng, spec = ctx.rng, seller.spec
    for template in NICHES[spec.key]:
        for i, variant in enumerate(template.variants):
            _product(ctx, seller, template, i, variant)
    weights = [rng.lognormvariate(0, 0.9) for _ in seller.products]
    seller.cum_weights = list(accumulate(weights))


def _product(ctx: DemoContext, seller: SellerCtx, t: Item, i: int, variant: str) -> None:
    rng, spec = ctx.rng, seller.spec
    n = len(t.variants)
    price = _scalar(t.price, i, n)
    if isinstance(t.price, tuple) and len(t.price) != n:
        price = shelf_price(price, spec.price_ending)
    grams = _scalar(t.grams, i, n)
    if isinstance(t.grams, tuple) and not t.digital:
        grams = round(grams * rng.uniform(0.97, 1.03))
    length, width, height = _dims(t.dims, i, n)
    created = seller.row["created_at"] + timedelta(days=rng.uniform(3, 35))
    sku = f"{spec.sku_prefix}-{1001 + len(seller.products)}"
    hs = t.hs if t.hs and rng.random() > 0.08 else None
    seller.products.append(
        ctx.add(
            "products",
            {
                "id": ctx.ids.new("prd", created),
                "sku": sku,
                "seller_id": seller.row["id"],
                "title": t.title.replace("{v}", variant),
                "category": t.category,
                "price_minor": price,
                "currency": spec.currency,
                "weight_grams": grams,
                "length_mm": length,
                "width_mm": width,
                "height_mm": height,
                "digital": t.digital,
                "kind": t.kind,
                "hs_code": hs,
                "origin_country": t.origin or spec.country,
                "restricted": t.restricted,
                "active": True,
                "created_at": created,
            },
        )
    )
    if t.digital:
        seller.stock[sku] = 9999  # codes are issued on demand; never runs out
        return
    state = rng.choices(("normal", "low", "out"), weights=(0.86, 0.09, 0.05))[0]
    threshold = spec.low_stock_threshold
    if state == "normal":
        seller.stock[sku] = threshold + 1 + int(rng.lognormvariate(4.0, 0.8))
    else:
        seller.stock[sku] = rng.randint(1, threshold) if state == "low" else 0


def build_customers(ctx: DemoContext, maker: PlaceMaker) -> list[CustomerCtx]:
    """The demo customer first, then the others; every email unique."""
    rng = ctx.rng
    countries = [c for c, n in CUSTOMER_COUNTRIES for _ in range(n)]
    rng.shuffle(countries)
    taken: set[str] = set()
    customers = [_customer(ctx, maker, "US", DEMO_CUSTOMER, DEMO_LOGINS["customer"], 1.0)]
    for country in countries:
        while True:
            first, last = maker.person(country)
            email = f"{email_local_part(first, last)}@example.com"
            if email not in taken:
                taken.add(email)
                break
        customers.append(
            _customer(ctx, maker, country, (first, last), email, rng.lognormvariate(0, 0.7))
        )
    return customers


def _customer(
    ctx: DemoContext,
    maker: PlaceMaker,
    country: str,
    names: tuple[str, str],
    email: str,
    weight: float,
) -> CustomerCtx:
    rng = ctx.rng
    if email == DEMO_LOGINS["customer"] or rng.random() < 0.4:
        created = ctx.days_ago(HISTORY_DAYS + 5, HISTORY_DAYS + 300)
    else:
        created = ctx.days_ago(10, HISTORY_DAYS)
    name = " ".join(names)
    user = user_row(ctx, name=name, email=email, role="customer", created_at=created)
    home = maker.address(country)
    row = ctx.add(
        "customers",
        {
            "id": ctx.ids.new("cus", created),
            "user_id": user["id"],
            "name": name,
            "email": email,
            "phone": home.phone,
            "created_at": created,
        },
    )
    count = rng.choices((1, 2, 3), weights=(0.55, 0.33, 0.12))[0]
    if email == DEMO_LOGINS["customer"]:
        count = 3
    addresses = []
    for n in range(count):
        work = n == 1 and rng.random() < 0.6
        place = home if n == 0 else maker.address(country, work=work)
        label = "Home" if n == 0 else ("Work" if work else rng.choice(("Parents", "Cabin")))
        at = min(created + timedelta(days=n * rng.uniform(0.1, 3)), ctx.now)
        address = ctx.add(
            "addresses",
            {
                "id": ctx.ids.new("adr", at),
                "customer_id": row["id"],
                "label": label,
                "name": name,
                "line1": place.line1,
                "line2": place.line2,
                "city": place.city,
                "region": place.region,
                "postal_code": place.postal_code,
                "country": place.country,
                "phone": place.phone,
                "is_default": n == 0,
                "created_at": at,
            },
        )
        addresses.append((address, place.timezone))
    return CustomerCtx(row, user, country, addresses, weight)
