"""Carrier integrations, as admins manage them: on or off, sandbox or live, credentials.

Credentials are sealed at rest (``crypto.seal``) and never shown back: a reader
learns only whether they are set. Production never uses a sandbox: a carrier
left on its sandbox there is disabled, and switching one to the sandbox is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sqlmodel import Session, select

from oms_dashboard.crypto import seal, unseal
from oms_dashboard.db import insert_if_absent
from oms_dashboard.domain.tracking import CarrierMode, CarrierName
from oms_dashboard.models import CarrierAccount
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional
from oms_dashboard.settings import get_settings

REQUIRED = {
    CarrierName.FEDEX: ("client_id", "client_secret", "account_number"),
    CarrierName.UPS: ("client_id", "client_secret"),
    CarrierName.DHL: ("client_id", "client_secret", "account_number"),
    CarrierName.USPS: ("client_id", "client_secret"),
}
OPTIONAL = {
    CarrierName.FEDEX: (),
    CarrierName.UPS: ("account_number",),
    CarrierName.DHL: ("tracking_api_key",),
    CarrierName.USPS: (),
}
"""What each adapter takes besides its base URL (their constructors' keyword names)."""


@dataclass(frozen=True)
class CarrierView:
    carrier: str
    enabled: bool
    mode: str
    base_url: str | None
    has_credentials: bool
    usable: bool
    why_not: str | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None
    consecutive_failures: int


def account(session: Session, carrier: str) -> CarrierAccount:
    """The carrier's row, created with its defaults the first time it is asked for."""
    name = _known(carrier)
    row = session.get(CarrierAccount, name.value)
    if row is None:
        insert_if_absent(session, CarrierAccount(carrier=name.value))
        row = session.get(CarrierAccount, name.value)
    assert row is not None
    return row


def usable(row: CarrierAccount) -> tuple[bool, str | None]:
    """Whether shipments may use this carrier now, and if not, why."""
    if not row.enabled:
        return False, "disabled by an admin"
    if row.mode == CarrierMode.SANDBOX and not get_settings().sandboxes_enabled:
        return False, "on its sandbox, which production never uses: switch it to live"
    if row.mode == CarrierMode.LIVE and not (row.base_url and row.credentials):
        return False, "live without a base URL and credentials"
    return True, None


def credentials(row: CarrierAccount) -> dict[str, str]:
    return json.loads(unseal(row.credentials)) if row.credentials else {}


def list_carriers(session: Session, *, actor: Actor) -> list[CarrierView]:
    actor.require(Role.ADMIN)
    for name in CarrierName:
        account(session, name)
    rows = session.exec(select(CarrierAccount).order_by(CarrierAccount.carrier)).all()
    return [_view(row) for row in rows]


@transactional
def configure_carrier(
    session: Session,
    *,
    actor: Actor,
    carrier: str,
    enabled: bool | None = None,
    mode: str | None = None,
    base_url: str | None = None,
    new_credentials: dict[str, Any] | None = None,
) -> CarrierView:
    """Change what is given; everything else stays. Audited without the secrets."""
    actor.require(Role.ADMIN)
    row = account(session, carrier)
    before = _public(row)
    errors: list[dict[str, str]] = []
    target_mode = row.mode if mode is None else mode
    if target_mode not in set(CarrierMode):
        errors.append({"field": "mode", "message": "must be sandbox or live"})
    elif target_mode == CarrierMode.SANDBOX and not get_settings().sandboxes_enabled:
        errors.append({"field": "mode", "message": "production has no carrier sandbox"})
    if base_url is not None:
        errors += _check_url(base_url)
    if new_credentials is not None:
        errors += _check_credentials(CarrierName(row.carrier), new_credentials)
    if not errors and target_mode == CarrierMode.LIVE:
        if not (base_url or row.base_url):
            errors.append({"field": "base_url", "message": "a live carrier needs its API's URL"})
        if new_credentials is None and not row.credentials:
            errors.append(
                {"field": "credentials", "message": "a live carrier needs its credentials"}
            )
    if errors:
        raise ValidationFailed(errors)
    if enabled is not None:
        row.enabled = enabled
    row.mode = target_mode
    if base_url is not None:
        row.base_url = base_url.rstrip("/") or None
    if new_credentials is not None:
        row.credentials = seal(json.dumps(new_credentials, sort_keys=True))
    row.updated_at = utcnow()
    session.add(row)
    after = _public(row)
    if new_credentials is not None:
        after["credentials"] = "replaced"
    record_audit(
        session,
        actor=actor,
        action="carrier.configure",
        entity_type="carrier",
        entity_id=row.carrier,
        before=before,
        after=after,
    )
    return _view(row)


def _known(carrier: str) -> CarrierName:
    try:
        return CarrierName(carrier)
    except ValueError:
        raise NotFound(f"no carrier {carrier!r}; the OMS knows fedex, ups, dhl and usps") from None


def _check_url(url: str) -> list[dict[str, str]]:
    parsed = urlparse(url)
    https_only = not get_settings().sandboxes_enabled
    allowed = ("https",) if https_only else ("https", "http")
    if parsed.scheme not in allowed or not parsed.netloc:
        kind = "an https URL" if https_only else "an http(s) URL"
        return [{"field": "base_url", "message": f"must be {kind}, like https://apis.fedex.com"}]
    return []


def _check_credentials(carrier: CarrierName, given: dict[str, Any]) -> list[dict[str, str]]:
    errors = []
    known = set(REQUIRED[carrier]) | set(OPTIONAL[carrier])
    for key in REQUIRED[carrier]:
        if not isinstance(given.get(key), str) or not given[key].strip():
            errors.append({"field": f"credentials.{key}", "message": "is required"})
    for key in sorted(set(given) - known):
        errors.append(
            {"field": f"credentials.{key}", "message": f"is not a {carrier.value} credential"}
        )
    return errors


def _public(row: CarrierAccount) -> dict[str, Any]:
    return {
        "enabled": row.enabled,
        "mode": row.mode,
        "base_url": row.base_url,
        "credentials": "set" if row.credentials else None,
    }


def _view(row: CarrierAccount) -> CarrierView:
    ok, why = usable(row)
    return CarrierView(
        carrier=row.carrier,
        enabled=row.enabled,
        mode=row.mode,
        base_url=row.base_url,
        has_credentials=bool(row.credentials),
        usable=ok,
        why_not=why,
        last_success_at=row.last_success_at,
        last_failure_at=row.last_failure_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
    )
