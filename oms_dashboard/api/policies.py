"""System-wide order policies: read by staff and sellers, changed by admins."""

from __future__ import annotations

from fastapi import APIRouter

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import PolicyOut, PolicyUpdate
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.policies import read_policy, update_policy

router = APIRouter(tags=["policies"])


@router.get("/api/v1/policies", response_model=PolicyOut, responses=responses(401, 403))
def get_policies(session: SessionDep, actor: ActorDep) -> PolicyOut:
    return PolicyOut.model_validate(read_policy(session, actor=actor), from_attributes=True)


@router.put("/api/v1/policies", response_model=PolicyOut, responses=responses(401, 403, 422))
def put_policies(
    body: PolicyUpdate, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> PolicyOut:
    """Change the policies sent (the others keep their values); audited."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ValidationFailed.one("body", "name at least one policy to change")
    policy = update_policy(engine, actor=actor, changes=changes)
    return PolicyOut.model_validate(policy, from_attributes=True)
