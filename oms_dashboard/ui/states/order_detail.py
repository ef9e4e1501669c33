"""One order, for whoever may see it: the services answer NotFound for anyone else."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.product_kinds import UNPAID, ProductKind
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.formatting.addresses import ship_to_lines
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import order_views as views
from oms_dashboard.services import orders as order_service
from oms_dashboard.services import payments, receipt
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ServiceError
from oms_dashboard.services.order_views import PAYMENT_LABELS
from oms_dashboard.services.orders import OrderDetail
from oms_dashboard.services.receipt import DeliveryProblem
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import HOME, AuthState
from oms_dashboard.ui.states.guard import LOADING, NOT_FOUND, OK, GuardedState
from oms_dashboard.ui.states.order_service import (
    CancelOffer,
    MessageRow,
    Outcome,
    RefundRow,
    RequestView,
    ReviewRow,
    cancel_offer,
    message_rows,
    refund_rows,
    request_view,
    review_rows,
)
from oms_dashboard.ui.states.return_rows import (
    ReturnableRow,
    ReturnRow,
    return_rows,
    returnable_rows,
)
from oms_dashboard.ui.states.shipment_views import ShipmentPanel, build_shipment_panels
from oms_dashboard.ui.states.tracking_watch import TrackingWatch


@dataclass
class LineRow:
    sku: str
    title: str
    quantity: int
    unit_price: str
    line_total: str
    note: str = ""
    """What kind of item it is, when not a plain box: a download, a subscription."""
    downloadable: bool = False
    """The customer's digital line of a paid order: the Download button."""


def line_note(kind: str, downloaded_at, renewal_cancelled_at) -> str:
    if kind == ProductKind.DIGITAL:
        return "Digital download" + (
            f", downloaded {fmt.relative_time(downloaded_at)}" if downloaded_at else ""
        )
    if kind == ProductKind.SUBSCRIPTION:
        return "Subscription: " + ("renewals cancelled" if renewal_cancelled_at else "renews")
    return ""


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
    payment_notice: str = ""
    can_retry_payment: bool = False
    can_answer_delivery: bool = False
    """Delivered: the customer may confirm receipt or report a problem (once)."""
    can_cancel: bool = False
    """Cancelling now or asking the seller to: ``cancel_offer`` says which."""
    can_answer_cancellation: bool = False
    can_download_invoice: bool = False
    can_message: bool = False
    """The customer or the owning seller writes in the order's thread; staff read."""
    can_change_address: bool = False
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
    """``order.status_changed`` reads as ``Status changed``; another subject keeps its
    name (``refund.requested``: ``Refund requested``), so two requests read apart."""
    subject, _, name = event_type.rpartition(".")
    words = name if subject in ("", "order") else f"{subject} {name}"
    return words.replace("_", " ").capitalize()


PAYMENT_FAILED_TEXT = {
    Role.CUSTOMER: "We could not verify your payment, so the items were released. Your "
    "basket is kept: retry the payment to hold them again.",
    Role.SELLER: "The customer's payment failed and the stock was released. Do not ship: "
    "the order goes on only if the customer pays again.",
}
STAFF_PAYMENT_FAILED_TEXT = (
    "The payment could not be verified and the stock was released. The customer can retry "
    "the payment from this order."
)


def review_text(reason: str | None, role: Role) -> str:
    return ReviewReason(reason).explain(role) if reason else ""


def checkout_summary(siblings: int, sellers: int, total: str) -> str:
    """``Part of one checkout with 3 orders from 2 sellers, USD 120.00 in all.``"""
    orders = siblings + 1
    return (
        f"Part of one checkout with {orders} orders from {sellers} "
        f"seller{'' if sellers == 1 else 's'}, {total} in all. Each seller ships its "
        "order on its own."
    )


def build_view(detail: OrderDetail, actor: Actor, payment_status: str) -> OrderView:
    o = detail.order
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
        subtotal=format_money(o.subtotal_minor, o.currency),
        shipping=format_money(o.shipping_minor, o.currency),
        total=format_money(o.total_minor, o.currency),
        service_level=o.service_level.capitalize(),
        estimated_delivery=fmt.day(o.estimated_delivery),
        review_reason=ReviewReason(o.review_reason).label if o.review_reason else "",
        review_text=review_text(o.review_reason, actor.role),
        payment=PAYMENT_LABELS.get(payment_status, payment_status),
        payment_failed=payment_status == "failed",
        payment_notice=PAYMENT_FAILED_TEXT.get(actor.role, STAFF_PAYMENT_FAILED_TEXT),
        can_retry_payment="retry_payment" in detail.allowed_actions,
        can_answer_delivery="confirm_receipt" in detail.allowed_actions,
        can_cancel=bool(
            {"cancel", "request_cancellation", "cancel_renewals"} & set(detail.allowed_actions)
        ),
        can_answer_cancellation="approve_cancellation" in detail.allowed_actions,
        can_download_invoice="download_invoice" in detail.allowed_actions,
        can_message=bool({"message_seller", "message_customer"} & set(detail.allowed_actions)),
        can_change_address="change_address" in detail.allowed_actions,
        ship_to="\n".join(ship_to_lines(o)),
    )


NO_DOWNLOAD = UNPAID | {OrderStatus.CANCELLED}
"""Orders whose digital lines are not offered for download (``check_downloadable``)."""


