"""The seller is told when an admin suspends it from new orders or reinstates it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms_dashboard.db import session_scope
from oms_dashboard.models import Seller
from oms_dashboard.notifications import content
from oms_dashboard.notifications.notice import Notice, tell_seller

_NOTICES = {
    "suspended": (
        "{name} is suspended from new orders",
        "An admin suspended your shop from new orders: customers cannot check out your "
        "products until it is reinstated. Orders already placed still need shipping.",
    ),
    "reinstated": (
        "{name} takes new orders again",
        "An admin lifted the suspension: customers can check out your products again.",
    ),
}


def seller_standing(payload: dict[str, Any], *, engine: sa.Engine | None = None) -> None:
    """The seller's bell, and an email to each of its active staff."""
    seller_id, notice, event = payload["seller_id"], payload["notice"], payload["event"]
    with session_scope(engine) as session:
        seller = session.get(Seller, seller_id)
        headline, explanation = _NOTICES[notice]
        headline = headline.format(name=seller.name)
        reason = payload.get("reason") or ""
        told = Notice(
            key=f"seller-standing:{event}",
            kind=f"seller_{notice}",
            title=headline,
            body=f"{explanation} Reason: {reason}",
            template="seller_standing",
            subject=headline,
            context={
                "headline": headline,
                "explanation": explanation,
                "reason": reason,
                "standing_url": content.link("/seller/standing"),
            },
        )
        tell_seller(session, seller_id, told)
