"""The order page's customer-service actions: cancel (or ask to), answer a cancellation
request, decide a refund, download the invoice. Each calls one service as the person
signed in, then shows the order as it is now with a notice saying what happened."""

from __future__ import annotations

import functools

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.formatting.money import format_money
from oms_dashboard.services import (
    cancellation,
    downloads,
    invoices,
    order_messages,
    product_reviews,
    refunds,
    returns,
)
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.ui.states.order_detail import OrderDetailState
from oms_dashboard.ui.states.order_service import Outcome, answer_outcome, cancel_outcome


def _money(refund) -> str:
    return format_money(refund.amount_minor, refund.currency)


def _reason(form: dict) -> str:
    return str(form.get("reason", "")).strip()[:1000]


class OrderActionsState(OrderDetailState):
    @rx.event
    def cancel_order(self, form: dict):
        # A reason picked from the list, with the person's own words if they gave any.
        reason = " — ".join(
            part for part in (str(form.get("why", "")).strip(), _reason(form)) if part
        )
        return self._run_action(
            lambda engine, actor: cancellation.cancel_order(
                engine, actor=actor, order_id=self.order.id, reason=reason
            ),
            cancel_outcome,
        )

    @rx.event
    def approve_cancellation(self):
        return self._run_action(
            lambda engine, actor: cancellation.approve_request(
                engine, actor=actor, order_id=self.order.id
            ),
            functools.partial(answer_outcome, approved=True),
        )

    @rx.event
    def approve_refund(self, refund_id: str):
        return self._run_action(
            lambda engine, actor: refunds.approve_refund(engine, actor=actor, refund_id=refund_id),
            lambda found: Outcome(
                f"Refund of {_money(found.refund)} approved: it is sent to the "
                "payment provider and the customer is told.",
                "done",
            ),
        )

    # One reject dialog for the cancellation request and for each refund: ``rejecting``
    # is what it rejects ("cancellation" or a refund's id), "" while it is closed.
    rejecting: str = ""
    reject_error: str = ""

    @rx.event
    def open_reject(self, target: str):
        self.rejecting, self.reject_error = target, ""

    @rx.event
    def set_reject_open(self, is_open: bool):
        if not is_open:
            self.rejecting, self.reject_error = "", ""

    @rx.event
    def submit_reject(self, form: dict):
        reason = _reason(form)
        if not reason:
            # Next to the field, and the dialog stays open with nothing changed.
            self.reject_error = "Say why: the customer reads it."
            return None
        target, self.rejecting, self.reject_error = self.rejecting, "", ""
        if target.startswith("return:"):
            return self._run_action(
                lambda engine, actor: returns.reject_return(
                    engine, actor=actor, return_id=target.removeprefix("return:"), reason=reason
                ),
                lambda ret: Outcome("Return rejected: the customer is told your reason.", "done"),
            )
        if target == "cancellation":
            return self._run_action(
                lambda engine, actor: cancellation.reject_request(
                    engine, actor=actor, order_id=self.order.id, reason=reason
                ),
                functools.partial(answer_outcome, approved=False),
            )
        return self._run_action(
            lambda engine, actor: refunds.reject_refund(
                engine, actor=actor, refund_id=target, note=reason
            ),
            lambda found: Outcome(
                f"Refund of {_money(found.refund)} rejected: the customer is told your reason.",
                "done",
            ),
        )

    @rx.event
    def send_message(self, form: dict):
        body = str(form.get("body", ""))
        return self._run_action(
            lambda engine, actor: order_messages.post_message(
                engine, actor=actor, order_id=self.order.id, body=body
            ),
            lambda message: Outcome(
                "Message sent: the "
                + ("seller" if message.author_role == "customer" else "customer")
                + " is told and answers here.",
                "done",
            ),
        )

    @rx.event
    def post_review(self, form: dict):
        try:
            rating = int(str(form.get("rating", "")))
        except ValueError:
            rating = 0  # the service names the field
        return self._run_action(
            lambda engine, actor: product_reviews.post_review(
                engine,
                actor=actor,
                order_id=self.order.id,
                sku=str(form.get("sku", "")),
                rating=rating,
                body=str(form.get("body", "")),
            ),
            lambda review: Outcome(
                f"Thank you: your {review.rating}-star review of "
                f"{next((r.title for r in self.reviews if r.sku == review.sku), review.sku)} "
                "is posted.",
                "done",
            ),
        )

    @rx.event
    def download_line(self, sku: str):
        """The same file as ``GET /api/v1/orders/{id}/lines/{sku}/download``: the first
        download delivers the line, so the page shows the order as it is now."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            got = downloads.download_line(
                current().engine, actor=gate, order_id=self.order.id, sku=sku
            )
        except (ServiceError, DomainError) as exc:
            return rx.toast.error(exc.detail)
        with session_scope() as session:
            self._show(session, gate)
        return rx.download(data=got.content, filename=got.filename, mime_type="text/plain")

    @rx.event
    def download_invoice(self):
        """The same PDF as ``GET /api/v1/orders/{id}/invoice.pdf``, made for the person
        signed in to this page (the page's session is its credential, as for labels)."""
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf, name = invoices.invoice_pdf(session, actor=gate, order_id=self.order.id)
            except (ServiceError, DomainError) as exc:
                return rx.toast.error(exc.detail)
        return rx.download(data=pdf, filename=name, mime_type="application/pdf")
