"""The order page's customer-service parts: cancelling (or asking to), a waiting
cancellation request with the seller's answer, the order's refunds, the invoice, and
the notice saying what the last of these did (the thread: ``order_thread``). Each
button shows only when allowed."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.states.order_actions import OrderActionsState
from oms_dashboard.ui.states.order_detail import OrderDetailState
from oms_dashboard.ui.states.order_service import REFUND_TONES, RefundRow

A = OrderActionsState
"""The actions' handlers and the reject dialog's own state."""
D = OrderDetailState
"""What the page shows."""
ORDER = D.order
OFFER = D.cancel_offer
REQUEST = D.cancel_request

CANCEL_REASONS = [
    "I ordered by mistake",
    "I found it cheaper elsewhere",
    "It would arrive too late",
    "I changed my mind",
    "Something else",
]
OUTCOME_LOOKS = {
    "done": ("circle-check", "green"),
    "waiting": ("clock", "blue"),
    "refused": ("circle-alert", "red"),
}


def outcome_notice() -> rx.Component:
    """What the last action did, in words, until the page shows another order."""
    return rx.match(
        D.outcome.tone,
        *[
            (
                tone,
                notice(
                    D.outcome.text,
                    icon=icon,
                    color_scheme=color,
                    role="status",
                    data_testid="action-outcome",
                    data_tone=tone,
                ),
            )
            for tone, (icon, color) in OUTCOME_LOOKS.items()
        ],
        rx.fragment(),
    )


def secondary(label: str) -> rx.Component:
    return rx.button(label, variant="soft", color_scheme="gray", type="button")


def cancel_button() -> rx.Component:
    """Cancel now or ask the seller: the dialog says which before anything happens."""
    return rx.cond(
        ORDER.can_cancel,
        rx.dialog.root(
            rx.dialog.trigger(
                rx.button(
                    rx.icon("ban", size=16, aria_hidden="true"),
                    OFFER.button,
                    variant="soft",
                    color_scheme="red",
                    high_contrast=True,
                    size="2",
                    data_testid="cancel-order",
                )
            ),
            rx.dialog.content(
                rx.dialog.title(OFFER.title),
                rx.dialog.description(
                    OFFER.explains, size="2", margin_bottom="12px", data_testid="cancel-explains"
                ),
                rx.form(
                    rx.vstack(
                        rx.text("Why do you want to cancel?", size="2", weight="medium"),
                        rx.radio_group(
                            CANCEL_REASONS,
                            name="why",
                            default_value=CANCEL_REASONS[0],
                            direction="column",
                            aria_label="Why do you want to cancel?",
                        ),
                        rx.text_area(
                            name="reason",
                            placeholder="Anything the seller should know (optional)",
                            aria_label="Anything the seller should know (optional)",
                            max_length=900,
                            width="100%",
                        ),
                        rx.hstack(
                            rx.dialog.close(secondary("Keep the order")),
                            rx.dialog.close(
                                rx.button(
                                    OFFER.button,
                                    type="submit",
                                    color_scheme="red",
                                    data_testid="confirm-cancel",
                                )
                            ),
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=A.cancel_order,
                    reset_on_submit=True,
                ),
                max_width="460px",
            ),
        ),
    )


def invoice_button() -> rx.Component:
    return rx.cond(
        ORDER.can_download_invoice,
        rx.button(
            rx.icon("file-down", size=16, aria_hidden="true"),
            "Download invoice",
            on_click=A.download_invoice,
            variant="outline",
            size="2",
            data_testid="download-invoice",
        ),
    )


def confirm(
    trigger: rx.Component, title: str, text: str, go: str, on_go, testid: str
) -> rx.Component:
    """A yes/no question before something that cannot be undone."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(secondary("Not now")),
                rx.alert_dialog.action(rx.button(go, on_click=on_go, data_testid=testid)),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
        ),
    )


def reject_trigger(target: str | rx.Var[str], testid: str) -> rx.Component:
    return rx.button(
        rx.icon("x", size=16, aria_hidden="true"),
        "Reject",
        variant="soft",
        color_scheme="red",
        high_contrast=True,
        size="2",
        on_click=A.open_reject(target),
        data_testid=testid,
    )


