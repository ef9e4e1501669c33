"""A digital line's download: ``GET /orders/{id}/lines/{sku}/download``.

The customer downloads what they bought from their own order once it is paid. The
file is the item's licence (what a shop selling e-books or software keys hands out);
the first download delivers the line (``OrderLine.downloaded_at``), after which the
order can no longer be cancelled (``cancellation.DIGITAL_DELIVERED``). Every download
is written to the order's timeline, so support sees who fetched what and when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain.product_kinds import check_downloadable
from oms_dashboard.models import Order, OrderLine
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.refunds import lock_visible_order
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.unit_of_work import transactional


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    media_type: str = "text/plain; charset=utf-8"


@transactional
def download_line(session: Session, *, actor: Actor, order_id: str, sku: str) -> Download:
    actor.require(Role.CUSTOMER)
    order = lock_visible_order(session, actor, order_id)
    line = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.sku == sku)
    ).first()
    if line is None:
        raise NotFound(f"no line {sku!r} on this order")
    check_downloadable(line.kind, order.status)
    first = line.downloaded_at is None
    if first:
        line.downloaded_at = utcnow()
        session.add(line)
    record_event(
        session,
        order,
        "line.downloaded",
        by=By.person(actor),
        note=f"{'Downloaded' if first else 'Downloaded again'}: {line.title}",
        data={"sku": line.sku, "first": first},
    )
    return Download(filename=f"{order.number}-{line.sku}.txt", content=licence(order, line))


def licence(order: Order, line: OrderLine) -> bytes:
    """The item's licence: the same key every time for the same order and line."""
    digest = hashlib.sha256(f"{order.id}:{line.id}".encode()).hexdigest().upper()[:20]
    key = "-".join(digest[i : i + 5] for i in range(0, 20, 5))
    return (
        f"{line.title}\nOrder {order.number}, quantity {line.quantity}\nLicence key: {key}\n"
    ).encode()