class OrderDetailState(TrackingWatch, GuardedState, AuthState):
    order: OrderView = OrderView()
    lines: list[LineRow] = []
    shipments: list[ShipmentPanel] = []
    events: list[EventRow] = []
    siblings: list[SiblingRow] = []
    checkout_text: str = ""
    back_href: str = "/"
    busy: bool = False
    cancel_offer: CancelOffer = CancelOffer()
    cancel_request: RequestView = RequestView()
    refunds: list[RefundRow] = []
    messages: list[MessageRow] = []
    returnable: list[ReturnableRow] = []
    returns: list[ReturnRow] = []
    reviews: list[ReviewRow] = []
    outcome: Outcome = Outcome()

    def _clear_view(self) -> None:
        self.order, self.lines, self.shipments, self.events = OrderView(), [], [], []
        self.siblings, self.checkout_text = [], ""
        self.cancel_offer, self.cancel_request = CancelOffer(), RequestView()
        self.refunds, self.messages, self.outcome = [], [], Outcome()
        self.returnable, self.returns, self.reviews = [], [], []

    def _requested_id(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    def _put(self, **values: Any) -> None:
        """Assign only what differs, so a refresh with no news sends nothing."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _watched_order_id(self) -> str:
        return self.order.id if self.access == OK else ""

    def _refresh_tracking(self) -> None:
        with session_scope() as session:
            gate = self._guard(session)
            if isinstance(gate, Actor):
                self._show(session, gate)

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
            self._show(session, gate)

    def _show(self, session: Session, gate: Actor) -> None:
        """Fill the page with the requested order, or say it is not there."""
        try:
            detail = order_service.get_order_detail(
                session, actor=gate, order_id=self._requested_id()
            )
        except NotFound:
            self._clear_view()
            self.access = NOT_FOUND
            return
        order = build_view(detail, gate, views.payment_status(session, detail.order))
        siblings = views.checkout_siblings(session, actor=gate, order=detail.order)
        names = order_service.seller_names(session, [o.seller_id for o in siblings])
        sibling_rows = [
            SiblingRow(
                href=f"/orders/{o.id}",
                number=o.number,
                seller=names.get(o.seller_id, o.seller_id),
                status=o.status,
                total=format_money(o.total_minor, o.currency),
            )
            for o in siblings
        ]
        checkout_text = ""
        if siblings:
            total, currency = views.checkout_total(session, detail.order)
            sellers = {detail.order.seller_id, *(o.seller_id for o in siblings)}
            checkout_text = checkout_summary(
                len(siblings), len(sellers), format_money(total, currency)
            )
        lines = [
            LineRow(
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                unit_price=format_money(line.unit_price_minor, detail.order.currency),
                line_total=format_money(line.line_total_minor, detail.order.currency),
                note=line_note(line.kind, line.downloaded_at, detail.order.renewal_cancelled_at),
                downloadable=gate.role is Role.CUSTOMER
                and line.kind == ProductKind.DIGITAL
                and detail.order.status not in NO_DOWNLOAD,
            )
            for line in detail.lines
        ]
        # Newest first: the question is usually "what happened last?"
        events = [
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
        self._put(
            order=order,
            siblings=sibling_rows,
            checkout_text=checkout_text,
            lines=lines,
            shipments=build_shipment_panels(detail, gate.role, utcnow()),
            events=events,
            cancel_offer=cancel_offer(session, gate, detail.order, detail.allowed_actions),
            cancel_request=request_view(session, gate, detail.order),
            refunds=refund_rows(session, gate, detail.order),
            messages=message_rows(current().engine, gate, detail.order),
            returnable=returnable_rows(session, detail.order)
            if "request_return" in detail.allowed_actions
            else [],
            returns=return_rows(session, gate, detail.order),
            reviews=review_rows(session, gate, detail.order, detail.allowed_actions),
            access=OK,
        )

    def _act(self, action, success: str):
        """Run one service ``action(engine, actor=..., order_id=...)`` for the caller,
        then show the order as it is now; a refusal is shown in its own words."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            action(current().engine, actor=gate, order_id=self.order.id)
        except (ServiceError, DomainError) as exc:
            return rx.toast.error(exc.detail)
        with session_scope() as session:
            self._show(session, gate)
        return rx.toast.success(success)

    def _run_action(self, call, said):
        """``call(engine, actor)`` as the signed-in person, then the order as it is now
        with ``said(result)`` as the page's notice; a refusal is the notice instead, in
        the rule's own words, and changes nothing."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            result = call(current().engine, gate)
        except (ServiceError, DomainError) as exc:
            self.outcome = Outcome(exc.detail, "refused")
        else:
            self.outcome = said(result)
        with session_scope() as session:
            self._show(session, gate)
        return None

    problem: str = "not_arrived"
    """The delivery problem chosen in the report dialog (a ``DeliveryProblem``)."""

    @rx.event
    def set_problem_label(self, label: str):
        self.problem = next((p.value for p in DeliveryProblem if p.label == label), "")

    @rx.event
    def confirm_receipt(self):
        return self._act(receipt.confirm_receipt, "Thank you: the order is marked as received.")

    @rx.event
    def report_problem(self, form: dict):
        note = str(form.get("note", ""))[:1000]
        report = functools.partial(receipt.report_delivery_problem, problem=self.problem, note=note)
        return self._act(report, "Reported: support will look into it and tell you what happens.")

    @rx.event
    def retry_payment(self):
        """The customer's second try: hold the stock again, then pay at the provider."""
        self.busy = True
        yield
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            self.busy = False
            yield gate
            return
        try:
            payments.retry_payment(current().engine, actor=gate, order_id=self.order.id)
        except (ServiceError, DomainError) as exc:
            self.busy = False
            yield rx.toast.error(f"Could not retry the payment: {exc.detail}")
            return
        # Show the order as it is now (pending payment, stock held) without a reload.
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                self.busy = False
                yield gate
                return
            self._show(session, gate)
        self.busy = False
        yield rx.toast.success("Stock held again: complete the payment to confirm your order.")
