"""One order, for whoever may see it: the services answer NotFound for anyone else."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.services import order_views as views
from oms_dashboard.services import orders as order_service
from oms_dashboard.services import payments
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ServiceError
from oms_dashboard.services.order_views import PAYMENT_LABELS
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
    review_text: str = ""
    payment: str = ""
    payment_failed: bool = False
    can_retry_payment: bool = False
    ship_to: str = ""


@dataclass
class SiblingRow:
    """Another order of the same checkout: the same basket, another seller."""

    href: str
    number: str
    seller: str
    status: str
    total: str


def _event_title(event_type: str) -> str:
    """``order.status_changed`` reads as ``Status changed``."""
    name = event_type.split(".", 1)[-1]
    return name.replace("_", " ").capitalize()


REVIEW_TEXT = {
    "duplicate": "Held for review: it repeats an order placed minutes earlier. "
    "Nothing ships until an admin releases or cancels it.",
    "stock_lost": "Held for review: an item is no longer in stock. The customer was "
    "offered alternatives; an admin releases the order once stock is back, or cancels it.",
    "payment": "Held for review: the payment does not match the order total.",
}


def build_view(detail: OrderDetail, actor: Actor, payment_status: str) -> OrderView:
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
        review_text=REVIEW_TEXT.get(o.review_reason or "", ""),
        payment=PAYMENT_LABELS.get(payment_status, payment_status),
        payment_failed=payment_status == "failed",
        can_retry_payment="retry_payment" in detail.allowed_actions,
        ship_to="\n".join(line for line in address if line),
    )


class OrderDetailState(GuardedState, AuthState):
    order: OrderView = OrderView()
    lines: list[LineRow] = []
    shipments: list[ShipmentRow] = []
    events: list[EventRow] = []
    siblings: list[SiblingRow] = []
    back_href: str = "/"
    busy: bool = False

    def _clear_view(self) -> None:
        self.order, self.lines, self.shipments, self.events = OrderView(), [], [], []
        self.siblings = []

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
            self.order = build_view(detail, gate, views.payment_status(session, detail.order))
            self.siblings = [
                SiblingRow(
                    href=f"/orders/{o.id}",
                    number=o.number,
                    seller=o.seller_id,
                    status=o.status,
                    total=fmt.money(o.total_minor, o.currency),
                )
                for o in views.checkout_siblings(session, actor=gate, order=detail.order)
            ]
            names = order_service.seller_names(session, [o.seller for o in self.siblings])
            for row in self.siblings:
                row.seller = names.get(row.seller, row.seller)
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

    @rx.event
    def retry_payment(self):
        """The customer's second try: hold the stock again, then pay at the provider."""
        self.busy = True
        yield
        try:
            with session_scope() as session:
                gate = self._guard(session)
                if not isinstance(gate, Actor):
                    self.busy = False
                    yield gate
                    return
                payments.retry_payment(session, actor=gate, order_id=self.order.id)
        except ServiceError as exc:
            self.busy = False
            yield rx.toast.error(f"Could not retry: {exc.detail}")
            return
        self.busy = False
        yield rx.toast.success("Your items are held again. Complete the payment to confirm.")
        yield OrderDetailState.load
