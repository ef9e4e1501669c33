"""/support/orders: find any order by number, email, SKU or tracking number."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.order_list import order_list_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.order_lists import SupportOrdersState

ROUTE = "/support/orders"
TITLE = "Order search · OMS Dashboard"
ON_LOAD = SupportOrdersState.load


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Order search",
            "Search every order in the mall by order number, customer email, SKU or "
            "tracking number. Matches are exact, not case-sensitive.",
        ),
        order_list_card(
            SupportOrdersState,
            title="Orders",
            search_placeholder="e.g. OMS-7K3F-9QX2, jane@example.com, a SKU or a tracking number",
            empty_title="No orders in the mall yet",
            empty_hint="Orders appear here as soon as customers check out.",
            show_seller=True,
            show_customer=True,
            more_filters=True,
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, SupportOrdersState.access)
