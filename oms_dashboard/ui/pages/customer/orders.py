"""/orders: a customer's own orders, newest first."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.order_list import order_list_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.order_lists import CustomerOrdersState

ROUTE = "/orders"
TITLE = "My orders · OMS Dashboard"
ON_LOAD = CustomerOrdersState.load


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "My orders",
            "Every order you have placed, newest first. Open one to see where it is.",
        ),
        order_list_card(
            CustomerOrdersState,
            title="Orders",
            search_placeholder="Order number, SKU or tracking number",
            empty_title="You have no orders yet",
            empty_hint="When you check out, each seller's part of your cart appears here "
            "as its own order, with its status and tracking.",
            show_seller=True,
            show_customer=False,
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, CustomerOrdersState.access)
