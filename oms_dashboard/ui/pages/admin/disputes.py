"""/admin/disputes: tickets a customer or seller escalated, decided once by an admin."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.decision_dialog import decision_dialog, reason_field
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.ticket_badges import decision_badge
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.disputes import DisputeRow, DisputesState

ROUTE = "/admin/disputes"
TITLE = "Disputes · OMS Dashboard"
ON_LOAD = DisputesState.load

S = DisputesState
CHOICES = [
    ("refund", "Refund everything still refundable"),
    ("partial_refund", "Partial refund of an amount"),
    ("reject", "Reject: no refund"),
]
OPEN_COLUMNS = [
    Column("Ticket", width="34%"),
    Column("Order"),
    Column("Opened"),
    Column("Refundable", "right"),
    Column("Decide", "right"),
]
DECIDED_COLUMNS = [
    Column("Ticket", width="30%"),
    Column("Order"),
    Column("Decision"),
    Column("Note", width="36%"),
]


def _ticket(row: rx.Var[DisputeRow]) -> rx.Component:
    return rx.vstack(
        rx.link(row.subject, href=row.ticket_href, weight="medium", size="2"),
        rx.text(
            row.ticket_number,
            size="1",
            color_scheme="gray",
            font_family="var(--code-font-family)",
        ),
        spacing="1",
    )


def _order(row: rx.Var[DisputeRow]) -> rx.Component:
    return rx.link(
        row.order_number,
        href=row.order_href,
        font_family="var(--code-font-family)",
        size="2",
        white_space="nowrap",
    )


def _open_row(row: rx.Var[DisputeRow]) -> list[rx.Component]:
    return [
        _ticket(row),
        _order(row),
        rx.vstack(
            rx.text("by ", row.opened_by, size="2"),
            when(row.opened_relative, row.opened_exact, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.text(row.refundable, size="2", white_space="nowrap"),
        rx.button(
            rx.icon("gavel", size=14, aria_hidden="true"),
            "Decide…",
            on_click=S.open_decide(row.id),
            size="1",
            aria_label=f"Decide the dispute on ticket {row.ticket_number}",
        ),
    ]


def _decided_row(row: rx.Var[DisputeRow]) -> list[rx.Component]:
    return [
        _ticket(row),
        _order(row),
        rx.vstack(
            decision_badge(row.decision),
            rx.cond(row.amount, rx.text(row.amount, size="2", weight="medium")),
            spacing="1",
        ),
        rx.text(row.note, size="2", white_space="pre-wrap"),
    ]


def _error(field: str) -> rx.Component:
    return rx.cond(
        S.errors.contains(field),
        rx.text(
            S.errors[field].to(str).capitalize(),
            id=f"dispute-{field}-error",
            role="alert",
            color_scheme="red",
            size="2",
        ),
    )


def _decide_dialog() -> rx.Component:
    return decision_dialog(
        is_open=S.deciding_id != "",
        title=rx.text.span("Decide the dispute on ", S.deciding_title),
        description="Your decision and note go on the ticket for the customer and the seller "
        "to read, and the ticket is resolved. A refund is paid at once through the "
        "payment provider. This cannot be undone.",
        fields=[
            rx.text("Decision", size="2", weight="medium", id="decision-label"),
            rx.radio_group.root(
                rx.vstack(
                    *[
                        rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value=value),
                                rx.text(text, size="2"),
                                spacing="2",
                                align="center",
                            )
                        )
                        for value, text in CHOICES
                    ],
                    spacing="2",
                ),
                value=S.decision,
                on_change=S.set_decision,
                aria_labelledby="decision-label",
            ),
            _error("decision"),
            rx.cond(
                S.needs_amount,
                rx.vstack(
                    rx.el.label(
                        rx.text.span("Amount (", S.deciding_currency, ")"),
                        html_for="dispute-amount",
                        style={"font_size": "var(--font-size-2)", "font_weight": "500"},
                    ),
                    rx.input(
                        id="dispute-amount",
                        value=S.amount,
                        on_change=S.set_amount,
                        placeholder="e.g. 12.50",
                        inputmode="decimal",
                        aria_invalid=rx.cond(S.errors.contains("amount"), "true", "false"),
                        aria_describedby="dispute-amount-error",
                        width="160px",
                    ),
                    rx.text(
                        "Up to ",
                        S.deciding_left,
                        " is left to refund.",
                        size="1",
                        color_scheme="gray",
                    ),
                    _error("amount"),
                    spacing="1",
                ),
            ),
            *reason_field(
                field_id="dispute-note",
                label="Note to both parties",
                value=S.note,
                on_change=S.set_note,
                error=S.errors.get("note", ""),
                placeholder="What you decided and why",
                rows="4",
            ),
        ],
        cancel="Not yet",
        on_cancel=S.close_decide,
        confirm="Decide, for good",
        on_confirm=S.confirm_decide,
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Disputes",
            "Tickets a customer or seller escalated. Read the ticket's conversation, then "
            "decide once: a refund, a partial refund, or no refund, with a note both read.",
        ),
        card(
            rx.cond(
                S.open_rows.length() > 0,
                table(OPEN_COLUMNS, S.open_rows, _open_row, label="Open disputes"),
                empty_state(
                    "No open dispute",
                    "A dispute shows up here when a customer or seller escalates a ticket "
                    "about an order.",
                    icon="scale",
                ),
            ),
            title="Waiting for a decision",
            icon="scale",
            data_testid="open-disputes",
        ),
        rx.cond(
            S.decided_rows.length() > 0,
            card(
                table(DECIDED_COLUMNS, S.decided_rows, _decided_row, label="Decided disputes"),
                title="Decided",
                icon="gavel",
                data_testid="decided-disputes",
            ),
        ),
        _decide_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
