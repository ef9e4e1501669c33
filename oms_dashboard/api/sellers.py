"""Sellers: the shops of the mall, created by admins."""

from __future__ import annotations

from fastapi import APIRouter

from oms_dashboard.api.deps import SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import SellerCreate, SellerOut
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.catalog import create_seller

router = APIRouter(tags=["catalog"])


@router.post(
    "/api/v1/sellers",
    status_code=201,
    response_model=SellerOut,
    responses=responses(401, 403, 422),
)
def post_seller(
    body: SellerCreate, session: SessionDep, actor: Actor = require_role(Role.ADMIN)
) -> SellerOut:
    seller = create_seller(session, actor=actor, **body.model_dump())
    return SellerOut.model_validate(seller, from_attributes=True)
