"""/admin/refunds: refunds that need an admin's eye, overdue first."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.decision_dialog import decision_dialog, reason_field
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.ticket_badges import refund_status_badge
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.refund_oversight import (
    APPROVE,
    REJECT,
    RefundOversightState,
    RefundRow,
)

ROUTE = "/admin/refunds"
TITLE = "Refunds · OMS Dashboard"
ON_LOAD = RefundOversightState.load

S = RefundOversightState
COLUMNS = [
    Column("Order"),
    Column("Amount", "right"),
    Column("Status"),
    Column("Rule", width="30%"),
    Column("Due"),
    Column("Decide", "right"),
]


def _flag(text: str, color: str, icon: str) -> rx.Component:
    return rx.badge(
        rx.icon(icon, size=12, aria_hidden="true"),
        text,
        color_scheme=color,
        variant="outline",
        high_contrast=True,
        radius="full",
        size="1",
    )


def _row(row: rx.Var[RefundRow]) -> list[rx.Component]:
    return [
        rx.link(
            row.order_number,
            href=row.order_href,
            font_family="var(--code-font-family)",
            size="2",
            white_space="nowrap",
        ),
        rx.text(row.amount, size="2", weight="medium", white_space="nowrap"),
        rx.vstack(
            refund_status_badge(row.status),
            rx.hstack(
                rx.cond(row.overdue, _flag("Overdue", "red", "alarm-clock")),
                rx.cond(row.high_value, _flag("High value", "orange", "gem")),
                spacing="1",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text(row.rule_reason, size="2"),
            rx.text(row.reason, size="1", color_scheme="gray"),
            rx.cond(row.last_error, rx.text(row.last_error, size="1", color_scheme="red")),
            spacing="1",
        ),
        rx.text(
            row.due_text,
            title=row.due_exact,
            size="2",
            color_scheme=rx.cond(row.overdue, "red", "gray"),
            weight=rx.cond(row.overdue, "bold", "regular"),
        ),
        rx.cond(
            row.decidable,
            rx.hstack(
                rx.button(
                    "Approve",
                    on_click=S.open_decision(row.id, APPROVE),
                    size="1",
                    variant="soft",
                    aria_label=f"Approve the refund on order {row.order_number}",
                ),
                rx.button(
                    "Reject",
                    on_click=S.open_decision(row.id, REJECT),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label=f"Reject the refund on order {row.order_number}",
                ),
                spacing="2",
                justify="end",
            ),
            rx.cond(
                row.retryable,
                rx.button(
                    rx.icon("rotate-cw", size=14, aria_hidden="true"),
                    "Retry",
                    on_click=S.retry(row.id),
                    size="1",
                    variant="soft",
                    aria_label=f"Retry the refund on order {row.order_number}",
                    data_testid="retry-refund",
                ),
                rx.text("—", size="2", color_scheme="gray", aria_label="Nothing to decide"),
            ),
        ),
    ]


def _dialog() -> rx.Component:
    approving = S.acting == APPROVE
    return decision_dialog(
        is_open=S.acting_id != "",
        title=rx.text.span(rx.cond(approving, "Approve ", "Reject "), S.acting_title),
        description=rx.cond(
            approving,
            "The money goes back to the customer through the payment provider. "
            "This cannot be undone.",
            "The customer is told the refund is rejected, with your reason.",
        ),
        fields=reason_field(
            field_id="refund-note",
            label=rx.cond(approving, "Note (optional)", "Reason"),
            value=S.note,
            on_change=S.set_note,
            error=S.note_error,
        ),
        cancel="Not yet",
        on_cancel=S.close_decision,
        confirm=rx.cond(approving, "Approve refund", "Reject refund"),
        confirm_color=rx.cond(approving, "green", "red"),
        on_confirm=S.confirm_decision,
    )


def _count(value: rx.Var[int], words: str, color: str) -> rx.Component:
    return rx.cond(
        value > 0,
        rx.badge(rx.text.span(value, words), color_scheme=color, high_contrast=True, size="2"),
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Refunds",
            "Refunds that need an admin's eye: overdue (cancellations are paid within "
            "24 hours, approved refunds within 3 business days), high value, waiting for "
            "review, or failed at the payment provider. Overdue first.",
        ),
        card(
            rx.cond(
                S.rows.length() > 0,
                table(COLUMNS, S.rows, _row, label="Refunds to watch"),
                empty_state(
                    "No refund needs you",
                    "Refunds show up here when they wait for review, pass their due time, "
                    "fail at the provider, or are over the high-value threshold.",
                    icon="circle-check",
                ),
            ),
            title="To watch",
            icon="receipt",
            actions=rx.hstack(
                _count(S.overdue, " overdue", "red"),
                _count(S.high_value, " high value", "orange"),
                _count(S.pending, " waiting for review", "amber"),
                _count(S.failed, " failed", "red"),
                spacing="2",
                wrap="wrap",
                data_testid="refund-counts",
            ),
        ),
        _dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
