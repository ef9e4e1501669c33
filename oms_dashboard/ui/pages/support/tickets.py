"""/support/tickets: support's queue, most urgent first, then the nearest SLA."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.ticket_badges import PRIORITIES, TICKET_STATUSES
from oms_dashboard.ui.components.ticket_list import ticket_table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.ticket_queue import ACTIVE, ALL, LIMIT, TicketQueueState

ROUTE = "/support/tickets"
TITLE = "Tickets · OMS Dashboard"
ON_LOAD = TicketQueueState.load

S = TicketQueueState
COLUMNS = ["ticket", "priority", "status", "sla", "order"]


def _select(label: str, value, on_change, items: list[tuple[str, str]]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_width="170px"),
        rx.select.content(*[rx.select.item(text, value=v) for v, text in items]),
        value=value,
        on_change=on_change,
        size="2",
    )


def _filters() -> rx.Component:
    statuses = [(ACTIVE, "Needs someone (not resolved)"), (ALL, "All statuses")] + [
        (value, spec[0]) for value, spec in TICKET_STATUSES.items()
    ]
    priorities = [(ALL, "All priorities")] + [(v, spec[0]) for v, spec in PRIORITIES.items()]
    return rx.flex(
        _select("Filter by status", S.status_filter, S.set_status_filter, statuses),
        _select("Filter by priority", S.priority_filter, S.set_priority_filter, priorities),
        rx.el.label(
            rx.hstack(
                rx.switch(checked=S.mine, on_change=S.set_mine, aria_label="Assigned to me"),
                rx.text("Assigned to me", size="2"),
                align="center",
                spacing="2",
            ),
            style={"margin_left": "8px"},
        ),
        rx.cond(
            S.is_filtered,
            rx.button(
                rx.icon("x", size=14, aria_hidden="true"),
                "Clear filters",
                on_click=S.clear_filters,
                variant="ghost",
                color_scheme="gray",
                size="2",
            ),
        ),
        gap="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _list() -> rx.Component:
    return card(
        _filters(),
        rx.cond(
            S.capped,
            notice(
                f"Showing the {LIMIT} most urgent. Narrow the filters to see the rest.",
                icon="info",
                color_scheme="blue",
            ),
        ),
        rx.cond(
            S.rows.length() > 0,
            ticket_table(S.rows, COLUMNS, label="Tickets"),
            empty_state(
                "No ticket matches",
                "Tickets come in from customers and sellers, and from the OMS when a parcel "
                "is stuck or a refund is late. Clear the filters to see every ticket.",
                icon="inbox",
            ),
        ),
        title="Most urgent first",
        icon="list-ordered",
        actions=rx.cond(
            S.breached_count > 0,
            rx.badge(
                rx.text.span(S.breached_count, " past their SLA"),
                color_scheme="red",
                high_contrast=True,
                size="2",
                data_testid="breached-count",
            ),
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Tickets",
            "Questions and problems from customers, sellers and the OMS itself, sorted by "
            "priority, then by the SLA deadline. Breached deadlines are red.",
        ),
        _list(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
