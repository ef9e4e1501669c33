"""/seller/orders: the orders placed with the signed-in person's seller."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.order_list import order_list_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.stat_card import stat_card
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.pages.seller.low_stock import low_stock_card
from oms_dashboard.ui.states.low_stock import LowStockState
from oms_dashboard.ui.states.order_lists import SellerOrdersState, Tally

ROUTE = "/seller/orders"
TITLE = "Incoming orders · OMS Dashboard"
ON_LOAD = [SellerOrdersState.load, LowStockState.load, SellerOrdersState.keep_fresh]


def _tally(tally: rx.Var[Tally]) -> rx.Component:
    return stat_card(
        label=tally.label,
        value=tally.count,
        hint=tally.hint,
        color=tally.color,
        icon=tally.icon,
        on_click=SellerOrdersState.set_status(tally.status),
        selected=SellerOrdersState.status_filter == tally.status,
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Incoming orders",
            SellerOrdersState.subtitle,
            rx.link(
                rx.button(rx.icon("truck", size=16, aria_hidden="true"), "Ship orders", size="2"),
                href="/seller/fulfillment",
                data_testid="to-fulfillment",
            ),
        ),
        rx.grid(
            rx.foreach(SellerOrdersState.tallies, _tally),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        order_list_card(
            SellerOrdersState,
            title="Orders",
            search_placeholder="Order number, customer email, SKU or tracking number",
            empty_title="No orders yet",
            empty_hint="Orders customers place for your products appear here as soon as "
            "they check out. Paid orders show as Processing: those are the ones to ship.",
            show_seller=False,
            show_customer=True,
        ),
        # Below the queue: shipping today's orders comes first, restocking next.
        low_stock_card(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, SellerOrdersState.access)
