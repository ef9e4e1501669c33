"""/admin: orders per status at a glance, and the latest orders."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.orders_table import orders_table
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.stat_card import stat_card
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.admin import AdminOverviewState, StatusCount

ROUTE = "/admin"
TITLE = "Overview · OMS Dashboard"
ON_LOAD = AdminOverviewState.load


def _count(item: rx.Var[StatusCount]) -> rx.Component:
    return stat_card(
        label=item.label, value=item.count, color=item.color, icon=item.icon, href=item.href
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Overview",
            AdminOverviewState.summary,
            rx.link(
                rx.button(rx.icon("list", size=16), "All orders", variant="soft", size="2"),
                href="/admin/orders",
            ),
        ),
        rx.grid(
            rx.foreach(AdminOverviewState.counts, _count),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4",
            width="100%",
            data_testid="status-counts",
        ),
        card(
            rx.cond(
                AdminOverviewState.recent.length() > 0,
                orders_table(
                    AdminOverviewState.recent,
                    show_seller=True,
                    show_customer=True,
                    label="Latest orders",
                ),
                empty_state(
                    "No orders in the mall yet",
                    "Run `python -m oms_dashboard seed-demo` to load demo orders, "
                    "or wait for the first checkout.",
                ),
            ),
            title="Latest orders",
            icon="clock",
            actions=rx.link("See all orders", href="/admin/orders", size="2"),
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, AdminOverviewState.access)
