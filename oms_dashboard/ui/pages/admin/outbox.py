"""/admin/outbox: the emails the OMS sent (over SMTP, or into the local mailbox)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.pager import pager
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.outbox import EmailRow, OutboxState

ROUTE = "/admin/outbox"
TITLE = "Outbox · OMS Dashboard"
ON_LOAD = OutboxState.load

COLUMNS = [Column("Sent"), Column("Kind"), Column("To"), Column("Subject"), Column("Via")]
OPENED = OutboxState.opened
SUBJECT_BUTTON = {
    "all": "unset",
    "cursor": "pointer",
    "color": rx.color("accent", 11),
    "font_size": "var(--font-size-2)",
    "line_height": "var(--line-height-2)",
    "text_align": "left",
    "_hover": {"text_decoration": "underline"},
    "_focus_visible": {"outline": f"2px solid {rx.color('accent', 8)}", "border_radius": "2px"},
}


def _row(row: rx.Var[EmailRow]) -> list[rx.Component]:
    return [
        when(row.sent_relative, row.sent_exact),
        rx.badge(row.kind, variant="soft", color_scheme="gray"),
        rx.text(row.recipient, size="2"),
        # A real button, so the keyboard opens an email as well as the mouse.
        rx.el.button(
            row.subject,
            on_click=OutboxState.open_email(row.id),
            type="button",
            data_testid="open-email",
            style=SUBJECT_BUTTON,
        ),
        rx.text(row.transport, size="2", color_scheme="gray", white_space="nowrap"),
    ]


def _email_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(OPENED.subject),
            rx.dialog.description(
                rx.text.span(
                    "To ", OPENED.recipient, " · ", OPENED.sent, " · via ", OPENED.transport
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("HTML", value="html"),
                    rx.tabs.trigger("Plain text", value="text"),
                ),
                rx.tabs.content(
                    # Rendered in a sandboxed frame: the email's HTML never joins this page.
                    rx.el.iframe(
                        src_doc=OPENED.html_body,
                        sandbox="",
                        title="Email as HTML",
                        width="100%",
                        height="480px",
                        style={
                            "border": "1px solid var(--gray-5)",
                            "border_radius": "8px",
                            "background": "white",
                        },
                    ),
                    value="html",
                    padding_top="12px",
                ),
                rx.tabs.content(
                    rx.code_block(
                        OPENED.text_body, language="markdown", wrap_long_lines=True, width="100%"
                    ),
                    value="text",
                    padding_top="12px",
                ),
                default_value="html",
                margin_top="12px",
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button(
                        "Close",
                        variant="soft",
                        color_scheme="gray",
                        on_click=OutboxState.close_email,
                    )
                ),
                justify="end",
                margin_top="16px",
            ),
            max_width="760px",
        ),
        open=OPENED.id != "",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Outbox",
            "Every email the OMS sent: order confirmations, new-order and low-stock alerts, "
            "payment problems. Without OMS_SMTP_URL they stay in this local mailbox.",
        ),
        card(
            rx.cond(
                OutboxState.rows.length() > 0,
                rx.vstack(
                    table(COLUMNS, OutboxState.rows, _row, label="Emails"),
                    pager(OutboxState, back="Newer", forward="Older"),
                    width="100%",
                ),
                empty_state(
                    "No emails yet",
                    "Emails appear here once a payment is verified or a seller is alerted.",
                    icon="mail",
                ),
            ),
            title="Emails",
            icon="mail",
        ),
        _email_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, OutboxState.access)
