"""System-wide order policies: read by staff, changed by admins (audited)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from oms_dashboard.db import insert_if_absent
from oms_dashboard.models import OrderPolicy
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import STAFF, Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Forbidden, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional

# field -> (minimum, maximum): bounds a sane mall would never leave.
POLICY_BOUNDS: dict[str, tuple[int, int]] = {
    "cancellation_window_minutes": (0, 7 * 24 * 60),
    "ship_by_hours": (1, 14 * 24),
    "payment_hold_minutes": (5, 7 * 24 * 60),
    "stuck_shipment_hours": (12, 30 * 24),
    "return_window_days": (0, 365),
    "high_value_refund_minor": (0, 100_000_000),
    "duplicate_window_minutes": (1, 24 * 60),
    "cancellation_request_hours": (1, 7 * 24),
    "support_refund_limit_minor": (0, 100_000_000),
    # seller standing (domain.standing) and settlement (domain.settlement)
    "standing_window_days": (7, 365),
    "standing_min_orders": (1, 100_000),
    "late_shipment_warning_bps": (0, 10_000),
    "late_shipment_suspend_bps": (0, 10_000),
    "seller_cancel_warning_bps": (0, 10_000),
    "seller_cancel_suspend_bps": (0, 10_000),
    "ticket_rate_warning_bps": (0, 10_000),
    "ticket_rate_suspend_bps": (0, 10_000),
    "ship_time_warning_hours": (1, 30 * 24),
    "ship_time_suspend_hours": (1, 30 * 24),
    "response_time_warning_hours": (1, 30 * 24),
    "response_time_suspend_hours": (1, 30 * 24),
    "commission_bps": (0, 5_000),
}

# A warning threshold must not be above its suspension threshold: (warning, suspend).
PAIRED_THRESHOLDS = [
    (f"{name}_warning_{unit}", f"{name}_suspend_{unit}")
    for name, unit in (
        ("late_shipment", "bps"),
        ("seller_cancel", "bps"),
        ("ticket_rate", "bps"),
        ("ship_time", "hours"),
        ("response_time", "hours"),
    )
]


def get_policy(session: Session) -> OrderPolicy:
    """The policy row, created with defaults the first time it is read."""
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
    errors = []
    for name, value in changes.items():
        if name not in POLICY_BOUNDS:
            errors.append({"field": name, "message": "is not an order policy"})
            continue
        low, high = POLICY_BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(
                {"field": name, "message": f"must be a whole number from {low} to {high}"}
            )
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
