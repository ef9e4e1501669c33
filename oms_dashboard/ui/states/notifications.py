"""The header's bell: the signed-in person's in-app notifications."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.notifications import queries
from oms_dashboard.services.errors import AuthenticationFailed
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState

SHOWN = 8


@dataclass
class NoteRow:
    id: str
    title: str
    body: str
    href: str
    unread: bool
    relative: str


class NotificationsState(AuthState):
    unread: int = 0
    notes: list[NoteRow] = []

    @rx.event
    def load(self):
        try:
            with session_scope() as session:
                actor = self._actor(session)
                self.unread = queries.unread_count(session, actor=actor)
                self.notes = [
                    NoteRow(
                        id=n.id,
                        title=n.title,
                        body=n.body,
                        href=f"/orders/{n.order_id}" if n.order_id else "",
                        unread=n.read_at is None,
                        relative=fmt.relative_time(n.created_at),
                    )
                    for n in queries.list_notifications(session, actor=actor, limit=SHOWN)
                ]
        except AuthenticationFailed:
            self.unread, self.notes = 0, []

    @rx.event
    def mark_all_read(self):
        try:
            with session_scope() as session:
                actor = self._actor(session)
        except AuthenticationFailed:
            return None
        queries.mark_read(current().engine, actor=actor)
        return NotificationsState.load
