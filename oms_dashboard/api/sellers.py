"""Sellers: the shops of the mall, created by admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import SellerCreate, SellerOut
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.catalog import create_seller, get_shipping_rates, set_shipping_rates

router = APIRouter(tags=["catalog"])


@router.post(
    "/api/v1/sellers",
    status_code=201,
    response_model=SellerOut,
    responses=responses(401, 403, 422),
)
def post_seller(
    body: SellerCreate, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> SellerOut:
    seller = create_seller(engine, actor=actor, **body.model_dump())
    return SellerOut.model_validate(seller, from_attributes=True)


@router.get(
    "/api/v1/sellers/{seller_id}/shipping-rates",
    responses=responses(401, 403, 404),
)
def read_shipping_rates(seller_id: str, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """The seller's rate table: base price per package and per started kg beyond the
    first, in minor units, by zone and service level; and its free-shipping
    threshold. Staff and the owning seller."""
    return get_shipping_rates(session, actor=actor, seller_id=seller_id)


@router.put(
    "/api/v1/sellers/{seller_id}/shipping-rates",
    responses=responses(401, 403, 404, 422),
)
def put_shipping_rates(
    seller_id: str, body: dict[str, Any], engine: EngineDep, actor: ActorDep
) -> dict[str, Any]:
    """Replace the rate table (admins and the owning seller; audited). Every zone of
    both service levels must be priced, in the seller's currency."""
    return set_shipping_rates(engine, actor=actor, seller_id=seller_id, rates=body)
