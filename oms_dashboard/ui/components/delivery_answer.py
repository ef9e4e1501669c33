"""After delivery, the customer's two answers: "I received it", or "Report a problem"
(what went wrong, in a few words), which goes to support and the seller."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.services.receipt import DeliveryProblem
from oms_dashboard.ui.states.order_detail import OrderDetailState

ORDER = OrderDetailState.order


def _problem_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("triangle-alert", size=16, aria_hidden="true"),
                "Report a problem",
                variant="soft",
                color_scheme="red",
                high_contrast=True,
                size="2",
                data_testid="report-problem",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("What went wrong with the delivery?"),
            rx.dialog.description(
                "Support sees it at once and the seller is told; you will hear back "
                "about a reshipment or a refund.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.radio_group(
                        [p.label for p in DeliveryProblem],
                        name="problem_label",
                        default_value=DeliveryProblem.NOT_ARRIVED.label,
                        direction="column",
                        on_change=OrderDetailState.set_problem_label,
                    ),
                    rx.text_area(
                        name="note",
                        placeholder="Anything that helps (optional)",
                        max_length=1000,
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.dialog.close(
                            rx.button("Send", type="submit", data_testid="send-problem")
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=OrderDetailState.report_problem,
            ),
            max_width="440px",
        ),
    )


def delivery_answer() -> rx.Component:
    return rx.cond(
        ORDER.can_answer_delivery,
        rx.hstack(
            rx.button(
                rx.icon("package-check", size=16, aria_hidden="true"),
                "I received it",
                on_click=OrderDetailState.confirm_receipt,
                size="2",
                data_testid="confirm-receipt",
            ),
            _problem_dialog(),
            spacing="2",
        ),
    )
