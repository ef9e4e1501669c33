"""The order page's support tickets: each ticket about the order the viewer may see
(subject, status and whose turn, priority), linking to it, and "Ask for help" for the
customer ("Open a ticket" for the seller), a ticket about this order."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.ticket_form import new_ticket_dialog
from oms_dashboard.ui.components.ticket_list import ticket_table
from oms_dashboard.ui.states.order_detail import OrderDetailState
from oms_dashboard.ui.states.order_tickets import OrderTicketsState

S = OrderTicketsState
COLUMNS = ["subject", "turn", "priority_badge"]
SELLER = S.viewer_role == "seller"


def _ask() -> rx.Component:
    return rx.cond(
        S.can_ask,
        new_ticket_dialog(
            S,
            trigger=rx.button(
                rx.icon("life-buoy", size=16, aria_hidden="true"),
                rx.cond(SELLER, "Open a ticket", "Ask for help"),
                variant="soft",
                size="2",
                data_testid="ask-for-help",
            ),
            title=rx.cond(SELLER, "Open a ticket about this order", "Ask support for help"),
            description=(
                "Support sees this order with your message and answers the most urgent "
                "first; you are told in the app and by email when they reply."
            ),
            on_submit=S.submit_ticket,
        ),
    )


def order_tickets_card() -> rx.Component:
    """Mounted afresh for each order (keyed on its id), so it loads that order's."""
    return rx.box(
        rx.cond(
            S.order_id != "",
            card(
                rx.cond(
                    S.rows.length() > 0,
                    ticket_table(S.rows, COLUMNS, label="Support tickets about this order"),
                    rx.text(
                        "No ticket about this order.",
                        rx.cond(S.can_ask, " Something wrong? Ask support for help.", ""),
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                rx.cond(
                    S.more,
                    rx.link("See all your tickets", href="/tickets", size="2"),
                ),
                title="Support tickets",
                icon="life-buoy",
                actions=_ask(),
                data_testid="order-tickets",
            ),
        ),
        key=OrderDetailState.order.id,
        on_mount=S.load,
        width="100%",
    )
