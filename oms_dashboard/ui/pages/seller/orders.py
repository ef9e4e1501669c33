"""/seller/orders: the orders placed with the signed-in person's seller."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.order_list import order_list_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.stat_card import stat_card
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.order_lists import LowStockRow, SellerOrdersState, Tally

ROUTE = "/seller/orders"
TITLE = "Incoming orders · OMS Dashboard"
ON_LOAD = [SellerOrdersState.load, SellerOrdersState.keep_fresh]

LOW_STOCK_COLUMNS = [
    Column("SKU"),
    Column("Product"),
    Column("Available", "right"),
    Column("Alert under", "right"),
]


def _low_stock_row(row: rx.Var[LowStockRow]) -> list[rx.Component]:
    return [
        rx.code(row.sku, size="1"),
        rx.text(row.title, size="2"),
        rx.text(row.available, size="2", weight="bold", color=rx.color("red", 11)),
        rx.text(row.threshold, size="2", color_scheme="gray"),
    ]


def _low_stock() -> rx.Component:
    return rx.cond(
        SellerOrdersState.low_stock.length() > 0,
        card(
            rx.text(
                "These products are about to sell out: restock them (PUT /api/v1/inventory/{sku}) "
                "before new orders are refused.",
                size="2",
                color_scheme="gray",
            ),
            table(
                LOW_STOCK_COLUMNS, SellerOrdersState.low_stock, _low_stock_row, label="Low stock"
            ),
            title="Low stock",
            icon="triangle-alert",
            data_testid="low-stock",
        ),
    )


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
        _low_stock(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, SellerOrdersState.access)
