"""Announcing and cancelling maintenance windows (admins, audited), and the banner."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.maintenance import banner_text, check_cancellable, check_window
from oms_dashboard.ids import new_id
from oms_dashboard.models import MaintenanceWindow
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.unit_of_work import transactional

BANNER_SECONDS = 30.0
"""Every page asks for the banner: read the table at most this often per process."""


@transactional
def announce_maintenance(
    session: Session, *, actor: Actor, starts_at: datetime, ends_at: datetime, message: str
) -> MaintenanceWindow:
    actor.require(Role.ADMIN)
    message = message.strip()
    check_window(starts_at, ends_at, message, now=utcnow())
    window = MaintenanceWindow(
        id=new_id("mnt"),
        starts_at=starts_at,
        ends_at=ends_at,
        message=message,
        created_by=actor.user_id,
    )
    session.add(window)
    record_audit(
        session,
        actor=actor,
        action="maintenance.announce",
        entity_type="maintenance_window",
        entity_id=window.id,
        after=snapshot(window),
    )
    forget_banner()
    return window


@transactional
def cancel_maintenance(session: Session, *, actor: Actor, window_id: str) -> MaintenanceWindow:
    actor.require(Role.ADMIN)
    window = session.get(MaintenanceWindow, window_id)
    if window is None:
        raise NotFound("no such maintenance window")
    now = utcnow()
    check_cancellable(window.ends_at, window.cancelled_at, now=now)
    before = snapshot(window)
    window.cancelled_at, window.cancelled_by = now, actor.user_id
    session.add(window)
    record_audit(
        session,
        actor=actor,
        action="maintenance.cancel",
        entity_type="maintenance_window",
        entity_id=window.id,
        before=before,
        after=snapshot(window),
    )
    forget_banner()
    return window


def list_maintenance(session: Session, *, actor: Actor, limit: int = 50) -> list[MaintenanceWindow]:
    """Every window not yet over, soonest first, then the last ones that ended."""
    actor.require(Role.ADMIN)
    now = utcnow()
    coming = session.exec(
        select(MaintenanceWindow)
        .where(MaintenanceWindow.ends_at > now)
        .order_by(MaintenanceWindow.starts_at)
        .limit(limit)
    ).all()
    past = session.exec(
        select(MaintenanceWindow)
        .where(MaintenanceWindow.ends_at <= now)
        .order_by(MaintenanceWindow.ends_at.desc())
        .limit(10)
    ).all()
    return [*coming, *past]


def announced(session: Session, *, now: datetime | None = None) -> MaintenanceWindow | None:
    """The next window (or the one under way) that was not cancelled."""
    now = now or utcnow()
    return session.exec(
        select(MaintenanceWindow)
        .where(MaintenanceWindow.ends_at > now, MaintenanceWindow.cancelled_at.is_(None))
        .order_by(MaintenanceWindow.starts_at)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Banner:
    text: str
    under_way: bool


_cache: dict[str, tuple[float, Banner | None]] = {}
_lock = threading.Lock()


def maintenance_banner(engine: Engine) -> Banner | None:
    """What every signed-in page says about maintenance, read at most every 30 s.

    A database that does not answer shows no banner rather than breaking the page.
    """
    key = str(engine.url)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < BANNER_SECONDS:
        return hit[1]
    now = utcnow()
    try:
        with Session(engine) as session:
            window = announced(session, now=now)
    except sa.exc.SQLAlchemyError:
        return hit[1] if hit else None
    banner = None
    if window is not None:
        banner = Banner(
            banner_text(window.starts_at, window.ends_at, window.message, now=now),
            under_way=window.starts_at <= now,
        )
    with _lock:
        _cache[key] = (time.monotonic(), banner)
    return banner


def forget_banner() -> None:
    """After an announcement or a cancellation this process shows it at once."""
    with _lock:
        _cache.clear()
