"""Web push: a notification on the customer's devices, through their browsers' push services.

Each browser that accepted notifications is a ``PushSubscription``. A push is
encrypted to that browser's keys (RFC 8291, ``aes128gcm``) and signed with our
VAPID key (RFC 8292) by pywebpush; the push service holds it for ``TTL_SECONDS``
if the device is offline.

Push is the extra channel: a push service that fails never fails the handler,
so the email still goes. A subscription the push service says is gone (404, 410)
is removed; any other failure is counted on it. One ``PushMessage`` row per dedupe
key records what was pushed, so a handler that runs twice pushes once.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

import requests
import sqlalchemy as sa
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import PushMessage, PushSubscription
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.format import one_line
from oms_dashboard.notifications.vapid import load_private_key, public_key_b64
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
TTL_SECONDS = 24 * 3600
"""A delivery update older than a day is news the customer has had by email."""
GONE = frozenset({404, 410})
"""The push service no longer knows the subscription: the browser unsubscribed."""


@lru_cache(maxsize=2)
def _vapid(private_key: str) -> Vapid02:
    return Vapid02(private_key=load_private_key(private_key))


def application_server_key() -> str:
    """The public key a browser passes to ``pushManager.subscribe`` (base64url)."""
    return public_key_b64(_vapid(get_settings().vapid_private_key).private_key)


def already_pushed(session: Session, dedupe_key: str) -> bool:
    query = select(PushMessage.id).where(PushMessage.dedupe_key == dedupe_key)
    return session.exec(query).first() is not None


def send_push(
    session: Session,
    user_id: str,
    *,
    title: str,
    body: str,
    url: str,
    tag: str,
    dedupe_key: str,
) -> PushMessage | None:
    """Push ``{title, body, url, tag}`` to every browser of ``user_id``, unless
    ``dedupe_key`` was pushed before; None then, and when the user has no browser
    subscribed.

    ``tag`` lets a browser replace an earlier notification with the same tag
    instead of stacking another. Like ``send_email``, the session's reads are
    committed before the push services are called (each may take up to
    ``TIMEOUT_SECONDS``), so the caller must have nothing else pending; the
    caller's transaction commits the record.
    """
    if already_pushed(session, dedupe_key):
        return None
    table = PushSubscription
    targets = session.exec(
        select(table.id, table.endpoint, table.p256dh, table.auth)
        .where(table.user_id == user_id)
        .order_by(table.created_at)
    ).all()
    if not targets:
        return None
    title = one_line(title, 200)
    payload = json.dumps({"title": title, "body": body, "url": url, "tag": tag})
    settings = get_settings()
    vapid = _vapid(settings.vapid_private_key)
    session.commit()  # no transaction (SQLite: no write lock) held while services answer
    outcomes = {
        sub_id: _post(endpoint, p256dh, auth, payload, vapid, settings.vapid_subject)
        for sub_id, endpoint, p256dh, auth in targets
    }
    # By id, not through the loaded rows: the user may have removed a browser while
    # we were pushing, and that must not fail the bookkeeping of the others.
    now = utcnow()
    for sub_id, status in outcomes.items():
        if status is None:
            change = sa.update(table).values(last_success_at=now, failures=0)
        elif status in GONE:
            log.info("push subscription %s is gone (%s); removed", sub_id, status)
            change = sa.delete(table)
        else:
            change = sa.update(table).values(failures=table.failures + 1)
        session.execute(change.where(table.id == sub_id))
    delivered = sum(status is None for status in outcomes.values())
    message = PushMessage(
        id=new_id("psh"),
        dedupe_key=dedupe_key,
        user_id=user_id,
        title=title,
        body=body[:2000],
        url=url,
        tag=tag,
        attempted=len(targets),
        delivered=delivered,
    )
    session.add(message)
    session.flush()
    log.info("push %s sent to %d of %d browsers", dedupe_key, delivered, len(targets))
    return message


def _post(
    endpoint: str, p256dh: str, auth: str, payload: str, vapid: Vapid02, subject: str
) -> int | None:
    """None when the push service accepted the push, else its HTTP status (0: no answer)."""
    try:
        webpush(
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=payload,
            vapid_private_key=vapid,
            # A fresh dict each time: pywebpush writes the audience (the endpoint's
            # origin) and the expiry into it.
            vapid_claims={"sub": subject},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = exc.status_code or 0
        log.warning("push to %s failed: %s", _origin(endpoint), status or exc.message)
        return status
    except (requests.RequestException, ValueError) as exc:
        log.warning("push to %s failed: %s", _origin(endpoint), exc)
        return 0
    return None


def _origin(endpoint: str) -> str:
    """For logs: the push service, never the whole capability URL."""
    return "/".join(endpoint.split("/", 3)[:3])
