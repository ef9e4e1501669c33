"""The admin's carriers: each one's settings and health, switched on or off, moved
between its sandbox and the live API (``carrier_accounts.configure_carrier``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.tracking import BREAKER_THRESHOLD, CarrierMode
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import carrier_accounts, carrier_status
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.services.tracking import carrier_title
from oms_dashboard.settings import get_settings
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

FIELD_LABELS = {
    "client_id": "Client ID",
    "client_secret": "Client secret",
    "account_number": "Account number",
    "tracking_api_key": "Tracking API key",
}
SECRET_FIELDS = frozenset({"client_secret", "tracking_api_key"})


@dataclass
class CredentialField:
    name: str
    label: str
    required: bool
    secret: bool
    error: str = ""


@dataclass
class CarrierCard:
    carrier: str
    title: str
    enabled: bool
    mode: str
    base_url: str
    has_credentials: bool
    usable: bool
    why_not: str
    last_success: str
    last_success_exact: str
    last_failure: str
    last_failure_exact: str
    last_error: str
    failures: int
    breaker_open: bool
    breaker: str
    queued: int
    queued_text: str
    fields: list[CredentialField] = field(default_factory=list)


def _when(at: datetime | None, now: datetime, never: str) -> tuple[str, str]:
    return (fmt.relative_time(at, now), fmt.exact_time(at)) if at else (never, "")


def carrier_card(status: carrier_status.CarrierStatus, now: datetime) -> CarrierCard:
    view = status.view
    success, success_exact = _when(view.last_success_at, now, "Never")
    failure, failure_exact = _when(view.last_failure_at, now, "None recorded")
    if status.circuit_open_until:
        until = status.circuit_open_until
        breaker = (
            f"Open: no calls until {until:%H:%M:%S} UTC ({fmt.relative_time(until, now)}); "
            "tracking updates wait and go out after"
        )
    else:
        breaker = f"Closed: calls go through (it opens after {BREAKER_THRESHOLD} failures in a row)"
    queued = status.queued_updates
    return CarrierCard(
        carrier=view.carrier,
        title=carrier_title(view.carrier),
        enabled=view.enabled,
        mode=view.mode,
        base_url=view.base_url or "",
        has_credentials=view.has_credentials,
        usable=view.usable,
        why_not=view.why_not or "",
        last_success=success,
        last_success_exact=success_exact,
        last_failure=failure,
        last_failure_exact=failure_exact,
        last_error=view.last_error or "",
        failures=view.consecutive_failures,
        breaker_open=status.circuit_open_until is not None,
        breaker=breaker,
        queued=queued,
        queued_text=(
            "None: every shipment is up to date"
            if queued == 0
            else f"{queued} shipment{'' if queued == 1 else 's'} waiting for a tracking sync"
        ),
        fields=[
            CredentialField(
                name=name,
                label=FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                required=name in status.required_fields,
                secret=name in SECRET_FIELDS,
            )
            for name in status.credential_fields
        ],
    )


class CarriersState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    cards: list[CarrierCard] = []
    sandboxes_allowed: bool = True
    # The configure dialog
    editing: str = ""
    editing_title: str = ""
    form_mode: str = CarrierMode.SANDBOX.value
    form_base_url: str = ""
    form_has_credentials: bool = False
    form_fields: list[CredentialField] = []
    mode_error: str = ""
    base_url_error: str = ""
    credentials_error: str = ""
    # The confirmation before switching a carrier off
    disabling: str = ""
    disabling_title: str = ""

    def _clear_view(self) -> None:
        self.cards = []
        self._close()

    def _close(self) -> None:
        self.editing = self.editing_title = ""
        self.form_fields = []
        self.mode_error = self.base_url_error = self.credentials_error = ""

    def _refresh(self, gate: Actor) -> None:
        with session_scope() as session:
            statuses = carrier_status.carrier_statuses(session, actor=gate)
        now = utcnow()
        self.cards = [carrier_card(s, now) for s in statuses]
        self.sandboxes_allowed = get_settings().sandboxes_enabled
        self.access = OK

    def _gate(self) -> Actor | Any:
        with session_scope() as session:
            return self._guard(session)

    @rx.event
    def load(self):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        self._refresh(gate)
        return None

    def _card(self, carrier: str) -> CarrierCard | None:
        return next((c for c in self.cards if c.carrier == carrier), None)

    def _configure(self, gate: Actor, carrier: str, **changes: Any):
        carrier_accounts.configure_carrier(current().engine, actor=gate, carrier=carrier, **changes)
        self._refresh(gate)

    @rx.event
    def set_enabled(self, carrier: str, enabled: bool):
        """Switching on happens at once; switching off asks first (``confirm_disable``)."""
        card = self._card(carrier)
        if card is None:
            return None
        if not enabled:
            self.disabling, self.disabling_title = carrier, card.title
            return None
        return self._apply_enabled(carrier, True)

    @rx.event
    def confirm_disable(self):
        carrier, self.disabling, self.disabling_title = self.disabling, "", ""
        return self._apply_enabled(carrier, False) if carrier else None

    @rx.event
    def cancel_disable(self):
        self.disabling = self.disabling_title = ""

    def _apply_enabled(self, carrier: str, enabled: bool):
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        title = carrier_title(carrier)
        try:
            self._configure(gate, carrier, enabled=enabled)
        except ServiceError as error:
            return rx.toast.error(f"Could not change {title}: {error.detail}")
        if enabled:
            return rx.toast.success(f"{title} is on: sellers can buy its labels again.")
        return rx.toast.success(
            f"{title} is off: no new labels, and its tracking waits until it is back on."
        )

    @rx.event
    def open_configure(self, carrier: str):
        card = self._card(carrier)
        if card is None:
            return
        self._close()
        self.editing, self.editing_title = carrier, card.title
        self.form_mode = card.mode
        self.form_base_url = card.base_url
        self.form_has_credentials = card.has_credentials
        self.form_fields = [
            CredentialField(name=f.name, label=f.label, required=f.required, secret=f.secret)
            for f in card.fields
        ]

    @rx.event
    def close_configure(self):
        self._close()

    @rx.event
    def configure_open_change(self, is_open: bool):
        if not is_open:
            self._close()

    @rx.event
    def set_form_mode(self, mode: str):
        self.form_mode = mode
        self.mode_error = ""

    @rx.event
    def save_configure(self, form: dict[str, Any]):
        carrier, title = self.editing, self.editing_title
        gate = self._gate()
        if not isinstance(gate, Actor):
            return gate
        base_url = str(form.get("base_url", "")).strip()
        given = {
            f.name: str(form.get(f"credentials.{f.name}", "")).strip() for f in self.form_fields
        }
        given = {name: value for name, value in given.items() if value}
        live = self.form_mode == CarrierMode.LIVE
        try:
            self._configure(
                gate,
                carrier,
                mode=self.form_mode,
                base_url=(base_url or None) if live else None,
                new_credentials=(given or None) if live else None,
            )
        except ValidationFailed as failed:
            self._show_errors(failed.errors)
            return None
        except ServiceError as error:
            return rx.toast.error(f"Could not save {title}: {error.detail}")
        self._close()
        where = "its live API" if live else "its sandbox"
        return rx.toast.success(f"{title} now uses {where}.")

    def _show_errors(self, errors: list[dict[str, str]]) -> None:
        by_field = {e["field"]: e["message"] for e in errors}

        def said(field: str, label: str = "") -> str:
            """``Client secret is required``; a message that is a sentence stays one."""
            if field not in by_field:
                return ""
            message = by_field[field]
            return f"{label} {message}" if label else message[:1].upper() + message[1:]

        self.mode_error = said("mode")
        self.base_url_error = said("base_url")
        self.credentials_error = said("credentials")
        self.form_fields = [
            CredentialField(
                name=f.name,
                label=f.label,
                required=f.required,
                secret=f.secret,
                error=said(f"credentials.{f.name}", f.label),
            )
            for f in self.form_fields
        ]
