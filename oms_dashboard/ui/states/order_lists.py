"""Each role's order list: the same list, scoped by the services to what the role may see."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK
from oms_dashboard.ui.states.low_stock import LowStockState
from oms_dashboard.ui.states.notifications import NotificationsState
from oms_dashboard.ui.states.order_list import ON_THE_WAY, STATUS_GROUPS, OrderListState

S = OrderStatus
ROUTE = "/seller/orders"
REFRESH_SECONDS = 8


@dataclass
class Tally:
    """A count of orders in a group of statuses, and the filter that lists them."""

    key: str
    label: str
    hint: str
    count: str
    status: str
    color: str
    icon: str


class CustomerOrdersState(OrderListState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.CUSTOMER})


class SellerOrdersState(OrderListState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SELLER})
    tallies: list[Tally] = []
    refreshed_at: str = ""
    _poll_generation: int = 0

    def _clear_view(self) -> None:
        super()._clear_view()
        self.tallies = []

    @rx.var
    def subtitle(self) -> str:
        updated = (
            f" Updates itself every few seconds (last {self.refreshed_at})."
            if self.refreshed_at
            else ""
        )
        return f"Orders placed with your shop. Ship the ones waiting for a label first.{updated}"

    @rx.event(background=True)
    async def keep_fresh(self):
        """While the page is open, reload what it shows so new orders appear by themselves.

        Started by on_load, so a navigation, a reconnect or a closed tab cancels it
        with the page-load chain. A newer loop (the page opened again) retires an
        older one at its next tick, and each tick resolves the actor afresh: signed
        out or expired, the loop ends (and an expired session goes to /login).
        """
        async with self:
            self._poll_generation += 1
            generation = self._poll_generation
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self:
                on_page = str(self.router.url.path).rstrip("/") == ROUTE
                if generation != self._poll_generation or not on_page or self.access != OK:
                    return
                # The same guarded load as a click: the actor is resolved afresh.
                refused = self._load(self._cursors[-1] if self._cursors else None)
            if refused is not None:
                yield refused
                return
            # The low-stock card and the bell in the header keep the same pace.
            yield LowStockState.load
            yield NotificationsState.load

    def _after_load(self, session: Session, actor: Actor) -> None:
        self.refreshed_at = datetime.now(UTC).strftime("%H:%M:%S UTC")
        counts = order_service.count_by_status(session, actor=actor)
        self.tallies = [
            Tally(
                key="to_ship",
                label="To ship",
                hint="paid, waiting for a label",
                count=f"{counts[S.PROCESSING]:,}",
                status=S.PROCESSING.value,
                color="blue",
                icon="package",
            ),
            Tally(
                key="awaiting_payment",
                label="Awaiting payment",
                hint="do not ship yet",
                count=f"{counts[S.PENDING_PAYMENT]:,}",
                status=S.PENDING_PAYMENT.value,
                color="amber",
                icon="clock",
            ),
            Tally(
                key="on_the_way",
                label="On the way",
                hint="with the carrier",
                count=f"{sum(counts[s] for s in STATUS_GROUPS[ON_THE_WAY]):,}",
                status=ON_THE_WAY,
                color="violet",
                icon="truck",
            ),
            Tally(
                key="exceptions",
                label="Delivery exceptions",
                hint="need a look",
                count=f"{counts[S.DELIVERY_EXCEPTION]:,}",
                status=S.DELIVERY_EXCEPTION.value,
                color="red",
                icon="triangle-alert",
            ),
        ]


class SupportOrdersState(OrderListState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPPORT, Role.ADMIN})


class AdminOrdersState(OrderListState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
