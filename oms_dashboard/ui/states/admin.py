"""The admin overview: how many orders sit in each status, and the latest ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui.components.status_badge import STATUS_COLORS, STATUS_ICONS
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.order_list import OrderRow, order_rows

RECENT = 10


@dataclass
class StatusCount:
    status: str
    label: str
    count: str
    href: str
    color: str
    icon: str


class AdminOverviewState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    counts: list[StatusCount] = []
    total_orders: int = 0
    recent: list[OrderRow] = []

    @rx.var
    def summary(self) -> str:
        noun = "order" if self.total_orders == 1 else "orders"
        return f"{self.total_orders:,} {noun} in the mall, by status. Pick one to list them."

    def _clear_view(self) -> None:
        self.counts, self.total_orders, self.recent = [], 0, []

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            by_status = order_service.count_by_status(session, actor=gate)
            self.counts = [
                StatusCount(
                    status=s.value,
                    label=s.label,
                    count=f"{by_status[s.value]:,}",
                    href=f"/admin/orders?status={s.value}",
                    color=STATUS_COLORS[s],
                    icon=STATUS_ICONS[s],
                )
                for s in OrderStatus
            ]
            self.total_orders = sum(by_status.values())
            self.recent = order_rows(order_service.list_orders(session, actor=gate, limit=RECENT))
            self.access = OK
        return None
