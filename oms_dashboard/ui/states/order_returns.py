"""The order page's actions on returns: the customer asks (lines, reason, refund or
exchange), the seller approves and records what came back, either prints the label.
Each calls one service as the signed-in person and ends with a notice."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.returns import Condition, Resolution, ReturnReason
from oms_dashboard.domain.returns import ReturnStatus as S
from oms_dashboard.services import return_inspection, returns, shipments
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.ui.states.order_detail import OrderDetailState
from oms_dashboard.ui.states.order_service import Outcome
from oms_dashboard.ui.states.return_rows import RESOLUTIONS, return_outcome


def _approved(ret) -> Outcome:
    text = "Return approved: the customer gets the return label"
    if ret.resolution == Resolution.EXCHANGE:
        text += " and the replacement is held for them"
    if not ret.shipment_id:
        text += ". The carrier did not sell the label yet: approve again to retry"
    return Outcome(text + ".", "done")


class ReturnActionsState(OrderDetailState):
    @rx.event
    def request_return(self, form: dict):
        lines = []
        for row in self.returnable:
            try:
                quantity = int(str(form.get(f"qty-{row.sku}", "0")).strip() or 0)
            except ValueError:
                quantity = 0
            if quantity > 0:
                lines.append(returns.Asked(row.sku, quantity))
        reason = next((r.value for r in ReturnReason if r.label == form.get("reason")), "other")
        resolution = RESOLUTIONS.get(str(form.get("resolution", "")), Resolution.REFUND)
        note = str(form.get("note", "")).strip()[:1000] or None
        return self._run_action(
            lambda engine, actor: returns.request_return(
                engine,
                actor=actor,
                order_id=self.order.id,
                lines=lines,
                reason=reason,
                resolution=resolution,
                note=note,
                sandbox_transport=current().sandbox_transport,
            ),
            return_outcome,
        )

    @rx.event
    def approve_return(self, return_id: str):
        return self._run_action(
            lambda engine, actor: returns.approve_return(
                engine,
                actor=actor,
                return_id=return_id,
                sandbox_transport=current().sandbox_transport,
            ),
            _approved,
        )

    @rx.event
    def inspect_return(self, form: dict):
        condition = str(form.get("condition", ""))
        return self._run_action(
            lambda engine, actor: return_inspection.receive_return(
                engine,
                actor=actor,
                return_id=str(form.get("return_id", "")),
                condition=next((c.value for c in Condition if c.value == condition), condition),
                sandbox_transport=current().sandbox_transport,
            ),
            lambda ret: Outcome(
                f"Recorded as {ret.condition}. {ret.rule_reason}"
                + (" The replacement is on its way." if ret.status == S.EXCHANGE_SHIPPED else "")
                + (" The refund is started." if ret.status in (S.REFUND_DUE, S.REFUNDED) else ""),
                "done",
            ),
        )

    @rx.event
    def download_return_label(self, shipment_id: str):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                pdf, name = shipments.label_pdf(session, actor=gate, shipment_id=shipment_id)
            except (ServiceError, DomainError) as exc:
                return rx.toast.error(exc.detail)
        return rx.download(data=pdf, filename=name, mime_type="application/pdf")
