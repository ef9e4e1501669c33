"""Stock levels of one sku: read by staff and its seller, counted by its seller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field, StrictInt

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import InventoryOut, InventoryUpdate, RequestBody, Text
from oms_dashboard.services.catalog import get_inventory, set_on_hand
from oms_dashboard.services.stock_loss import record_stock_loss

router = APIRouter(tags=["catalog"])
SkuPath = Annotated[Text, Path(max_length=64)]


@router.get(
    "/api/v1/inventory/{sku}",
    response_model=InventoryOut,
    responses=responses(401, 403, 404, 422),
)
def read_inventory(sku: SkuPath, session: SessionDep, actor: ActorDep) -> InventoryOut:
    """Admins, support and the owning seller."""
    stock = get_inventory(session, actor=actor, sku=sku)
    return InventoryOut.model_validate(stock, from_attributes=True)


@router.put(
    "/api/v1/inventory/{sku}",
    response_model=InventoryOut,
    responses=responses(401, 403, 404, 422),
)
def put_inventory(
    sku: SkuPath, body: InventoryUpdate, engine: EngineDep, actor: ActorDep
) -> InventoryOut:
    """Set the units on the shelf (admins and the owning seller); 422 when fewer
    than are reserved for open orders."""
    stock = set_on_hand(engine, actor=actor, sku=sku, on_hand=body.on_hand)
    return InventoryOut.model_validate(stock, from_attributes=True)


class StockLossIn(RequestBody):
    quantity: StrictInt = Field(description="Units no longer sellable")
    reason: Annotated[Text, Field(max_length=200)]


class StockLossOut(InventoryOut):
    affected_orders: list[str] = Field(
        description="Orders whose hold was given up: held for review, customers told"
    )


@router.post(
    "/api/v1/inventory/{sku}/losses",
    response_model=StockLossOut,
    responses=responses(401, 403, 404, 422),
)
def post_stock_loss(
    sku: SkuPath, body: StockLossIn, engine: EngineDep, actor: ActorDep
) -> StockLossOut:
    """Units damaged, lost or miscounted (admins and the owning seller). If fewer
    remain than open orders hold, the newest holds are given up: those orders
    are held for review and their customers are offered alternatives."""
    loss = record_stock_loss(
        engine, actor=actor, sku=sku, quantity=body.quantity, reason=body.reason
    )
    out = InventoryOut.model_validate(loss.stock, from_attributes=True)
    return StockLossOut(**out.model_dump(), affected_orders=loss.affected_orders)
