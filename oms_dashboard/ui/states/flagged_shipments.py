"""Support's list of shipments in trouble: stuck without scans, a delivery exception,
or a problem the customer reported after delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import tracking_views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.tracking import carrier_title
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.tracking_map import place_label

LIMIT = 200


@dataclass
class FlaggedRow:
    order_href: str
    order_number: str
    status: str
    carrier: str
    tracking_number: str
    flag: str
    reason: str
    since_relative: str
    since_exact: str
    last_scan: str
    last_scan_place: str
    last_scan_relative: str
    last_scan_exact: str


def _last_words(scan, reason: str) -> str:
    """The newest scan's words, unless the flag's reason already quotes them."""
    if scan is None:
        return "No scan yet"
    return "" if reason.startswith(scan.description) else scan.description


class FlaggedShipmentsState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPPORT, Role.ADMIN})
    rows: list[FlaggedRow] = []
    stuck: int = 0
    exceptions: int = 0
    reported: int = 0
    capped: bool = False

    def _clear_view(self) -> None:
        self.rows, self.capped = [], False
        self.stuck = self.exceptions = self.reported = 0

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            found = tracking_views.flagged_with_last_scan(session, actor=gate, limit=LIMIT)
        now = utcnow()
        rows = []
        for item in found:
            shipment, order, scan = item.flagged.shipment, item.flagged.order, item.last_scan
            rows.append(
                FlaggedRow(
                    order_href=f"/orders/{order.id}",
                    order_number=order.number,
                    status=shipment.status,
                    carrier=carrier_title(shipment.carrier),
                    tracking_number=shipment.tracking_number,
                    flag=shipment.flag or "",
                    reason=shipment.flagged_reason or "",
                    since_relative=fmt.relative_time(shipment.flagged_at, now),
                    since_exact=fmt.exact_time(shipment.flagged_at),
                    last_scan=_last_words(scan, shipment.flagged_reason or ""),
                    last_scan_place=place_label(scan) if scan else "",
                    last_scan_relative=fmt.relative_time(scan.at, now) if scan else "",
                    last_scan_exact=fmt.exact_time(scan.at) if scan else "",
                )
            )
        self.rows = rows
        self.stuck = sum(r.flag == "stuck" for r in rows)
        self.exceptions = sum(r.flag == "exception" for r in rows)
        self.reported = sum(r.flag == "reported" for r in rows)
        self.capped = len(rows) >= LIMIT
        self.access = OK
        return None
