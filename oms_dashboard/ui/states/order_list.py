"""A filtered, keyset-paged list of orders; each role's list page mixes this in.

Filtering, ordering and paging happen in SQL (``services.orders.list_orders``);
the state keeps the one page being shown, as display strings, and the cursors
it needs to move between pages.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.documents.order_export import FORMATS, export_chunks, new_export_path
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.services import orders as order_service
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.order_search import count_list
from oms_dashboard.services.orders import OrderFilter, OrderPage
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.pager import KeysetPager

log = logging.getLogger(__name__)
ALL = "all"
EXPORT_URL = "/api/v1/orders/export-files"
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


def _day(text: str, field: str, *, next_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD of the date filter as the UTC midnight it starts (or ends) on."""
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValidationFailed.one(field, "must be a date like 2026-12-01") from None
    return day + timedelta(days=1) if next_day else day


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
            seller=o.seller_name,
            customer=o.customer_email,
            total=format_money(o.total_minor, o.currency),
            placed_relative=fmt.relative_time(o.placed_at),
            placed_exact=fmt.exact_time(o.placed_at),
        )
        for o in page.items
    ]


class OrderListState(KeysetPager, GuardedState, mixin=True):
    search_text: str = ""
    status_filter: str = ALL
    # The all-orders filters (services.order_search): shown on the staff lists.
    search_in: str = "any"
    carrier_filter: str = ALL
    country_filter: str = ""
    flagged_filter: str = ALL
    placed_from: str = ""
    placed_to: str = ""
    count_capped: bool = False
    # An export being written (``export``): rows written of the total, then its file.
    export_running: bool = False
    export_rows: int = 0
    export_total: int = 0
    export_file: str = ""
    export_error: str = ""
    rows: list[OrderRow] = []
    total_count: int = 0
    error: str = ""
    page_size: ClassVar[int] = 20

    @rx.var
    def first_shown(self) -> int:
        return (self.page_number - 1) * self.page_size + 1 if self.rows else 0

    @rx.var
    def last_shown(self) -> int:
        return (self.page_number - 1) * self.page_size + len(self.rows)

    @rx.var
    def total_text(self) -> str:
        return f"{self.total_count:,}{'+' if self.count_capped else ''}"

    @rx.var
    def is_filtered(self) -> bool:
        return (
            bool(self.search_text.strip())
            or self.status_filter != ALL
            or self.search_in != "any"
            or self.carrier_filter != ALL
            or bool(self.country_filter)
            or self.flagged_filter != ALL
            or bool(self.placed_from or self.placed_to)
        )

    @rx.var
    def export_percent(self) -> int:
        if self.export_total <= 0:
            return 100 if self.export_file else 0
        return min(100, round(100 * self.export_rows / self.export_total))

    @rx.var
    def export_text(self) -> str:
        return f"{self.export_rows:,} of {self.export_total:,} rows written"

    def _clear_view(self) -> None:
        self.rows, self.total_count = [], 0
        self._first_page()
        self._paged(None)

    def _filters(self) -> OrderFilter:
        statuses = STATUS_GROUPS.get(self.status_filter) or (
            () if self.status_filter == ALL else (self.status_filter,)
        )
        return OrderFilter(
            statuses=statuses,
            q=self.search_text.strip() or None,
            search_in=self.search_in,
            carrier=None if self.carrier_filter == ALL else self.carrier_filter,
            country=self.country_filter.strip() or None,
            flagged=None if self.flagged_filter == ALL else self.flagged_filter == "yes",
            placed_from=_day(self.placed_from, "placed_from"),
            placed_to=_day(self.placed_to, "placed_to", next_day=True),
        )

    def _after_load(self, session: Session, actor: Actor) -> None:
        """A hook for pages that show more than the list (counts, for instance)."""

    def _load(self, cursor: str | None = None):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self.error = ""
            try:
                filters = self._filters()
                page = order_service.list_orders(
                    session, actor=gate, filters=filters, limit=self.page_size, cursor=cursor
                )
                self.total_count, self.count_capped = count_list(
                    session, actor=gate, filters=filters, page=page, first=cursor is None
                )
            except ValidationFailed as exc:
                self._clear_view()
                self.error = exc.detail
                return None
            self.rows = order_rows(page)
            self._paged(page.next_cursor)
            self._after_load(session, gate)
            self.access = OK
        return None

    def _restart(self):
        self._first_page()
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
    def filter_more(self, form_data: dict[str, Any]):
        """The staff filters' form: where to search, carrier, country, flag, dates."""
        self.search_text = str(form_data.get("q", self.search_text))[:200]
        self.search_in = str(form_data.get("search_in") or "any")
        self.country_filter = str(form_data.get("country", ""))[:2].upper()
        self.placed_from = str(form_data.get("placed_from", ""))[:10]
        self.placed_to = str(form_data.get("placed_to", ""))[:10]
        return self._restart()

    @rx.event
    def set_search_in(self, value: str):
        self.search_in = value

    @rx.event
    def set_carrier(self, value: str):
        self.carrier_filter = value
        return self._restart()

    @rx.event
    def set_flagged(self, value: str):
        self.flagged_filter = value if value in (ALL, "yes", "no") else ALL
        return self._restart()

    @rx.event
    def clear_filters(self):
        self.search_text, self.status_filter = "", ALL
        self.search_in, self.carrier_filter, self.flagged_filter = "any", ALL, ALL
        self.country_filter, self.placed_from, self.placed_to = "", "", ""
        return _then(rx.set_value(SEARCH_INPUT_ID, ""), self._restart())

    @rx.event(background=True)
    async def export(self, kind: str):
        """Write the filtered list to a file a keyset page at a time, telling how far it
        got, then hand it to the browser (``documents.order_export``)."""
        if kind not in FORMATS:
            return
        refused = None
        async with self:
            if self.export_running:
                return
            with session_scope() as session:
                gate = self._guard(session)
                if isinstance(gate, Actor):
                    try:
                        filters = self._filters()
                        total = order_service.count_orders(session, actor=gate, filters=filters)
                    except ValidationFailed as exc:
                        self.export_error, gate = exc.detail, None
                else:
                    refused, gate = gate, None
            if gate is not None:
                self.export_running, self.export_rows, self.export_total = True, 0, total
                self.export_file, self.export_error = "", ""
        if gate is None:
            if refused is not None:
                yield refused
            return
        token, path = new_export_path(kind)
        written = {"rows": 0}
        chunks = export_chunks(
            get_engine(),
            actor=gate,
            filters=filters,
            fmt=kind,
            on_progress=lambda rows: written.__setitem__("rows", rows),
        )
        try:
            with path.open("wb") as out:
                while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                    out.write(chunk)
                    async with self:
                        self.export_rows = written["rows"]
        except Exception:  # noqa: BLE001 - the page says so; the log has the rest
            log.exception("order export failed")
            async with self:
                self.export_running = False
                self.export_error = "The export failed; try again or narrow the filters."
            return
        async with self:
            self.export_running = False
            self.export_rows = written["rows"]
            self.export_file = f"{EXPORT_URL}/{token}/{path.name}"
        yield rx.download(url=f"{EXPORT_URL}/{token}/{path.name}", filename=path.name)

    @rx.event
    def download_export(self):
        if self.export_file:
            name = self.export_file.rpartition("/")[-1]
            return rx.download(url=self.export_file, filename=name)
        return None