def reject_dialog() -> rx.Component:
    """One dialog for every reject on the page; the reason is required and the customer
    reads it. It stays open, with the error under the field, until one is given."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    A.rejecting == "cancellation",
                    "Reject the cancellation request?",
                    rx.cond(
                        A.rejecting.contains("return:"),
                        "Reject this return?",
                        "Reject this refund?",
                    ),
                )
            ),
            rx.dialog.description(
                rx.cond(
                    A.rejecting == "cancellation",
                    "The order goes on as placed. The customer is told your reason.",
                    "Nothing is taken back or refunded. The customer is told your reason.",
                ),
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("Reason", html_for="reject-reason", font_size="var(--font-size-2)"),
                    rx.text_area(
                        id="reject-reason",
                        name="reason",
                        max_length=1000,
                        width="100%",
                        aria_invalid=rx.cond(A.reject_error, "true", "false"),
                        aria_describedby="reject-reason-error",
                        data_testid="reject-reason",
                    ),
                    rx.text(
                        A.reject_error,
                        id="reject-reason-error",
                        size="1",
                        color=rx.color("red", 11),
                        aria_live="polite",
                    ),
                    rx.hstack(
                        rx.dialog.close(secondary("Back")),
                        rx.button(
                            "Reject", type="submit", color_scheme="red", data_testid="send-reject"
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=A.submit_reject,
                no_validate=True,
            ),
            max_width="440px",
        ),
        open=A.rejecting != "",
        on_open_change=A.set_reject_open,
    )


def cancellation_request() -> rx.Component:
    """The waiting request: the customer's reason and when it is due; the seller's (or
    an admin's) Approve and Reject. The customer sees their own request wait."""
    return rx.cond(
        REQUEST.reason,
        card(
            rx.data_list.root(
                rx.data_list.item(
                    rx.data_list.label(REQUEST.reason_label, min_width="140px"),
                    rx.data_list.value(rx.text(REQUEST.reason, data_testid="request-reason")),
                ),
                rx.data_list.item(
                    rx.data_list.label("Asked", min_width="140px"),
                    rx.data_list.value(when(REQUEST.requested_relative, REQUEST.requested_exact)),
                ),
                rx.data_list.item(
                    rx.data_list.label("Answer due", min_width="140px"),
                    rx.data_list.value(when(REQUEST.due_relative, REQUEST.due_exact)),
                ),
                rx.data_list.item(
                    rx.data_list.label("Status", min_width="140px"),
                    rx.data_list.value(
                        rx.badge(
                            REQUEST.status,
                            color_scheme=rx.cond(REQUEST.overdue, "red", "amber"),
                            variant="soft",
                            high_contrast=True,
                            radius="full",
                        )
                    ),
                ),
                size="2",
            ),
            rx.cond(REQUEST.hint, rx.text(REQUEST.hint, size="2", color_scheme="gray")),
            rx.cond(
                ORDER.can_answer_cancellation,
                rx.hstack(
                    confirm(
                        rx.button(
                            rx.icon("check", size=16, aria_hidden="true"),
                            "Approve",
                            size="2",
                            data_testid="approve-cancellation",
                        ),
                        "Approve the cancellation?",
                        "The order is cancelled, its stock released and the customer "
                        "refunded. This cannot be undone.",
                        "Approve and cancel",
                        A.approve_cancellation,
                        "confirm-approve-cancellation",
                    ),
                    reject_trigger("cancellation", "reject-cancellation"),
                    spacing="2",
                ),
            ),
            title="Cancellation requested",
            icon="circle-help",
            # The order page's "Answer the cancellation request first" links here.
            id="cancellation-request",
            scroll_margin_top="80px",  # below the sticky header
            data_testid="cancellation-request",
        ),
    )


def _refund(row: rx.Var[RefundRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.amount, size="3", weight="medium", white_space="nowrap"),
            rx.match(
                row.status,
                *[
                    (
                        status.value,
                        rx.badge(
                            row.status_label,
                            color_scheme=tone,
                            variant="soft",
                            high_contrast=True,
                            radius="full",
                        ),
                    )
                    for status, tone in REFUND_TONES.items()
                ],
                rx.badge(row.status_label, variant="outline", radius="full"),
            ),
            rx.spacer(),
            when(row.created_relative, row.created_exact, size="1", color_scheme="gray"),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.text(row.rule_reason, size="2"),
        rx.text(row.reason, size="1", color_scheme="gray"),
        rx.cond(row.settled, rx.text(row.settled, size="1", color_scheme="gray")),
        rx.cond(
            row.can_decide,
            rx.hstack(
                confirm(
                    rx.button(
                        rx.icon("check", size=16, aria_hidden="true"),
                        "Approve",
                        size="2",
                        data_testid="approve-refund",
                    ),
                    "Approve this refund?",
                    "It is sent to the payment provider at once. This cannot be undone.",
                    "Approve refund",
                    A.approve_refund(row.id),
                    "confirm-approve-refund",
                ),
                reject_trigger(row.id, "reject-refund"),
                spacing="2",
            ),
        ),
        spacing="1",
        width="100%",
        padding_top="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="refund-row",
        data_status=row.status,
    )


def refunds_card() -> rx.Component:
    return rx.cond(
        D.refunds.length() > 0,
        card(
            rx.vstack(rx.foreach(D.refunds, _refund), spacing="3", width="100%"),
            title="Refunds",
            icon="undo-2",
            data_testid="refunds",
        ),
    )
