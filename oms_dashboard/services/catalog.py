"""Sellers, products and stock levels: privileged changes, each audited."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain.money import MoneyError, parse_amount, to_minor
from oms_dashboard.domain.product_kinds import ProductKind
from oms_dashboard.ids import new_id
from oms_dashboard.models import Inventory, Product, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks
from oms_dashboard.services.actor import STAFF, Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.stock import note_stock_levels
from oms_dashboard.services.unit_of_work import transactional

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HS_CODE_RE = re.compile(r"^\d{6,10}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
# Checked here, not only in the API's schema: the seller's page calls this service too,
# and a larger count would overflow the integer column.
MAX_ON_HAND = 1_000_000_000


@dataclass(frozen=True)
class NewProduct:
    sku: str
    seller_id: str
    title: str
    price: str
    currency: str
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    digital: bool = False
    kind: str | None = None
    """A ``ProductKind``; without it, digital or physical as ``digital`` says."""
    hs_code: str | None = None
    origin_country: str | None = None
    restricted: bool = False
    category: str | None = None


@transactional
def create_seller(
    session: Session,
    *,
    actor: Actor,
    name: str,
    country: str,
    postal_code: str,
    city: str | None = None,
    region: str | None = None,
    handling_hours: int | None = None,
    currency: str = "USD",
) -> Seller:
    """A new seller starts with the mall's default handling time (unless given) and
    low-stock threshold, from the policies; each seller's own values are kept after."""
    actor.require(Role.ADMIN)
    policy = get_policy(session)
    if handling_hours is None:
        handling_hours = policy.ship_by_hours
    errors = []
    if not name.strip():
        errors.append({"field": "name", "message": "must not be empty"})
    if not COUNTRY_RE.match(country):
        errors.append({"field": "country", "message": "must be an ISO 3166-1 alpha-2 code like US"})
    if not postal_code.strip():
        errors.append({"field": "postal_code", "message": "must not be empty"})
    if not 1 <= handling_hours <= 24 * 14:
        errors.append({"field": "handling_hours", "message": "must be from 1 to 336 hours"})
    _check_currency(currency, errors)
    if errors:
        raise ValidationFailed(errors)
    seller = Seller(
        id=new_id("sel"),
        name=name.strip(),
        country=country,
        postal_code=postal_code.strip(),
        city=city,
        region=region,
        handling_hours=handling_hours,
        low_stock_threshold=policy.low_stock_threshold,
        currency=currency,
    )
    session.add(seller)
    record_audit(
        session,
        actor=actor,
        action="seller.create",
        entity_type="seller",
        entity_id=seller.id,
        after=snapshot(seller),
    )
    return seller


@transactional
def create_product(session: Session, *, actor: Actor, new: NewProduct) -> Product:
    actor.require_seller_access(new.seller_id)
    seller = session.get(Seller, new.seller_id)
    errors: list[dict[str, str]] = []
    if seller is None:
        errors.append({"field": "seller_id", "message": f"no seller {new.seller_id!r}"})
    if not SKU_RE.match(new.sku):
        errors.append({"field": "sku", "message": "1-64 letters, digits, '.', '_' or '-'"})
    if not new.title.strip():
        errors.append({"field": "title", "message": "must not be empty"})
    price_minor = _check_price(new.price, new.currency, errors)
    for name in ("weight_grams", "length_mm", "width_mm", "height_mm"):
        value = getattr(new, name)
        if not 0 <= value <= 1_000_000:
            errors.append({"field": name, "message": "must be from 0 to 1000000"})
    kind = _kind(new, errors)
    if kind.ships and new.weight_grams <= 0:
        errors.append(
            {"field": "weight_grams", "message": "a physical product must weigh something"}
        )
    if new.hs_code is not None and not HS_CODE_RE.match(new.hs_code):
        errors.append({"field": "hs_code", "message": "must be 6 to 10 digits"})
    if new.origin_country is not None and not COUNTRY_RE.match(new.origin_country):
        errors.append({"field": "origin_country", "message": "must be an ISO 3166-1 alpha-2 code"})
    if errors:
        raise ValidationFailed(errors)
    if session.exec(select(Product.id).where(Product.sku == new.sku)).first():
        raise Conflict(f"sku {new.sku!r} already exists", type="sku-exists")
    product = Product(
        id=new_id("prd"),
        sku=new.sku,
        seller_id=new.seller_id,
        title=new.title.strip(),
        category=new.category,
        price_minor=price_minor,
        currency=new.currency,
        weight_grams=new.weight_grams,
        length_mm=new.length_mm,
        width_mm=new.width_mm,
        height_mm=new.height_mm,
        digital=not kind.ships,
        kind=kind.value,
        hs_code=new.hs_code,
        origin_country=new.origin_country or seller.country,
        restricted=new.restricted,
    )
    session.add(product)
    session.flush()
    session.add(Inventory(sku=product.sku, seller_id=product.seller_id, on_hand=0, reserved=0))
    record_audit(
        session,
        actor=actor,
        action="product.create",
        entity_type="product",
        entity_id=product.sku,
        after=snapshot(product),
    )
    return product


