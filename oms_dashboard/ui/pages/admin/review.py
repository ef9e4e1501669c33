"""/admin/review: orders held for a person to decide (duplicates, lost stock, payment)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.decision_dialog import decision_dialog, reason_field
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.review import CANCEL, HeldRow, ReviewState

ROUTE = "/admin/review"
TITLE = "Review queue · OMS Dashboard"
ON_LOAD = ReviewState.load

S = ReviewState

COLUMNS = [
    Column("Order"),
    Column("Placed"),
    Column("Why it is held"),
    Column("Seller"),
    Column("Customer"),
    Column("Total", "right"),
    Column("Decide", "right"),
]


def _row(row: rx.Var[HeldRow]) -> list[rx.Component]:
    return [
        rx.vstack(
            rx.link(row.number, href=row.href, font_family="monospace", size="2"),
            status_badge(row.status, size="1"),
            spacing="1",
        ),
        when(row.placed_relative, row.placed_exact),
        rx.text(row.explanation, size="2", max_width="260px"),
        rx.text(row.seller, size="2"),
        rx.text(row.customer, size="2", color_scheme="gray"),
        rx.text(row.total, size="2", white_space="nowrap"),
        rx.hstack(
            rx.button(
                "Release",
                on_click=S.release(row.id),
                size="1",
                variant="soft",
                aria_label=f"Release order {row.number}",
            ),
            rx.button(
                "Cancel",
                on_click=S.open_decision(row.id, CANCEL),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label=f"Cancel order {row.number}",
            ),
            spacing="2",
            justify="end",
        ),
    ]


def _cancel_dialog() -> rx.Component:
    return decision_dialog(
        is_open=S.acting_id != "",
        title=rx.text.span("Cancel order ", S.acting_title),
        description="The order is cancelled and its stock goes back on sale. If it was paid, "
        "a refund is due. This cannot be undone.",
        fields=reason_field(
            field_id="cancel-reason",
            label="Reason",
            value=S.note,
            on_change=S.set_note,
            error=S.note_error,
            placeholder="e.g. the customer placed it twice by mistake",
            error_testid="cancel-error",
        ),
        cancel="Keep it",
        on_cancel=S.close_decision,
        confirm="Cancel order",
        confirm_color="red",
        on_confirm=S.confirm_decision,
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Review queue",
            "Orders held for a decision: a likely duplicate, stock lost after it was "
            "reserved, or a payment that does not match. The longest waiting come first.",
        ),
        card(
            rx.cond(
                S.rows.length() > 0,
                table(COLUMNS, S.rows, _row, label="Held orders"),
                empty_state(
                    "Nothing to review",
                    "Held orders appear here as soon as the OMS flags one.",
                    icon="circle-check",
                ),
            ),
            title="Held orders",
            icon="shield-alert",
        ),
        _cancel_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
