"""A role's order list in a card: search, status filter, the table, paging, empty state."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.orders_table import orders_table
from oms_dashboard.ui.states.order_list import ALL, ON_THE_WAY, SEARCH_INPUT_ID


def filter_bar(state, *, search_placeholder: str) -> rx.Component:
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
        gap="3",
        width="100%",
        wrap="wrap",
        align="center",
    )


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.text(
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
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16, aria_hidden="true"),
            "Previous",
            on_click=state.previous_page,
            disabled=state.page_number <= 1,
            variant="soft",
            color_scheme="gray",
            size="2",
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=16, aria_hidden="true"),
            on_click=state.next_page,
            disabled=~state.has_next,
            variant="soft",
            color_scheme="gray",
            size="2",
        ),
        width="100%",
        align="center",
        spacing="2",
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
) -> rx.Component:
    return card(
        filter_bar(state, search_placeholder=search_placeholder),
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
                pager(state),
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
