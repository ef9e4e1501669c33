"""/tickets: "My requests" for a customer, the tickets about their orders for a
seller — status, the last message and whose turn it is — and "New request"."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.ticket_form import new_ticket_dialog
from oms_dashboard.ui.components.ticket_list import ticket_table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.my_tickets import LIMIT, MyTicketsState
from oms_dashboard.ui.states.ticket_form import NO_ORDER

ROUTE = "/tickets"
TITLE = "Support requests · OMS Dashboard"
ON_LOAD = MyTicketsState.load

S = MyTicketsState
COLUMNS = ["request", "turn", "last", "order"]
SELLER = S.viewer_role == "seller"


def _order_choice() -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text("About an order", size="2", weight="medium"), html_for="ticket-order"),
        rx.select.root(
            rx.select.trigger(id="ticket-order", width="100%", aria_label="About an order"),
            rx.select.content(
                rx.select.item("Not about one order", value=NO_ORDER),
                rx.foreach(S.orders, lambda o: rx.select.item(o.label, value=o.id)),
            ),
            name="order_id",
            default_value=NO_ORDER,
        ),
        spacing="1",
        width="100%",
    )


def _new_request() -> rx.Component:
    return new_ticket_dialog(
        S,
        trigger=rx.button(
            rx.icon("plus", size=16, aria_hidden="true"), "New request", data_testid="new-request"
        ),
        title="New request to support",
        description="Support answers the most urgent first; you are told in the app and by "
        "email when they reply. Pick the order if it is about one: it helps them help you.",
        on_submit=S.submit_request,
        order_choice=_order_choice(),
    )


def _list() -> rx.Component:
    return card(
        rx.cond(
            S.capped,
            notice(
                f"Showing the latest {LIMIT}.",
                icon="info",
                color_scheme="blue",
            ),
        ),
        rx.cond(
            S.rows.length() > 0,
            ticket_table(S.rows, COLUMNS, label="Support requests"),
            empty_state(
                rx.cond(SELLER, "No ticket about your orders", "You have asked support nothing"),
                rx.cond(
                    SELLER,
                    "When a customer or support opens a ticket about one of your orders, it "
                    "appears here; the ones waiting on you come first.",
                    "Something wrong with an order? Open it and press \u201cAsk for help\u201d, "
                    "or start a new request here.",
                ),
                icon="life-buoy",
            ),
        ),
        title=rx.cond(SELLER, "Tickets about your orders", "Your requests"),
        icon="messages-square",
        actions=rx.cond(
            S.your_turn_count > 0,
            rx.badge(
                rx.text.span(S.your_turn_count, " waiting on you"),
                color_scheme="amber",
                high_contrast=True,
                size="2",
                data_testid="your-turn-count",
            ),
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            rx.cond(SELLER, "Support tickets", "My requests"),
            rx.cond(
                SELLER,
                "Tickets about your orders. Those waiting on your answer come first.",
                "What you asked support, where each request stands and whose turn it is.",
            ),
            _new_request(),
        ),
        _list(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
