"""The admin's Outbox: every email the OMS sent, and what it said."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.notifications import queries
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.pager import KeysetPager

PAGE_SIZE = 25


@dataclass
class EmailRow:
    id: str
    kind: str
    recipient: str
    subject: str
    transport: str
    sent_relative: str
    sent_exact: str


@dataclass
class EmailView:
    id: str = ""
    recipient: str = ""
    subject: str = ""
    sent: str = ""
    transport: str = ""
    text_body: str = ""
    html_body: str = ""


class OutboxState(KeysetPager, GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    rows: list[EmailRow] = []
    opened: EmailView = EmailView()

    def _clear_view(self) -> None:
        self.rows, self.opened, self.has_next = [], EmailView(), False

    @rx.event
    def load(self):
        self._first_page()
        return self._load()

    def _load(self, cursor: str | None = None):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            page = queries.list_emails(session, actor=gate, limit=PAGE_SIZE, cursor=cursor)
            self.rows = [
                EmailRow(
                    id=e.id,
                    kind=e.kind.replace("_", " "),
                    recipient=e.to_address,
                    subject=e.subject,
                    transport="SMTP" if e.transport == "smtp" else "Local mailbox",
                    sent_relative=fmt.relative_time(e.created_at),
                    sent_exact=fmt.exact_time(e.created_at),
                )
                for e in page.items
            ]
            self._paged(page.next_cursor)
            self.access = OK
        return None

    @rx.event
    def open_email(self, email_id: str):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            try:
                email = queries.get_email(session, actor=gate, email_id=email_id)
            except NotFound:
                return rx.toast.error("That email no longer exists.")
            self.opened = EmailView(
                id=email.id,
                recipient=email.to_address,
                subject=email.subject,
                sent=fmt.exact_time(email.created_at),
                transport=email.transport,
                text_body=email.text_body,
                html_body=email.html_body,
            )
        return None

    @rx.event
    def close_email(self):
        self.opened = EmailView()
