"""The browsers a signed-in person asked to get web push notifications on.

A browser hands over its ``PushSubscription`` (the push service's endpoint and
the keys to encrypt to); saving the same endpoint again refreshes its keys and
gives it to whoever is signed in now, since one browser profile has one
subscription however many people sign in on it.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import PushSubscription
from oms_dashboard.notifications.vapid import (
    b64url_decode,
    b64url_encode,
    load_private_key,
    public_key_b64,
)
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional
from oms_dashboard.settings import get_settings

MAX_ENDPOINT = 1000
MAX_PER_USER = 10
"""Every push goes to each of a person's browsers in turn: more than a few devices
would make one update slow to send. The oldest goes when an eleventh arrives."""
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


@dataclass(frozen=True)
class BrowserSubscription:
    """What a browser's ``PushSubscription.toJSON()`` says, checked."""

    endpoint: str
    p256dh: str
    auth: str


def application_server_key() -> str:
    """The public VAPID key browsers subscribe with (base64url, 65 bytes)."""
    return public_key_b64(load_private_key(get_settings().vapid_private_key))


def check_subscription(endpoint: str, p256dh: str, auth: str) -> BrowserSubscription:
    """Every problem at once, each naming its field; nothing is saved when one is bad."""
    errors = []
    endpoint = endpoint.strip()
    if not _endpoint_ok(endpoint):
        local = "" if get_settings().env == "production" else " (http:// only for localhost)"
        errors.append(
            {
                "field": "endpoint",
                "message": f"must be the https:// URL of a push service{local}, "
                f"at most {MAX_ENDPOINT} characters",
            }
        )
    key = _decode(p256dh)
    if key is None or len(key) != 65 or not _on_curve(key):
        errors.append(
            {
                "field": "keys.p256dh",
                "message": "must be the browser's P-256 public key in base64url (65 bytes)",
            }
        )
    secret = _decode(auth)
    if secret is None or len(secret) != 16:
        errors.append(
            {
                "field": "keys.auth",
                "message": "must be the browser's authentication secret in base64url (16 bytes)",
            }
        )
    if errors:
        raise ValidationFailed(errors)
    return BrowserSubscription(endpoint, b64url_encode(key), b64url_encode(secret))


@transactional
def save_subscription(
    session: Session, *, actor: Actor, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Keep the signed-in person's browser subscription (checked first)."""
    user_id = _user(actor)
    valid = check_subscription(endpoint, p256dh, auth)
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == valid.endpoint)
    ).first()
    if row is None or row.user_id != user_id:
        _make_room(session, user_id)
    if row is None:
        row = PushSubscription(
            id=new_id("pus"),
            user_id=user_id,
            endpoint=valid.endpoint,
            p256dh=valid.p256dh,
            auth=valid.auth,
        )
    else:  # the same browser again: fresh keys, and it is this person's now
        row.user_id, row.p256dh, row.auth, row.failures = user_id, valid.p256dh, valid.auth, 0
    session.add(row)
    session.flush()
    return row


@transactional
def remove_subscription(session: Session, *, actor: Actor, endpoint: str) -> None:
    """Stop pushing to one of the person's browsers; NotFound for any other endpoint
    (someone else's included: the answer never tells whether it exists)."""
    user_id = _user(actor)
    row = session.exec(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint.strip(), PushSubscription.user_id == user_id
        )
    ).first()
    if row is None:
        raise NotFound("this browser is not subscribed to your notifications")
    session.delete(row)


def _user(actor: Actor) -> str:
    if not actor.user_id:
        raise Forbidden("only a signed-in person has browsers to notify")
    return actor.user_id


def _make_room(session: Session, user_id: str) -> None:
    rows = list(
        session.exec(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        )
    )
    for stale in rows[MAX_PER_USER - 1 :]:
        session.delete(stale)


def _endpoint_ok(endpoint: str) -> bool:
    if not endpoint or len(endpoint) > MAX_ENDPOINT:
        return False
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    # A local push service (a test's, a developer's); the worker must never be sent
    # to post into its own machine in production.
    return parts.scheme == "http" and host in LOCAL_HOSTS and get_settings().env != "production"


def _decode(value: str) -> bytes | None:
    try:
        return b64url_decode(value)
    except (binascii.Error, ValueError):
        return None


def _on_curve(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return point[0] == 4
