"""In-app alerts to staff (every active admin, or every support agent), through the
outbox: overdue or failed refunds, unanswered cancellation requests, a broken
audit chain (no order)."""

from __future__ import annotations

from sqlmodel import Session

from oms_dashboard.services.actor import Role
from oms_dashboard.services.outbox import MessageKind, add_message


def alert_staff(
    session: Session,
    *,
    role: Role,
    key: str,
    kind: str,
    title: str,
    body: str,
    order_id: str | None = None,
) -> bool:
    """Queue an in-app alert to every active user of ``role``; False if ``key`` was
    queued before (so each alert is sent once)."""
    message = add_message(
        session,
        kind=MessageKind.STAFF_ALERT,
        dedupe_key=f"staff-alert:{key}",
        payload={
            "role": role.value,
            "key": key,
            "kind": kind,
            "title": title,
            "body": body,
            "order_id": order_id,
        },
    )
    return message is not None
