"""Accounts, created by admins."""

from __future__ import annotations

from fastapi import APIRouter

from oms_dashboard.api.deps import EngineDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import UserCreate, UserOut
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.auth import create_user

router = APIRouter(tags=["identity"])


@router.post(
    "/api/v1/users",
    status_code=201,
    response_model=UserOut,
    responses=responses(401, 403, 409, 422),
)
def post_user(
    body: UserCreate, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> UserOut:
    """Create an account; a customer account also gets its customer profile.
    409 `email-exists` when the email is taken."""
    user = create_user(
        engine,
        actor=actor,
        email=body.email,
        password=body.password,
        name=body.name,
        role=body.role.value,
        seller_id=body.seller_id,
    )
    return UserOut.model_validate(user, from_attributes=True)
