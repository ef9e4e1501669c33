"""A filtered, keyset-paged list of orders; each role's list page mixes this in.

Filtering, ordering and paging happen in SQL (``services.orders.list_orders``);
the state keeps the one page being shown, as display strings, and the cursors
it needs to move between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from oms_dashboard.db import session_scope
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.orders import OrderFilter, OrderPage
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.guard import OK, GuardedState

ALL = "all"
SEARCH_INPUT_ID = "order-search"
ON_THE_WAY = "on_the_way"
# Filters that stand for several statuses at once.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    ON_THE_WAY: (
        OrderStatus.SHIPPED.value,
        OrderStatus.IN_TRANSIT.value,
        OrderStatus.OUT_FOR_DELIVERY.value,
    ),
}
STATUS_VALUES = frozenset(s.value for s in OrderStatus) | STATUS_GROUPS.keys()


def _then(first: EventSpec, second: EventSpec | None) -> list[EventSpec]:
    return [first] if second is None else [first, second]


@dataclass
class OrderRow:
    id: str
    number: str
    href: str
    status: str
    seller: str
    customer: str
    total: str
    placed_relative: str
    placed_exact: str


def order_rows(page: OrderPage) -> list[OrderRow]:
    return [
        OrderRow(
            id=o.id,
            number=o.number,
            href=f"/orders/{o.id}",
            status=o.status,
            seller=page.seller_names.get(o.seller_id, ""),
            customer=o.customer_email,
            total=format_money(o.total_minor, o.currency),
            placed_relative=fmt.relative_time(o.placed_at),
            placed_exact=fmt.exact_time(o.placed_at),
        )
        for o in page.items
    ]


class OrderListState(GuardedState, mixin=True):
    search_text: str = ""
    status_filter: str = ALL
    rows: list[OrderRow] = []
    total_count: int = 0
    page_number: int = 1
    has_next: bool = False
    error: str = ""
    # Cursors of the pages before this one (page 1 has none): Previous pops one.
    _cursors: list[str] = []
    _next_cursor: str = ""
    page_size: ClassVar[int] = 20

    @rx.var
    def first_shown(self) -> int:
        return (self.page_number - 1) * self.page_size + 1 if self.rows else 0

    @rx.var
    def last_shown(self) -> int:
        return (self.page_number - 1) * self.page_size + len(self.rows)

    @rx.var
    def total_text(self) -> str:
        return f"{self.total_count:,}"

    @rx.var
    def is_filtered(self) -> bool:
        return bool(self.search_text.strip()) or self.status_filter != ALL

    def _clear_view(self) -> None:
        self.rows, self.total_count, self.has_next, self.page_number = [], 0, False, 1
        self._cursors, self._next_cursor = [], ""

    def _filters(self) -> OrderFilter:
        statuses = STATUS_GROUPS.get(self.status_filter) or (
            () if self.status_filter == ALL else (self.status_filter,)
        )
        return OrderFilter(statuses=statuses, q=self.search_text.strip() or None)

    def _after_load(self, session: Session, actor: Actor) -> None:
        """A hook for pages that show more than the list (counts, for instance)."""

    def _load(self, cursor: str | None = None):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self.error = ""
            filters = self._filters()
            try:
                page = order_service.list_orders(
                    session, actor=gate, filters=filters, limit=self.page_size, cursor=cursor
                )
                self.total_count = order_service.count_orders(session, actor=gate, filters=filters)
            except ValidationFailed as exc:
                self._clear_view()
                self.error = exc.detail
                return None
            self.rows = order_rows(page)
            self._next_cursor = page.next_cursor or ""
            self.has_next = page.next_cursor is not None
            self._after_load(session, gate)
            self.access = OK
        return None

    def _restart(self):
        self._cursors, self.page_number = [], 1
        return self._load()

    @rx.event
    def load(self):
        """on_load: filters may come from the URL (``?status=processing&q=...``)."""
        params: Any = self.router.url.query_parameters
        status = params.get("status", ALL)
        self.status_filter = status if status in STATUS_VALUES else ALL
        self.search_text = params.get("q", "")[:200]
        # The search box is uncontrolled (typing costs no round trip): fill it here.
        return _then(rx.set_value(SEARCH_INPUT_ID, self.search_text), self._restart())

    @rx.event
    def search(self, form_data: dict[str, Any]):
        self.search_text = str(form_data.get("q", ""))[:200]
        return self._restart()

    @rx.event
    def set_status(self, value: str):
        self.status_filter = value if value in STATUS_VALUES else ALL
        return self._restart()

    @rx.event
    def clear_filters(self):
        self.search_text, self.status_filter = "", ALL
        return _then(rx.set_value(SEARCH_INPUT_ID, ""), self._restart())

    @rx.event
    def next_page(self):
        if not self._next_cursor:
            return None
        self._cursors = [*self._cursors, self._next_cursor]
        self.page_number = len(self._cursors) + 1
        return self._load(self._next_cursor)

    @rx.event
    def previous_page(self):
        if not self._cursors:
            return None
        self._cursors = self._cursors[:-1]
        self.page_number = len(self._cursors) + 1
        return self._load(self._cursors[-1] if self._cursors else None)
