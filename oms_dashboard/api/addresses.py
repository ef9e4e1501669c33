"""The signed-in customer's saved delivery addresses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, StrictBool

from oms_dashboard.api.checkout_schemas import AddressIn
from oms_dashboard.api.deps import EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
from oms_dashboard.services import address_book
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["customers"])


class SavedAddressIn(AddressIn):
    label: Annotated[Text, Field(max_length=40)] = "Home"
    phone: Annotated[Text, Field(max_length=40)] | None = None
    default: StrictBool = False


class SavedAddressOut(BaseModel):
    id: str
    label: str
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    is_default: bool


@router.get(
    "/api/v1/me/addresses", response_model=list[SavedAddressOut], responses=responses(401, 403)
)
def get_addresses(
    session: SessionDep, actor: Actor = require_role(Role.CUSTOMER)
) -> list[SavedAddressOut]:
    """Default first."""
    return [
        SavedAddressOut.model_validate(a, from_attributes=True)
        for a in address_book.list_addresses(session, actor=actor)
    ]


@router.post(
    "/api/v1/me/addresses",
    status_code=201,
    response_model=SavedAddressOut,
    responses=responses(401, 403, 422),
)
def post_address(
    body: SavedAddressIn, engine: EngineDep, actor: Actor = require_role(Role.CUSTOMER)
) -> SavedAddressOut:
    """Validated for its country (required fields, postal code format; for the US the
    ZIP must exist and match the state); 422 names each bad field."""
    raw = body.model_dump(exclude={"label", "default"})
    address = address_book.add_address(
        engine, actor=actor, raw=raw, label=body.label, make_default=body.default
    )
    return SavedAddressOut.model_validate(address, from_attributes=True)


@router.delete(
    "/api/v1/me/addresses/{address_id}", status_code=204, responses=responses(401, 403, 404)
)
def remove_address(
    address_id: str, engine: EngineDep, actor: Actor = require_role(Role.CUSTOMER)
) -> Response:
    address_book.delete_address(engine, actor=actor, address_id=address_id)
    return Response(status_code=204)
