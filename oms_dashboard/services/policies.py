"""System-wide order policies: read by staff, changed by admins (audited)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from oms_dashboard.db import insert_if_absent
from oms_dashboard.domain.policies import PAIRED_THRESHOLDS, policy_errors
from oms_dashboard.models import OrderPolicy
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import STAFF, Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Forbidden, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional


def get_policy(session: Session) -> OrderPolicy:
    """The policy row, created with defaults the first time it is read.

    Never cached: every use case reads the row in its own transaction, so a change
    applies to the very next checkout, cancellation or sweep."""
    policy = session.get(OrderPolicy, 1)
    if policy is None:
        insert_if_absent(session, OrderPolicy(id=1))
        policy = session.get(OrderPolicy, 1)
    assert policy is not None
    return policy


def read_policy(session: Session, *, actor: Actor) -> OrderPolicy:
    if actor.role not in STAFF | {Role.SELLER}:
        raise Forbidden("only staff and sellers read the order policies")
    return get_policy(session)


@transactional
def update_policy(session: Session, *, actor: Actor, changes: dict[str, Any]) -> OrderPolicy:
    actor.require(Role.ADMIN)
    errors = policy_errors(changes)
    if errors:
        raise ValidationFailed(errors)
    policy = get_policy(session)
    for warning, suspend in PAIRED_THRESHOLDS:
        low = changes.get(warning, getattr(policy, warning))
        high = changes.get(suspend, getattr(policy, suspend))
        if low > high:
            field = warning if warning in changes else suspend
            errors.append(
                {"field": field, "message": f"{warning} ({low}) must not exceed {suspend} ({high})"}
            )
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(policy)
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.updated_at = utcnow()
    policy.updated_by = actor.user_id
    session.add(policy)
    record_audit(
        session,
        actor=actor,
        action="policy.update",
        entity_type="policy",
        entity_id="order_policies",
        before=before,
        after=snapshot(policy),
    )
    return policy
