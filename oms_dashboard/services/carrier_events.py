"""Carriers' webhooks: signed with the carrier's secret, read with the carrier's own
parser, applied like any other news (``tracking.apply_updates``)."""

from __future__ import annotations

import hmac
import json

from sqlalchemy import Engine
from sqlmodel import Session

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.crypto import unseal
from oms_dashboard.domain.tracking import CarrierMode, CarrierName
from oms_dashboard.payments.signing import sign
from oms_dashboard.services.carrier_accounts import account
from oms_dashboard.services.errors import AuthenticationFailed, ValidationFailed
from oms_dashboard.services.tracking import Applied, apply_updates, carrier_module
from oms_dashboard.settings import get_settings


def webhook_secret(session: Session, carrier: str) -> str | None:
    """The secret ``carrier`` signs its events with: the one an admin stored, or, for a
    carrier on its sandbox outside production, one derived from the app's secret."""
    row = account(session, carrier)
    if row.webhook_secret:
        return unseal(row.webhook_secret)
    settings = get_settings()
    if row.mode == CarrierMode.SANDBOX and settings.sandboxes_enabled:
        return f"whsec-{row.carrier}-{settings.secret_key[:24]}"
    return None


def receive_carrier_event(
    engine: Engine, *, carrier: str, body: bytes, signature: str | None
) -> Applied:
    """A carrier's signed webhook: checked, parsed with the carrier's own parser,
    applied. Unknown tracking numbers are ignored (the carrier would only retry)."""
    try:
        name = CarrierName(carrier)
    except ValueError:
        raise ValidationFailed.one("carrier", f"unknown carrier {carrier!r}") from None
    with Session(engine) as session:
        secret = webhook_secret(session, name.value)
    if secret is None:
        raise AuthenticationFailed(f"no webhook secret is configured for {name.value}")
    if not signature or not hmac.compare_digest(sign(body, secret), signature):
        raise AuthenticationFailed("the event's signature does not match")
    try:
        payload = json.loads(body)
    except ValueError:
        raise ValidationFailed.one("body", "must be JSON") from None
    try:
        updates = carrier_module(name.value).parse_webhook(payload)
    except CarrierError as error:
        raise ValidationFailed.one("body", error.message) from None
    return apply_updates(engine, name.value, updates)
