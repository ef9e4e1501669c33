"""A customer's saved delivery addresses: several per customer, one default."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import Address
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.addresses import validate_address
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional

MAX_ADDRESSES = 20


def list_addresses(session: Session, *, actor: Actor) -> list[Address]:
    actor.require(Role.CUSTOMER)
    return list(
        session.exec(
            select(Address)
            .where(Address.customer_id == actor.customer_id)
            .order_by(Address.is_default.desc(), Address.created_at)
        ).all()
    )


@transactional
def add_address(
    session: Session, *, actor: Actor, raw: dict[str, Any], label: str, make_default: bool
) -> Address:
    """Validated for its country like a checkout's address, then saved."""
    actor.require(Role.CUSTOMER)
    label = label.strip()
    if not 1 <= len(label) <= 40:
        raise ValidationFailed.one("label", "must be 1 to 40 characters, such as Home or Work")
    valid = validate_address(raw, field_prefix="address")
    saved = list_addresses(session, actor=actor)
    if len(saved) >= MAX_ADDRESSES:
        raise ValidationFailed.one("address", f"at most {MAX_ADDRESSES} saved addresses")
    if make_default or not saved:
        _clear_default(session, actor)
    address = Address(
        id=new_id("adr"),
        customer_id=actor.customer_id,
        label=label,
        phone=raw.get("phone") or None,
        is_default=make_default or not saved,
        **valid.to_dict(),
    )
    session.add(address)
    return address


@transactional
def delete_address(session: Session, *, actor: Actor, address_id: str) -> None:
    actor.require(Role.CUSTOMER)
    address = session.exec(
        select(Address).where(Address.id == address_id, Address.customer_id == actor.customer_id)
    ).first()
    if address is None:
        raise NotFound(f"no address {address_id!r}")
    session.delete(address)
    session.flush()
    if address.is_default:
        rest = list_addresses(session, actor=actor)
        if rest:
            rest[0].is_default = True
            session.add(rest[0])


def _clear_default(session: Session, actor: Actor) -> None:
    session.execute(
        sa.update(Address).where(Address.customer_id == actor.customer_id).values(is_default=False)
    )
