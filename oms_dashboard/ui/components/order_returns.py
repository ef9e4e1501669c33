"""Returns on the order page: the customer's "Return items" (which lines, how many,
why, refund or exchange) and the order's returns, with the seller's Approve, Reject
and "Record what came back", and the return label for whoever may print it."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.domain.returns import Condition, ReturnReason
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.order_service import confirm, reject_trigger, secondary
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.states.order_detail import OrderDetailState as D
from oms_dashboard.ui.states.order_returns import ReturnActionsState as R
from oms_dashboard.ui.states.return_rows import (
    RESOLUTIONS,
    RETURN_TONES,
    ReturnableRow,
    ReturnRow,
)

REASONS = [r.label for r in ReturnReason]


def _quantity(row: rx.Var[ReturnableRow]) -> rx.Component:
    field_id = "return-qty-" + row.sku
    return rx.hstack(
        rx.el.label(
            rx.text(row.title, size="2"),
            rx.text("up to ", row.left, size="1", color_scheme="gray"),
            html_for=field_id,
            flex="1",
        ),
        rx.input(
            id=field_id,
            name="qty-" + row.sku,
            type="number",
            min=0,
            max=row.left,
            default_value="0",
            width="80px",
            data_testid="return-quantity",
        ),
        align="center",
        width="100%",
    )


def _choice(label: str, name: str, items: list[str], default: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.radio_group(
            items, name=name, default_value=default, direction="column", aria_label=label
        ),
        spacing="1",
        width="100%",
    )


def return_button() -> rx.Component:
    return rx.cond(
        D.returnable.length() > 0,
        rx.dialog.root(
            rx.dialog.trigger(
                rx.button(
                    rx.icon("undo-2", size=16, aria_hidden="true"),
                    "Return items",
                    variant="soft",
                    size="2",
                    data_testid="return-items",
                )
            ),
            rx.dialog.content(
                rx.dialog.title("Return items"),
                rx.dialog.description(
                    "Choose what goes back and why. Damaged or wrong items are approved at "
                    "once with a return label; otherwise the seller decides. You are "
                    "refunded, or sent the same item again, once it is back.",
                    size="2",
                    margin_bottom="12px",
                ),
                rx.form(
                    rx.vstack(
                        rx.text("How many of each", size="2", weight="medium"),
                        rx.foreach(D.returnable, _quantity),
                        _choice("Why", "reason", REASONS, ReturnReason.CHANGED_MIND.label),
                        _choice(
                            "What you would like", "resolution", list(RESOLUTIONS), "Refund me"
                        ),
                        rx.text_area(
                            name="note",
                            placeholder="Anything the seller should know (optional)",
                            aria_label="Anything the seller should know (optional)",
                            max_length=1000,
                            width="100%",
                        ),
                        rx.hstack(
                            rx.dialog.close(secondary("Keep the items")),
                            rx.dialog.close(
                                rx.button(
                                    "Ask for the return", type="submit", data_testid="send-return"
                                )
                            ),
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=R.request_return,
                    reset_on_submit=True,
                ),
                max_width="480px",
            ),
        ),
    )


def _inspect(row: rx.Var[ReturnRow]) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("clipboard-check", size=16, aria_hidden="true"),
                "Record what came back",
                size="2",
                data_testid="inspect-return",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("What came back?"),
            rx.dialog.description(
                "Sellable items go back into stock. Then the refund is started or the "
                "replacement ships. This cannot be undone.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="return_id", value=row.id),
                    rx.radio_group(
                        [c.value for c in Condition],
                        name="condition",
                        default_value=Condition.SELLABLE.value,
                        direction="column",
                        aria_label="Condition",
                    ),
                    rx.hstack(
                        rx.dialog.close(secondary("Back")),
                        rx.dialog.close(
                            rx.button("Record", type="submit", data_testid="send-inspection")
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.inspect_return,
            ),
            max_width="420px",
        ),
    )


def _badge(row: rx.Var[ReturnRow]) -> rx.Component:
    return rx.match(
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
            for status, tone in RETURN_TONES.items()
        ],
        rx.badge(row.status_label, variant="outline", radius="full"),
    )


def _return(row: rx.Var[ReturnRow]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.resolution, size="3", weight="medium"),
            _badge(row),
            rx.spacer(),
            when(row.created_relative, row.created_exact, size="1", color_scheme="gray"),
            align="center",
            width="100%",
            spacing="2",
        ),
        rx.text(row.goods, size="2"),
        rx.text("Reason: ", row.reason, size="1", color_scheme="gray"),
        rx.text(row.rule_reason, size="2"),
        rx.cond(row.note, rx.text("Seller: ", row.note, size="1", color_scheme="gray")),
        rx.cond(
            row.label_text,
            rx.hstack(
                rx.text("Return parcel: ", row.label_text, size="1", color_scheme="gray"),
                rx.cond(
                    row.label_shipment_id,
                    rx.button(
                        rx.icon("printer", size=14, aria_hidden="true"),
                        "Return label",
                        on_click=R.download_return_label(row.label_shipment_id),
                        variant="outline",
                        size="1",
                        data_testid="return-label",
                    ),
                ),
                align="center",
                wrap="wrap",
                spacing="2",
            ),
        ),
        rx.cond(
            row.exchange_text,
            rx.text("Replacement: ", row.exchange_text, size="1", color_scheme="gray"),
        ),
        rx.cond(
            row.can_decide,
            rx.hstack(
                confirm(
                    rx.button(
                        rx.icon("check", size=16, aria_hidden="true"),
                        "Approve",
                        size="2",
                        data_testid="approve-return",
                    ),
                    "Approve this return?",
                    "The customer gets a return label from the original carrier; an "
                    "exchange's replacement is held for them. This cannot be undone.",
                    "Approve return",
                    R.approve_return(row.id),
                    "confirm-approve-return",
                ),
                reject_trigger("return:" + row.id, "reject-return"),
                spacing="2",
            ),
        ),
        rx.cond(row.can_inspect, _inspect(row)),
        spacing="1",
        width="100%",
        padding_top="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="return-row",
        data_status=row.status,
    )


def returns_card() -> rx.Component:
    return rx.cond(
        D.returns.length() > 0,
        card(
            rx.vstack(rx.foreach(D.returns, _return), spacing="3", width="100%"),
            title="Returns",
            icon="package-open",
            data_testid="returns",
        ),
    )
