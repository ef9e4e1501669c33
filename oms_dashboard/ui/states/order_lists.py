"""Each role's order list: the same list, scoped by the services to what the role may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import Session

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.order_list import ON_THE_WAY, STATUS_GROUPS, OrderListState

S = OrderStatus


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

    def _clear_view(self) -> None:
        super()._clear_view()
        self.tallies = []

    def _after_load(self, session: Session, actor: Actor) -> None:
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
