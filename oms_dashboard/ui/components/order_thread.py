"""The order's thread: the customer and the owning seller write, support and admins
read; the newest message last, the reader's own on the right."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.states.order_actions import OrderActionsState as A
from oms_dashboard.ui.states.order_detail import OrderDetailState as D
from oms_dashboard.ui.states.order_service import MessageRow

ORDER = D.order


def _message(m: rx.Var[MessageRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(m.author, size="1", weight="medium"),
            when(m.relative, m.exact, size="1", color_scheme="gray"),
            spacing="2",
            wrap="wrap",
        ),
        rx.text(m.body, size="2", white_space="pre-wrap"),
        background=rx.cond(m.mine, rx.color("accent", 3), rx.color("gray", 3)),
        border_radius="var(--radius-3)",
        padding="8px 12px",
        max_width="85%",
        align_self=rx.cond(m.mine, "flex-end", "flex-start"),
        data_testid="message",
    )


def messages_card() -> rx.Component:
    """The customer and the seller write about the order; support and admins read."""
    return card(
        rx.cond(
            D.messages.length() > 0,
            rx.vstack(rx.foreach(D.messages, _message), spacing="2", width="100%"),
            rx.text(
                rx.cond(
                    ORDER.can_message,
                    "No messages yet. Ask a question about this order here.",
                    "No messages on this order.",
                ),
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            ORDER.can_message,
            rx.form(
                rx.vstack(
                    rx.text_area(
                        name="body",
                        placeholder="Write a message",
                        aria_label="Write a message",
                        max_length=5000,
                        width="100%",
                        data_testid="message-body",
                    ),
                    rx.button(
                        rx.icon("send", size=16, aria_hidden="true"),
                        "Send",
                        type="submit",
                        size="2",
                        data_testid="send-message",
                    ),
                    align="end",
                    spacing="2",
                    width="100%",
                ),
                on_submit=A.send_message,
                reset_on_submit=True,
                width="100%",
            ),
            rx.text(
                "Read-only: the customer and the seller write here; support answers on tickets.",
                size="1",
                color_scheme="gray",
            ),
        ),
        title="Messages",
        icon="messages-square",
        data_testid="messages",
    )
