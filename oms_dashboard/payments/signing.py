"""The signature of payment events, as the payment system computes it and the OMS checks it."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid


def sign(body: bytes, secret: str) -> str:
    """The X-OMS-Signature header value for a raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_event(
    *,
    checkout_id: str,
    type: str,
    amount: str,
    currency: str,
    secret: str,
    event_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A payment event body and its headers, as the payment system would post it."""
    body = json.dumps(
        {
            "event_id": event_id or f"evt_{uuid.uuid4().hex}",
            "checkout_id": checkout_id,
            "type": type,
            "amount": amount,
            "currency": currency,
        }
    ).encode()
    return body, {"Content-Type": "application/json", "X-OMS-Signature": sign(body, secret)}
