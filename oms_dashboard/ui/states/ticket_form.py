"""Asking support: the "New request" / "Ask for help" form's state, mixed into the
pages that offer it (``/tickets``, the order page's tickets). One service call
(``services.tickets.open_ticket``) as the signed-in person; errors by field."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.services import tickets
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ServiceError, ValidationFailed

NO_ORDER = "none"
"""The order select's value for "not about an order" (a select item needs a value)."""


class TicketFormMixin(rx.State, mixin=True):
    asking: bool = False
    subject_error: str = ""
    body_error: str = ""

    @rx.event
    def set_asking(self, value: bool):
        self.asking = bool(value)
        self.subject_error = self.body_error = ""

    def _ask(self, form: dict, order_id: str | None):
        """Open the ticket for the signed-in person: (the ticket or None, event)."""
        subject = str(form.get("subject", "")).strip()
        body = str(form.get("body", "")).strip()
        self.subject_error = "" if subject else "Say in a few words what it is about"
        self.body_error = "" if body else "Tell support what happened and what you need"
        if self.subject_error or self.body_error:
            return None, None
        with session_scope() as session:
            gate = self._guard(session)  # type: ignore[attr-defined]
        if not isinstance(gate, Actor):
            return None, gate
        try:
            ticket = tickets.open_ticket(
                current().engine,
                actor=gate,
                subject=subject,
                body=body,
                order_id=order_id or None,
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                if error["field"] in ("subject", "body"):
                    setattr(self, f"{error['field']}_error", error["message"].capitalize())
                else:
                    return None, rx.toast.error(f"{error['field']}: {error['message']}")
            return None, None
        except (ServiceError, DomainError) as exc:
            return None, rx.toast.error(exc.detail)
        self.asking = False
        return ticket, rx.toast.success(
            f"Request {ticket.number} sent to support: you will be told when they answer."
        )
