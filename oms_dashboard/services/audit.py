"""Audit rows for privileged actions, written in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel

from oms_dashboard.ids import new_id
from oms_dashboard.models import AuditEntry
from oms_dashboard.services.actor import Actor

_SECRET_FIELDS = {"password_hash"}


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row for before/after, without secrets."""
    if row is None:
        return None
    data = row.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in _SECRET_FIELDS}


def record_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        id=new_id("aud"),
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
