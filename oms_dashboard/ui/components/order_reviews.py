"""After delivery, the customer rates (1 to 5) and reviews each product once; whoever
sees the order reads the reviews written."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.order_service import secondary
from oms_dashboard.ui.states.order_actions import OrderActionsState as A
from oms_dashboard.ui.states.order_detail import OrderDetailState as D
from oms_dashboard.ui.states.order_service import ReviewRow

RATINGS = ["1", "2", "3", "4", "5"]


def _write(row: rx.Var[ReviewRow]) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("star", size=16, aria_hidden="true"),
                "Review",
                variant="soft",
                size="2",
                data_testid="write-review",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Review ", row.title),
            rx.dialog.description(
                "One review a product: once posted it cannot be changed. Other customers "
                "see your first name and initial.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="sku", value=row.sku),
                    rx.text("Rating, 1 (poor) to 5 (excellent)", size="2", weight="medium"),
                    rx.radio_group(
                        RATINGS,
                        name="rating",
                        direction="row",
                        spacing="4",
                        aria_label="Rating, 1 (poor) to 5 (excellent)",
                    ),
                    rx.text_area(
                        name="body",
                        placeholder="What did you think? (optional)",
                        aria_label="What did you think? (optional)",
                        max_length=5000,
                        width="100%",
                    ),
                    rx.hstack(
                        rx.dialog.close(secondary("Not now")),
                        rx.dialog.close(
                            rx.button("Post review", type="submit", data_testid="send-review")
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=A.post_review,
                reset_on_submit=True,
            ),
            max_width="460px",
        ),
    )


def _review(row: rx.Var[ReviewRow]) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.title, size="2", weight="medium"),
            rx.cond(
                row.stars,
                rx.text(
                    row.stars,
                    size="3",
                    color=rx.color("amber", 11),
                    aria_label=row.rating_words,
                    role="img",
                ),
            ),
            rx.cond(row.body, rx.text(row.body, size="2")),
            spacing="1",
            align="start",
        ),
        rx.spacer(),
        rx.cond(row.can_review, _write(row)),
        width="100%",
        align="start",
        padding_top="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="review-row",
    )


def reviews_card() -> rx.Component:
    return rx.cond(
        D.reviews.length() > 0,
        card(
            rx.vstack(rx.foreach(D.reviews, _review), spacing="3", width="100%"),
            title="Reviews",
            icon="star",
            data_testid="reviews",
        ),
    )
