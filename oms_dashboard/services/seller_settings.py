"""What a seller tells the OMS about its shipping: how soon it ships after payment,
and the pick-up street and phone every label it buys carries.

Changed by the seller's own staff only (an admin changes a seller through the
seller's account, not by acting as it), audited with the fields that changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from oms_dashboard.models import Seller
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional

MIN_HANDLING_HOURS, MAX_HANDLING_HOURS = 1, 240
"""Within the hour at the soonest; ten days is the longest a marketplace lets a promise wait."""
MAX_STREET = 200
MAX_PHONE = 40
_PHONE_CHARS = re.compile(r"[0-9+()./\- ]+")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15
"""E.164 allows at most 15 digits; fewer than 7 is no phone a courier can call."""


@dataclass(frozen=True)
class ShippingSettings:
    seller_id: str
    handling_hours: int
    address_line1: str
    phone: str
    city: str
    region: str
    postal_code: str
    country: str


def _view(seller: Seller) -> ShippingSettings:
    return ShippingSettings(
        seller_id=seller.id,
        handling_hours=seller.handling_hours,
        address_line1=seller.address_line1 or "",
        phone=seller.phone or "",
        city=seller.city or "",
        region=seller.region or "",
        postal_code=seller.postal_code,
        country=seller.country,
    )


def _own_seller(session: Session, actor: Actor) -> Seller:
    actor.require(Role.SELLER)
    seller = session.get(Seller, actor.seller_id)
    if seller is None:
        raise NotFound("your seller account no longer exists")
    return seller


def get_shipping_settings(session: Session, *, actor: Actor) -> ShippingSettings:
    return _view(_own_seller(session, actor))


def _check(handling_hours: Any, street: str, phone: str) -> list[dict[str, str]]:
    errors = []
    if (
        isinstance(handling_hours, bool)
        or not isinstance(handling_hours, int)
        or not MIN_HANDLING_HOURS <= handling_hours <= MAX_HANDLING_HOURS
    ):
        errors.append(
            {
                "field": "handling_hours",
                "message": f"must be a whole number of hours from {MIN_HANDLING_HOURS} "
                f"to {MAX_HANDLING_HOURS}",
            }
        )
    if not street:
        errors.append(
            {"field": "address_line1", "message": "is required: carriers pick parcels up there"}
        )
    elif len(street) > MAX_STREET:
        errors.append(
            {"field": "address_line1", "message": f"must be at most {MAX_STREET} characters"}
        )
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if (
            len(phone) > MAX_PHONE
            or not _PHONE_CHARS.fullmatch(phone)
            or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS
        ):
            errors.append(
                {
                    "field": "phone",
                    "message": f"must be a phone number of {MIN_PHONE_DIGITS} to "
                    f"{MAX_PHONE_DIGITS} digits (spaces, +, -, ( ) allowed)",
                }
            )
    return errors


@transactional
def update_shipping_settings(
    session: Session,
    *,
    actor: Actor,
    handling_hours: int,
    address_line1: str,
    phone: str | None,
) -> ShippingSettings:
    """Every field checked at once; nothing changes unless all of them are right."""
    seller = _own_seller(session, actor)
    street = (address_line1 or "").strip()
    phone = (phone or "").strip()
    errors = _check(handling_hours, street, phone)
    if errors:
        raise ValidationFailed(errors)
    wanted = {"handling_hours": handling_hours, "address_line1": street, "phone": phone or None}
    changed = {name: value for name, value in wanted.items() if getattr(seller, name) != value}
    if changed:
        before = {name: getattr(seller, name) for name in changed}
        for name, value in changed.items():
            setattr(seller, name, value)
        session.add(seller)
        record_audit(
            session,
            actor=actor,
            action="seller.shipping_settings",
            entity_type="seller",
            entity_id=seller.id,
            before=before,
            after=changed,
        )
    return _view(seller)
