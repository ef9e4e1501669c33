"""/admin/orders: every order in the mall, filtered and paged in SQL."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.order_list import order_list_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.order_lists import AdminOrdersState

ROUTE = "/admin/orders"
TITLE = "All orders · OMS Dashboard"
ON_LOAD = AdminOrdersState.load


def _content() -> rx.Component:
    return rx.vstack(
        page_header("All orders", "Every order of every seller, newest first."),
        order_list_card(
            AdminOrdersState,
            title="Orders",
            search_placeholder="Order id or number, customer email or name, SKU, title, tracking",
            empty_title="No orders in the mall yet",
            empty_hint="Run `python -m oms_dashboard seed-demo` to load demo orders, "
            "or wait for the first checkout.",
            show_seller=True,
            show_customer=True,
            more_filters=True,
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, AdminOrdersState.access)
