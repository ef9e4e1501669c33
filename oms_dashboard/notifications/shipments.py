"""What a customer is told about a package: the bell, an email and a web push.

The tracking service writes one ``customer.shipment_update`` outbox message per
``ShipmentNotice`` (once each; ``delayed`` once per new date). The handler loads
the shipment, its order and the customer fresh, then goes channel by channel,
committing after each, so a retry after a failure resends none that went out:
in-app (account holders only), email (everyone, guests too), push last (the
account's subscribed browsers) so a slow push service never holds up the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.db import session_scope
from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentNotice
from oms_dashboard.models import Order, Seller, Shipment, ShipmentScan
from oms_dashboard.notifications import content
from oms_dashboard.notifications.format import day, when
from oms_dashboard.notifications.notice import Notice, tell_person
from oms_dashboard.notifications.push import send_push

Payload = dict[str, Any]
N = ShipmentNotice


@dataclass(frozen=True)
class Facts:
    """What the texts of one notice are made of, already formatted."""

    number: str
    carrier: str
    tracking_number: str
    is_return: bool
    estimate: str
    previous: str
    carrier_says: str

    @property
    def package(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


def shipment_update(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """Tell the customer about their package, once per notice (safe to run twice)."""
    shipment_id = payload["shipment_id"]
    notice = ShipmentNotice(payload["notice"])
    new_date = _date(payload.get("estimated_delivery"))
    # Keys carry the new date for a delay: each new date is news; the same one is not.
    event = f"{shipment_id}:{notice}" + (f":{new_date}" if notice is N.DELAYED and new_date else "")
    with session_scope(engine) as session:
        shipment = session.get(Shipment, shipment_id)
        if shipment is None:
            raise LookupError(f"shipment {shipment_id} does not exist")
        order = content.load_order(session, shipment.order_id)
        scan = latest_scan(session, shipment_id)
        facts = Facts(
            number=order.number,
            carrier=shipment.carrier.upper(),
            tracking_number=shipment.tracking_number,
            is_return=shipment.direction == ShipmentDirection.RETURN,
            estimate=day(new_date or shipment.estimated_delivery),
            previous=day(_date(payload.get("previous_estimate"))),
            carrier_says=scan.description if scan else "",
        )
        title, body = texts(notice, facts)
        order_path = f"/orders/{order.id}"
        told = Notice(
            key=f"shipment:{event}",
            kind=f"shipment_{notice}",
            title=title,
            body=body,
            template=f"shipment_{notice}",
            subject=title,
            context=email_context(session, order, shipment, scan, facts, title),
            order_id=order.id,
        )
        user_id = content.customer_user_id(session, order.customer_id)
        tell_person(session, told, user_id=user_id, email=order.customer_email)
        if user_id:
            send_push(
                session,
                user_id,
                title=title,
                body=body,
                url=order_path,
                # One notification per package on the device: the newest replaces the last.
                tag=f"shipment:{shipment_id}",
                dedupe_key=f"push:shipment:{event}",
            )


def texts(notice: ShipmentNotice, f: Facts) -> tuple[str, str]:
    """The title (also the email's subject) and the short text of the bell and the push."""
    by = f" Estimated delivery: {f.estimate}." if f.estimate else ""
    arrives = f" It should reach the seller on {f.estimate}." if f.estimate else ""
    on = f" on {f.estimate}" if f.estimate else ""
    said = f" {f.carrier} says: “{f.carrier_says}”." if f.carrier_says else ""
    was = f" (it was {f.previous})" if f.previous else ""
    later = f.estimate or "a later date"
    told = " Our support team has been told and will follow up."
    if f.is_return:
        ret = f"return for order {f.number}"
        return {
            N.SHIPPED: (
                f"Your {ret} is on its way",
                f"{f.package} is taking your return back to the seller.{arrives}",
            ),
            N.OUT_FOR_DELIVERY: (
                f"Your {ret} reaches the seller today",
                f"{f.package} is out for delivery to the seller.",
            ),
            N.DELIVERED: (
                f"The seller has received your {ret}",
                f"{f.package} was delivered to the seller. If anything is wrong, report a "
                "problem from the order page.",
            ),
            N.DELIVERY_EXCEPTION: (
                f"A problem with your {ret}",
                f"{f.package} could not go on to the seller as planned.{said}{told}",
            ),
            N.DELAYED: (
                f"Your {ret} is delayed",
                f"{f.package} should now reach the seller on {later}{was}.",
            ),
            N.SIGNATURE_REQUIRED: (
                f"Your {ret} will be signed for by the seller",
                f"{f.package} needs a signature when it reaches the seller{on}: the seller "
                "signs for it, nothing for you to do.",
            ),
        }[notice]
    return {
        N.SHIPPED: (f"Order {f.number} has shipped", f"{f.package} is on its way to you.{by}"),
        N.OUT_FOR_DELIVERY: (
            f"Order {f.number} is out for delivery",
            f"{f.package} should arrive today.",
        ),
        N.DELIVERED: (
            f"Order {f.number} was delivered",
            f"{f.package} was delivered. Please confirm you received it, or report a "
            "problem, from the order page.",
        ),
        N.DELIVERY_EXCEPTION: (
            f"A problem with the delivery of order {f.number}",
            f"{f.package} could not be delivered as planned.{said}{told}",
        ),
        N.DELAYED: (
            f"Order {f.number} is delayed",
            f"{f.package} should now arrive on {later}{was}.",
        ),
        N.SIGNATURE_REQUIRED: (
            f"Order {f.number} needs a signature on delivery",
            f"Someone must be there to sign for {f.package} when it arrives{on}.",
        ),
    }[notice]


def latest_scan(session: Session, shipment_id: str) -> ShipmentScan | None:
    query = select(ShipmentScan).where(ShipmentScan.shipment_id == shipment_id)
    return session.exec(query.order_by(ShipmentScan.at.desc(), ShipmentScan.id.desc())).first()


def email_context(
    session: Session,
    order: Order,
    shipment: Shipment,
    scan: ShipmentScan | None,
    facts: Facts,
    title: str,
) -> dict[str, Any]:
    seller = session.get(Seller, order.seller_id)
    place = ", ".join(p for p in (scan.city, scan.region, scan.country) if p) if scan else ""
    return {
        "customer_name": order.ship_name,
        "title": title,
        "number": order.number,
        "seller_name": seller.name if seller else "",
        "is_return": facts.is_return,
        "carrier": facts.carrier,
        "service": shipment.service,
        "tracking_number": shipment.tracking_number,
        "estimated_delivery": facts.estimate,
        "previous_estimate": facts.previous,
        "carrier_says": facts.carrier_says,
        "scan": (
            {
                "description": scan.description,
                "place": place,
                "at": when(scan.at),
                "line": f"{scan.description}{', ' + place if place else ''} ({when(scan.at)})",
            }
            if scan
            else None
        ),
        "order_url": content.link(f"/orders/{order.id}"),
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
