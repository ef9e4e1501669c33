"""A role's order list in a card: search, status filter, the table, paging, empty state."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.orders_table import orders_table
from oms_dashboard.ui.components.pager import pager
from oms_dashboard.ui.states.order_list import ALL, ON_THE_WAY, SEARCH_INPUT_ID


def filter_bar(state, *, search_placeholder: str, export: bool = False) -> rx.Component:
    """The search box, the status and Clear filters; with ``export``, the Export menu at
    the row's end (the staff filters' row below has no room left for it at 1280 px)."""
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
                    id=SEARCH_INPUT_ID,
                    name="q",
                    type="search",
                    default_value=state.search_text,
                    placeholder=search_placeholder,
                    aria_label="Search orders",
                    max_length=200,
                    size="2",
                    width="100%",
                ),
                rx.button("Search", type="submit", size="2", variant="soft"),
                spacing="2",
                width="100%",
            ),
            on_submit=state.search,
            flex="1",
            min_width="240px",
            role="search",
            aria_label="Filter this list",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filter by status", min_width="190px"),
            rx.select.content(
                rx.select.item("All statuses", value=ALL),
                rx.select.separator(),
                *[rx.select.item(s.label, value=s.value) for s in OrderStatus],
                rx.select.separator(),
                rx.select.item("On the way (shipped to out for delivery)", value=ON_THE_WAY),
            ),
            value=state.status_filter,
            on_change=state.set_status,
            size="2",
        ),
        rx.cond(
            state.is_filtered,
            rx.button(
                rx.icon("x", size=14, aria_hidden="true"),
                "Clear filters",
                on_click=state.clear_filters,
                variant="ghost",
                color_scheme="gray",
                size="2",
                margin="0",
            ),
        ),
        *([export_menu(state)] if export else []),
        gap="3",
        width="100%",
        wrap="wrap",
        align="center",
    )


SEARCH_IN = (
    ("any", "Every field"),
    ("id", "Order id"),
    ("number", "Order number"),
    ("email", "Customer email"),
    ("name", "Customer name"),
    ("sku", "SKU"),
    ("title", "Product title"),
    ("tracking", "Tracking number"),
)


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        control,
        spacing="1",
    )


def staff_filters(state) -> rx.Component:
    """Where to search, carrier, delivery country, flagged, placed between two dates."""
    return rx.form(
        rx.flex(
            _labelled(
                "Search in",
                rx.select.root(
                    rx.select.trigger(aria_label="Search in", min_width="160px"),
                    rx.select.content(*[rx.select.item(t, value=v) for v, t in SEARCH_IN]),
                    name="search_in",
                    value=state.search_in,
                    on_change=state.set_search_in,
                    size="2",
                ),
            ),
            _labelled(
                "Carrier",
                rx.select.root(
                    rx.select.trigger(aria_label="Filter by carrier", min_width="130px"),
                    rx.select.content(
                        rx.select.item("Any carrier", value=ALL),
                        *[rx.select.item(c.value.upper(), value=c.value) for c in CarrierName],
                    ),
                    value=state.carrier_filter,
                    on_change=state.set_carrier,
                    size="2",
                ),
            ),
            _labelled(
                "Flagged for support",
                rx.select.root(
                    rx.select.trigger(aria_label="Filter by flag", min_width="130px"),
                    rx.select.content(
                        rx.select.item("Either", value=ALL),
                        rx.select.item("Flagged", value="yes"),
                        rx.select.item("Not flagged", value="no"),
                    ),
                    value=state.flagged_filter,
                    on_change=state.set_flagged,
                    size="2",
                ),
            ),
            _labelled(
                "Country",
                rx.input(
                    name="country",
                    default_value=state.country_filter,
                    placeholder="US",
                    max_length=2,
                    aria_label="Delivery country (two letters)",
                    width="70px",
                    size="2",
                ),
            ),
            _labelled(
                "Placed from",
                rx.input(
                    name="placed_from",
                    type="date",
                    default_value=state.placed_from,
                    aria_label="Placed on or after",
                    size="2",
                ),
            ),
            _labelled(
                "Placed to",
                rx.input(
                    name="placed_to",
                    type="date",
                    default_value=state.placed_to,
                    aria_label="Placed on or before",
                    size="2",
                ),
            ),
            rx.button("Apply", type="submit", size="2", variant="soft"),
            gap="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        on_submit=state.filter_more,
        aria_label="More filters",
        width="100%",
    )


def export_menu(state) -> rx.Component:
    return rx.hstack(
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("download", size=16, aria_hidden="true"),
                    "Export",
                    rx.icon("chevron-down", size=14, aria_hidden="true"),
                    type="button",
                    variant="outline",
                    size="2",
                    loading=state.export_running,
                    data_testid="export-menu",
                ),
            ),
            rx.menu.content(
                rx.menu.item("CSV (.csv)", on_select=state.export("csv")),
                rx.menu.item("Excel (.xlsx)", on_select=state.export("xlsx")),
                rx.menu.item("Parquet (.parquet)", on_select=state.export("parquet")),
            ),
        ),
        spacing="2",
        margin_left="auto",
    )


def export_progress(state) -> rx.Component:
    return rx.fragment(
        rx.cond(
            state.export_running | (state.export_file != ""),
            rx.hstack(
                rx.progress(
                    value=state.export_percent, max=100, width="200px", aria_label="Export progress"
                ),
                rx.text(
                    state.export_text, size="2", color_scheme="gray", data_testid="export-progress"
                ),
                rx.cond(
                    state.export_file != "",
                    rx.button(
                        rx.icon("file-down", size=14, aria_hidden="true"),
                        "Download again",
                        on_click=state.download_export,
                        variant="ghost",
                        size="1",
                    ),
                ),
                spacing="3",
                align="center",
                role="status",
            ),
        ),
        rx.cond(
            state.export_error,
            notice(state.export_error, icon="triangle-alert", color_scheme="red", role="alert"),
        ),
    )


def _summary(state) -> rx.Component:
    return rx.text(
        rx.cond(
            state.total_count > 0,
            rx.fragment(
                "Showing ",
                rx.text.strong(state.first_shown),
                "–",
                rx.text.strong(state.last_shown),
                " of ",
                rx.text.strong(state.total_text),
                " orders",
            ),
            "No orders",
        ),
        size="2",
        color_scheme="gray",
        data_testid="pager-summary",
    )


def order_list_card(
    state,
    *,
    title: str,
    search_placeholder: str,
    empty_title: str,
    empty_hint: str,
    show_seller: bool,
    show_customer: bool,
    more_filters: bool = False,
) -> rx.Component:
    extra = [staff_filters(state), export_progress(state)] if more_filters else []
    return card(
        filter_bar(state, search_placeholder=search_placeholder, export=more_filters),
        *extra,
        rx.cond(
            state.error,
            notice(state.error, icon="triangle-alert", color_scheme="red", role="alert"),
        ),
        rx.cond(
            state.rows.length() > 0,
            rx.vstack(
                orders_table(
                    state.rows, show_seller=show_seller, show_customer=show_customer, label=title
                ),
                pager(state, _summary(state)),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                state.is_filtered,
                empty_state(
                    "No orders match these filters",
                    "Check the order number or email for typos, pick another status, "
                    "or clear the filters to see every order.",
                    icon="search-x",
                    action=rx.button(
                        "Clear filters", on_click=state.clear_filters, variant="soft", size="2"
                    ),
                ),
                empty_state(empty_title, empty_hint),
            ),
        ),
        title=title,
        icon="list",
    )