def get_inventory(session: Session, *, actor: Actor, sku: str) -> Inventory:
    stock = session.get(Inventory, sku)
    if stock is None:
        raise NotFound(f"no inventory for sku {sku!r}")
    owner = actor.role is Role.SELLER and actor.seller_id == stock.seller_id
    if actor.role not in STAFF and not owner:
        raise Forbidden("only staff and the owning seller see this stock")
    return stock


@transactional
def set_on_hand(session: Session, *, actor: Actor, sku: str, on_hand: int) -> Inventory:
    """Count the shelf. The row is locked so a checkout cannot reserve in between.

    Stock levels are noted like a checkout's: back at the seller's threshold the
    low-stock alert re-arms, so the next fall alerts again; under it, it alerts once.
    """
    stock = locks.lock_inventory(session, [sku]).get(sku)
    if stock is None:
        raise NotFound(f"no inventory for sku {sku!r}")
    actor.require_seller_access(stock.seller_id)
    if isinstance(on_hand, bool) or not isinstance(on_hand, int) or on_hand < 0:
        raise ValidationFailed.one("on_hand", "must be a whole number, 0 or more")
    if on_hand > MAX_ON_HAND:
        raise ValidationFailed.one("on_hand", f"must be at most {MAX_ON_HAND:,}")
    if on_hand < stock.reserved:
        raise ValidationFailed.one(
            "on_hand", f"must be at least {stock.reserved}, the units reserved for open orders"
        )
    before = snapshot(stock)
    stock.on_hand = on_hand
    stock.updated_at = utcnow()
    session.add(stock)
    record_audit(
        session,
        actor=actor,
        action="inventory.set",
        entity_type="inventory",
        entity_id=sku,
        before=before,
        after=snapshot(stock),
    )
    note_stock_levels(session, [sku])
    return stock


def _check_currency(currency: str, errors: list[dict[str, str]]) -> None:
    try:
        parse_amount("0", currency)
    except MoneyError as exc:
        errors.append({"field": "currency", "message": str(exc)})


def _check_price(price: str, currency: str, errors: list[dict[str, str]]) -> int:
    try:
        amount = parse_amount(price, currency)
    except MoneyError as exc:
        field = "currency" if "currency" in str(exc) else "price"
        errors.append({"field": field, "message": str(exc)})
        return 0
    if amount < 0:
        errors.append({"field": "price", "message": "must not be negative"})
    return to_minor(amount, currency)


def get_shipping_rates(session: Session, *, actor: Actor, seller_id: str) -> dict:
    """The seller's rate table (its own, or the defaults for its currency)."""
    from oms_dashboard.services.pricing import rate_table_of

    seller = _seller_for(session, actor, seller_id, staff_may_read=True)
    return rate_table_of(seller).to_dict()


@transactional
def set_shipping_rates(session: Session, *, actor: Actor, seller_id: str, rates: dict) -> dict:
    """Replace the seller's own rate table; it must price every zone and service."""
    from oms_dashboard.domain.shipping import InvalidRateTable, RateTable

    seller = _seller_for(session, actor, seller_id, staff_may_read=False)
    try:
        table = RateTable.from_dict(rates)
    except InvalidRateTable as exc:
        raise ValidationFailed.one("shipping_rates", str(exc)) from None
    if table.currency != seller.currency:
        raise ValidationFailed.one(
            "shipping_rates.currency", f"must be the seller's currency, {seller.currency}"
        )
    before = {"shipping_rates": seller.shipping_rates}
    seller.shipping_rates = table.to_dict()
    session.add(seller)
    record_audit(
        session,
        actor=actor,
        action="seller.shipping_rates",
        entity_type="seller",
        entity_id=seller.id,
        before=before,
        after={"shipping_rates": seller.shipping_rates},
    )
    return seller.shipping_rates


def _seller_for(session: Session, actor: Actor, seller_id: str, *, staff_may_read: bool) -> Seller:
    if not (staff_may_read and actor.role in STAFF):
        actor.require_seller_access(seller_id)
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"no seller {seller_id!r}")
    return seller


def _kind(new: NewProduct, errors: list[dict[str, str]]) -> ProductKind:
    if new.kind is None:
        return ProductKind.DIGITAL if new.digital else ProductKind.PHYSICAL
    try:
        kind = ProductKind(new.kind)
    except ValueError:
        known = ", ".join(k.value for k in ProductKind)
        errors.append({"field": "kind", "message": f"must be one of {known}"})
        return ProductKind.DIGITAL if new.digital else ProductKind.PHYSICAL
    if new.digital and kind is not ProductKind.DIGITAL:
        errors.append({"field": "kind", "message": "a digital product's kind is digital"})
    return kind
