"""An order's shipments as the order page shows them: where each package is, when it
should arrive, what the carrier scanned (newest first), and a map of the scans.

Plain view data built on the server from ``orders.get_order_detail``; the map is a
plotly figure (a dict) drawn by ``ui.components.shipment_panel``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentFlag, ShipmentStatus
from oms_dashboard.formatting.carriers import service_title
from oms_dashboard.models import Order, Shipment, ShipmentScan
from oms_dashboard.services.actor import Role
from oms_dashboard.services.orders import OrderDetail
from oms_dashboard.services.tracking import carrier_title
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.tracking_map import map_caption, map_point, place_label, route_figure

RECENT_SCANS = 5
"""Scans listed at once; the older ones fold away under "Show earlier scans"."""


@dataclass
class ScanRow:
    id: str
    at: str
    """ISO 8601, for the reader's own clock (rendered in their time zone)."""
    relative: str
    exact: str
    description: str
    place: str
    latest: bool


@dataclass
class ShipmentPanel:
    id: str = ""
    heading: str = ""
    """``FedEx Ground``, or ``Return · UPS Ground``."""
    carrier: str = ""
    tracking_number: str = ""
    status: str = ""
    signature_required: bool = False
    arrival_label: str = ""
    arrival: str = ""
    was: str = ""
    """The date promised at checkout, when the carrier's own estimate differs."""
    was_label: str = "was"
    flag: str = ""
    flag_title: str = ""
    flag_text: str = ""
    synced: str = ""
    synced_exact: str = ""
    recent_scans: list[ScanRow] = field(default_factory=list)
    """Newest first."""
    older_scans: list[ScanRow] = field(default_factory=list)
    older_label: str = ""
    scan_count: int = 0
    points: int = 0
    """Scans on the map (those whose place is known)."""
    figure: dict[str, Any] = field(default_factory=dict)
    map_caption: str = ""


def build_shipment_panels(detail: OrderDetail, role: Role, now: datetime) -> list[ShipmentPanel]:
    return [
        shipment_panel(s, detail.scans.get(s.id, []), detail.order, role, now)
        for s in detail.shipments
    ]


def shipment_panel(
    shipment: Shipment, scans: list[ShipmentScan], order: Order, role: Role, now: datetime
) -> ShipmentPanel:
    """``scans`` newest first, as ``get_order_detail`` gives them."""
    carrier = carrier_title(shipment.carrier)
    heading = service_title(shipment.carrier, shipment.service)
    if shipment.direction == ShipmentDirection.RETURN:
        heading = f"Return · {heading}"
    points = [p for p in (map_point(s) for s in reversed(scans)) if p is not None]
    rows = [scan_row(s, n == 0, now) for n, s in enumerate(scans)]
    panel = ShipmentPanel(
        id=shipment.id,
        heading=heading,
        carrier=carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        signature_required=shipment.signature_required,
        recent_scans=rows[:RECENT_SCANS],
        older_scans=rows[RECENT_SCANS:],
        older_label=_older_label(len(rows) - RECENT_SCANS),
        scan_count=len(rows),
        points=len(points),
        figure=route_figure(points, shipment.status) if points else {},
        map_caption=map_caption(points, len(scans)),
        **_arrival(shipment, order),
        **_flag(shipment, role, now),
    )
    if shipment.last_synced_at:
        panel.synced = (
            f"Last update from {carrier} {fmt.relative_time(shipment.last_synced_at, now)}"
        )
        panel.synced_exact = fmt.exact_time(shipment.last_synced_at)
    else:
        panel.synced = f"{carrier} has not sent an update yet"
    return panel


def _older_label(n: int) -> str:
    return f"Show {n} earlier scan{'' if n == 1 else 's'}" if n > 0 else ""


def _arrival(shipment: Shipment, order: Order) -> dict[str, str]:
    promised: date | None = order.estimated_delivery
    if shipment.status == ShipmentStatus.DELIVERED and shipment.delivered_at:
        delivered = shipment.delivered_at.date()
        was = fmt.day(promised) if promised and promised != delivered else ""
        return {
            "arrival_label": "Delivered",
            "arrival": fmt.day(delivered),
            "was": was,
            "was_label": "promised",
        }
    estimate = shipment.estimated_delivery or promised
    if estimate is None:
        return {"arrival_label": "Estimated delivery", "arrival": "Not estimated yet", "was": ""}
    revised = promised is not None and estimate != promised
    return {
        "arrival_label": "Estimated delivery",
        "arrival": fmt.day(estimate),
        "was": fmt.day(promised) if revised else "",
    }


FLAG_TITLES = {
    ShipmentFlag.STUCK: "No news from the carrier",
    ShipmentFlag.EXCEPTION: "Delivery problem",
    ShipmentFlag.REPORTED: "Problem reported by the customer",
}
CUSTOMER_FLAG_NOTE = "Our support team is on it and will contact you if anything is needed."


def _flag(shipment: Shipment, role: Role, now: datetime) -> dict[str, str]:
    if not shipment.flag:
        return {"flag": "", "flag_title": "", "flag_text": ""}
    flag = ShipmentFlag(shipment.flag)
    since = fmt.relative_time(shipment.flagged_at, now) if shipment.flagged_at else ""
    text = shipment.flagged_reason or ""
    if since:
        text = f"{text} Flagged {since}." if text.endswith(".") else f"{text}. Flagged {since}."
    if role is Role.CUSTOMER:
        text = f"{text} {CUSTOMER_FLAG_NOTE}"
    return {"flag": flag.value, "flag_title": FLAG_TITLES[flag], "flag_text": text.strip()}


def scan_row(scan: ShipmentScan, latest: bool, now: datetime) -> ScanRow:
    return ScanRow(
        id=scan.id,
        at=scan.at.isoformat(),
        relative=fmt.relative_time(scan.at, now),
        exact=fmt.exact_time(scan.at),
        description=scan.description,
        place=place_label(scan),
        latest=latest,
    )
