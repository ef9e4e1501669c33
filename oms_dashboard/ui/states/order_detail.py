"""One order, for whoever may see it: the services answer NotFound for anyone else."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.orders import OrderDetail
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import HOME, AuthState
from oms_dashboard.ui.states.guard import LOADING, NOT_FOUND, OK, GuardedState


@dataclass
class LineRow:
    sku: str
    title: str
    quantity: int
    unit_price: str
    line_total: str


@dataclass
class ShipmentRow:
    carrier: str
    service: str
    tracking_number: str
    status: str
    last_scan: str


@dataclass
class EventRow:
    relative: str
    exact: str
    actor: str
    actor_type: str
    title: str
    from_status: str
    to_status: str
    note: str


@dataclass
class OrderView:
    id: str = ""
    number: str = ""
    status: str = ""
    seller: str = ""
    customer: str = ""
    customer_email: str = ""
    show_customer: bool = False
    placed_relative: str = ""
    placed_exact: str = ""
    subtotal: str = ""
    shipping: str = ""
    total: str = ""
    service_level: str = ""
    estimated_delivery: str = ""
    review_reason: str = ""
    ship_to: str = ""


def _event_title(event_type: str) -> str:
    """``order.status_changed`` reads as ``Status changed``."""
    name = event_type.split(".", 1)[-1]
    return name.replace("_", " ").capitalize()


def build_view(detail: OrderDetail, actor: Actor) -> OrderView:
    o = detail.order
    address = [
        o.ship_name,
        o.ship_line1,
        o.ship_line2 or "",
        " ".join(p for p in (o.ship_city + ",", o.ship_region or "", o.ship_postal_code) if p),
        o.ship_country,
    ]
    return OrderView(
        id=o.id,
        number=o.number,
        status=o.status,
        seller=detail.seller_name,
        customer=detail.customer_name,
        customer_email=o.customer_email,
        # A customer knows who they are; staff and the seller need to.
        show_customer=actor.role is not Role.CUSTOMER,
        placed_relative=fmt.relative_time(o.placed_at),
        placed_exact=fmt.exact_time(o.placed_at),
        subtotal=fmt.money(o.subtotal_minor, o.currency),
        shipping=fmt.money(o.shipping_minor, o.currency),
        total=fmt.money(o.total_minor, o.currency),
        service_level=o.service_level.capitalize(),
        estimated_delivery=fmt.day(o.estimated_delivery),
        review_reason=(o.review_reason or "").replace("_", " "),
        ship_to="\n".join(line for line in address if line),
    )


class OrderDetailState(GuardedState, AuthState):
    order: OrderView = OrderView()
    lines: list[LineRow] = []
    shipments: list[ShipmentRow] = []
    events: list[EventRow] = []
    back_href: str = "/"

    def _clear_view(self) -> None:
        self.order, self.lines, self.shipments, self.events = OrderView(), [], [], []

    def _requested_id(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load(self):
        # Never show the previous order while this one loads.
        self._clear_view()
        self.access = LOADING
        yield
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                yield gate
                return
            self.back_href = HOME[gate.role]
            try:
                detail = order_service.get_order_detail(
                    session, actor=gate, order_id=self._requested_id()
                )
            except NotFound:
                self.access = NOT_FOUND
                return
            self.order = build_view(detail, gate)
            self.lines = [
                LineRow(
                    sku=line.sku,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price=fmt.money(line.unit_price_minor, detail.order.currency),
                    line_total=fmt.money(line.line_total_minor, detail.order.currency),
                )
                for line in detail.lines
            ]
            self.shipments = [
                ShipmentRow(
                    carrier=s.carrier.upper(),
                    service=s.service,
                    tracking_number=s.tracking_number,
                    status=s.status,
                    last_scan=fmt.relative_time(s.last_scan_at) or "no scan yet",
                )
                for s in detail.shipments
            ]
            # Newest first: the question is usually "what happened last?"
            self.events = [
                EventRow(
                    relative=fmt.relative_time(e.at),
                    exact=fmt.exact_time(e.at),
                    actor=e.actor_label,
                    actor_type=e.actor_type,
                    title=_event_title(e.type),
                    from_status=e.from_status or "",
                    to_status=e.to_status or "",
                    note=e.note or "",
                )
                for e in reversed(detail.events)
            ]
            self.access = OK
