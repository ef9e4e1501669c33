"""/admin/review: orders held for a person to decide (duplicates, lost stock, payment)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.review import HeldRow, ReviewState

ROUTE = "/admin/review"
TITLE = "Review queue · OMS Dashboard"
ON_LOAD = ReviewState.load

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
                on_click=ReviewState.release(row.id),
                size="1",
                variant="soft",
                aria_label=f"Release order {row.number}",
            ),
            rx.button(
                "Cancel",
                on_click=ReviewState.open_cancel(row.id, row.number),
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
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.text.span("Cancel order ", ReviewState.cancel_number)),
            rx.alert_dialog.description(
                "The order is cancelled and its stock goes back on sale. If it was paid, "
                "a refund is due. This cannot be undone.",
                size="2",
            ),
            rx.vstack(
                rx.el.label(rx.text("Reason", size="2", weight="medium"), html_for="cancel-reason"),
                rx.text_area(
                    id="cancel-reason",
                    aria_invalid=rx.cond(ReviewState.cancel_error, "true", "false"),
                    aria_describedby="cancel-error",
                    value=ReviewState.cancel_reason,
                    on_change=ReviewState.set_cancel_reason,
                    placeholder="e.g. the customer placed it twice by mistake",
                    width="100%",
                ),
                rx.cond(
                    ReviewState.cancel_error,
                    rx.text(
                        ReviewState.cancel_error.to(str).capitalize(),
                        id="cancel-error",
                        color_scheme="red",
                        size="2",
                        role="alert",
                        data_testid="cancel-error",
                    ),
                ),
                spacing="2",
                width="100%",
                margin_top="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep it",
                        variant="soft",
                        color_scheme="gray",
                        on_click=ReviewState.close_cancel,
                    ),
                ),
                # High contrast: white on Radix's red step 9 is 4.4:1, under the 4.5 needed.
                rx.button(
                    "Cancel order",
                    color_scheme="red",
                    high_contrast=True,
                    on_click=ReviewState.confirm_cancel,
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        open=ReviewState.cancel_id != "",
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
                ReviewState.rows.length() > 0,
                table(COLUMNS, ReviewState.rows, _row, label="Held orders"),
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
    return shell(_content, ReviewState.access)
