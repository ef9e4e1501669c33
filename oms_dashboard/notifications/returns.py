"""What a customer is told about their return, one notice per step (``ReturnStep``):
approved (with the return label when one is needed), rejected, received and inspected,
the replacement shipped. In-app for account holders, then email, committing after
each, so a retry resends neither."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms_dashboard.db import session_scope
from oms_dashboard.domain.returns import Resolution, ReturnRule, ReturnStatus
from oms_dashboard.domain.tracking import carrier_title
from oms_dashboard.models import Return, Seller, Shipment
from oms_dashboard.notifications import content
from oms_dashboard.notifications.notice import Notice, tell_person
from oms_dashboard.services.return_records import ReturnStep

Payload = dict[str, Any]


def return_update(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """Tell the customer about one step of their return (safe to run twice)."""
    return_id, step = payload["return_id"], ReturnStep(payload["step"])
    with session_scope(engine) as session:
        ret = session.get(Return, return_id)
        if ret is None:
            raise LookupError(f"return {return_id} does not exist")
        order = content.load_order(session, ret.order_id)
        seller = session.get(Seller, ret.seller_id)
        label = session.get(Shipment, ret.shipment_id) if ret.shipment_id else None
        sent = session.get(Shipment, ret.exchange_shipment_id) if ret.exchange_shipment_id else None
        title, body = texts(step, ret, order.number, label, sent)
        package = sent if step is ReturnStep.EXCHANGE_SHIPPED else label
        told = Notice(
            key=f"return:{return_id}:{step}",
            kind=f"return_{step}",
            title=title,
            body=body,
            template="return_update",
            subject=title,
            context={
                "title": title,
                "body": body,
                "customer_name": order.ship_name,
                "number": order.number,
                "seller_name": seller.name if seller else "",
                "carrier": carrier_title(package.carrier) if package else "",
                "tracking_number": package.tracking_number if package else "",
                "label_url": content.link(label.label_url)
                if label and step is ReturnStep.APPROVED
                else "",
                "order_url": content.link(f"/orders/{order.id}"),
            },
            order_id=order.id,
        )
        user_id = content.customer_user_id(session, order.customer_id)
        tell_person(session, told, user_id=user_id, email=order.customer_email)


def texts(
    step: ReturnStep, ret: Return, number: str, label: Shipment | None, sent: Shipment | None
) -> tuple[str, str]:
    """The title (also the email's subject) and the short text of the bell."""
    exchange = ret.resolution == Resolution.EXCHANGE
    then = "your replacement is held for you" if exchange else "your refund follows"
    if step is ReturnStep.APPROVED:
        if label is not None:
            how = (
                f"Print the {carrier_title(label.carrier)} return label "
                f"(tracking {label.tracking_number}) and send the item back; {then} "
                "once the seller has it."
            )
        elif exchange:
            how = "Nothing needs to come back: the seller sends your replacement."
        else:
            how = "Nothing needs to come back: your refund is on its way."
        return f"Your return for order {number} is approved", how
    if step is ReturnStep.REJECTED:
        why = ret.decision_note or "no reason given"
        return f"Your return for order {number} was not accepted", f"The seller says: {why}"
    if step is ReturnStep.RECEIVED:
        if ret.status == ReturnStatus.REFUND_DUE:
            nxt = " Your refund is on its way."
        elif ret.rule == ReturnRule.DAMAGE_NOT_REPORTED:
            nxt = " Someone looks at it and tells you what happens next."
        elif exchange:
            nxt = " Your replacement is on its way to you."
        else:
            nxt = ""
        return f"The seller has checked your return for order {number}", ret.rule_reason + nxt
    package = f"{carrier_title(sent.carrier)} {sent.tracking_number}" if sent else "It"
    return (
        f"Your replacement for order {number} is on its way",
        f"{package} brings your replacement.",
    )
