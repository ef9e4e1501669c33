"""How each carrier stands, for the admin's carriers page: its settings
(``carrier_accounts.list_carriers``), its breaker, and the tracking updates waiting
for it — shipments whose next sync is already due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from oms_dashboard.models import CarrierAccount, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.carrier_accounts import OPTIONAL, REQUIRED, CarrierView, list_carriers
from oms_dashboard.services.carrier_health import breaker_open


@dataclass(frozen=True)
class CarrierStatus:
    view: CarrierView
    circuit_open_until: datetime | None
    """Set while the breaker is open: nobody calls the carrier before then."""
    queued_updates: int
    """Shipments of this carrier whose tracking sync is due and not yet done."""
    credential_fields: tuple[str, ...]
    required_fields: tuple[str, ...]


def queued_updates(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Per carrier, how many shipments wait for a tracking sync that is already due."""
    now = now or utcnow()
    rows = session.exec(
        select(Shipment.carrier, func.count())
        .where(Shipment.next_sync_at.is_not(None), Shipment.next_sync_at <= now)
        .group_by(Shipment.carrier)
    ).all()
    return dict(rows)


def carrier_statuses(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> list[CarrierStatus]:
    actor.require(Role.ADMIN)
    now = now or utcnow()
    views = list_carriers(session, actor=actor)
    accounts = {a.carrier: a for a in session.exec(select(CarrierAccount))}
    queued = queued_updates(session, now=now)
    out = []
    for view in views:
        row = accounts[view.carrier]
        open_until = row.circuit_open_until if breaker_open(row, now) else None
        out.append(
            CarrierStatus(
                view=view,
                circuit_open_until=open_until,
                queued_updates=queued.get(view.carrier, 0),
                credential_fields=REQUIRED[view.carrier] + OPTIONAL[view.carrier],
                required_fields=REQUIRED[view.carrier],
            )
        )
    return out
