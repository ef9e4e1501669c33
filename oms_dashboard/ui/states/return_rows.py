"""Returns as the order page shows them: what the customer may still send back and
the order's returns, each with what the viewer may do to it. The rules are
``domain.returns`` and the services'; this module only words them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain.returns import Resolution, ReturnReason, ReturnStatus
from oms_dashboard.models import Order, OrderLine, Return
from oms_dashboard.services import return_views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.order_service import Outcome

S = ReturnStatus
RESOLUTIONS = {"Refund me": Resolution.REFUND, "Send the same item again": Resolution.EXCHANGE}
RETURN_TONES = {
    S.REQUESTED: "amber",
    S.APPROVED: "blue",
    S.LABEL_CREATED: "blue",
    S.IN_TRANSIT: "violet",
    S.RECEIVED: "violet",
    S.INSPECTED: "amber",
    S.REFUND_DUE: "blue",
    S.REFUNDED: "green",
    S.EXCHANGE_SHIPPED: "green",
    S.REJECTED: "gray",
    S.CLOSED: "gray",
}
STATUS_WORDS = {
    S.REQUESTED: "Waiting for the seller",
    S.APPROVED: "Approved",
    S.LABEL_CREATED: "Label ready: send it back",
    S.IN_TRANSIT: "On its way back",
    S.RECEIVED: "Back at the seller",
    S.INSPECTED: "Inspected: a person decides",
    S.REFUND_DUE: "Refund due",
    S.REFUNDED: "Refunded",
    S.EXCHANGE_SHIPPED: "Replacement shipped",
    S.REJECTED: "Rejected",
    S.CLOSED: "Closed",
}
INSPECTABLE = frozenset({S.LABEL_CREATED, S.IN_TRANSIT, S.RECEIVED})
"""Where the seller records what came back (the last scans may not be in yet)."""


@dataclass
class ReturnableRow:
    sku: str
    title: str
    left: int


@dataclass
class ReturnRow:
    id: str
    status: str
    status_label: str
    goods: str
    """What goes back: "1 × Slim case, 2 × Cable"."""
    reason: str
    resolution: str
    rule_reason: str
    note: str
    created_relative: str
    created_exact: str
    label_shipment_id: str
    label_text: str
    exchange_text: str
    can_decide: bool
    can_inspect: bool


def returnable_rows(session: Session, order: Order) -> list[ReturnableRow]:
    return [
        ReturnableRow(r.line.sku, r.line.title, r.left)
        for r in return_views.returnable_lines(session, order)
    ]


def _parcel(shipment) -> str:
    if shipment is None:
        return ""
    status = fmt.status_label(shipment.status)
    return f"{shipment.carrier.upper()} {shipment.tracking_number} · {status}"


def return_rows(session: Session, actor: Actor, order: Order) -> list[ReturnRow]:
    titles = dict(
        session.exec(
            select(OrderLine.sku, OrderLine.title).where(OrderLine.order_id == order.id)
        ).all()
    )
    rows = []
    for view in return_views.order_returns(session, actor=actor, order_id=order.id):
        ret: Return = view.ret
        staff = actor.role in (Role.SELLER, Role.ADMIN)
        exchange = ret.resolution == Resolution.EXCHANGE
        rows.append(
            ReturnRow(
                id=ret.id,
                status=ret.status,
                status_label=STATUS_WORDS.get(S(ret.status), ret.status),
                goods=", ".join(
                    f"{line.quantity} × {titles.get(line.sku, line.sku)}" for line in view.lines
                ),
                reason=ReturnReason(ret.reason).label,
                resolution="Exchange" if exchange else "Refund",
                rule_reason=ret.rule_reason,
                note=ret.decision_note or "",
                created_relative=fmt.relative_time(ret.created_at),
                created_exact=fmt.exact_time(ret.created_at),
                label_shipment_id=view.label.id if view.label and view.label.label_url else "",
                label_text=_parcel(view.label),
                exchange_text=_parcel(view.exchange),
                can_decide=staff and ret.status == S.REQUESTED,
                can_inspect=staff and S(ret.status) in INSPECTABLE,
            )
        )
    return rows


def return_outcome(ret: Return) -> Outcome:
    if ret.status == S.REQUESTED:
        return Outcome(f"Return requested. {ret.rule_reason}", "waiting")
    if ret.status == S.LABEL_CREATED:
        return Outcome(
            f"{ret.rule_reason} Print the return label from Returns and drop the parcel "
            "off with the carrier.",
            "done",
        )
    return Outcome(ret.rule_reason or "Return recorded.", "done")
