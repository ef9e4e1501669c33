"""The order page's "Change address" button and dialog: the address form, then a
preview of the new shipping cost, the delivery date and what is charged or refunded,
then the change. Shown only when the order's ``allowed_actions`` list it."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.states.order_address import OrderAddressState
from oms_dashboard.ui.states.order_detail import OrderDetailState

S = OrderAddressState
FORM, ERRORS, PREVIEW = S.address_form, S.address_errors, S.address_preview
SETTLEMENT_LOOKS = {"charge": "amber", "refund": "green", "none": "gray"}


def change_address_button() -> rx.Component:
    return rx.cond(
        OrderDetailState.order.can_change_address,
        rx.button(
            rx.icon("map-pin", size=16, aria_hidden="true"),
            "Change address",
            variant="soft",
            size="2",
            on_click=S.open_address,
            data_testid="change-address",
        ),
    )


def _field(
    name: str, label: str, value: rx.Var, error: rx.Var, *, optional: bool = False, **props
) -> rx.Component:
    field_id = f"address-{name}"
    return rx.vstack(
        rx.el.label(
            label,
            rx.cond(optional, rx.text.span(" (optional)", color_scheme="gray"), ""),
            html_for=field_id,
            style={"fontSize": "var(--font-size-2)", "fontWeight": 500},
        ),
        rx.input(
            id=field_id,
            name=name,
            default_value=value,
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{field_id}-error",
            **props,
        ),
        rx.cond(
            error != "",
            rx.text(
                error,
                id=f"{field_id}-error",
                size="1",
                color=rx.color("red", 11),
                data_testid=f"{field_id}-error",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _field("name", "Name", FORM.name, ERRORS.name, auto_complete="name"),
            _field("line1", "Street address", FORM.line1, ERRORS.line1),
            _field("line2", "Apartment, suite, floor", FORM.line2, ERRORS.line2, optional=True),
            rx.grid(
                _field("city", "City", FORM.city, ERRORS.city),
                _field("region", "State / region", FORM.region, ERRORS.region),
                _field("postal_code", "ZIP / postal code", FORM.postal_code, ERRORS.postal_code),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                "Country: ",
                rx.text.strong(FORM.country),
                ". The order stays in its country: for another one, cancel it and order again.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                ERRORS.form != "",
                notice(
                    ERRORS.form,
                    icon="circle-alert",
                    color_scheme="red",
                    data_testid="address-refused",
                ),
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button(
                        "Keep the address", variant="soft", color_scheme="gray", type="button"
                    )
                ),
                rx.button("See the new price", type="submit", data_testid="address-preview"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.preview_address,
        width="100%",
    )


def _row(label: str, value: rx.Var, testid: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="150px"),
        rx.data_list.value(rx.text(value, data_testid=testid)),
    )


def _preview() -> rx.Component:
    return rx.vstack(
        rx.text("New delivery address", size="2", weight="medium"),
        rx.text(PREVIEW.ship_to, white_space="pre-line", size="2", data_testid="address-new"),
        rx.data_list.root(
            _row("Shipping now", PREVIEW.shipping_before, "address-shipping-before"),
            _row("Shipping there", PREVIEW.shipping_after, "address-shipping-after"),
            _row("Expected delivery", PREVIEW.delivery, "address-delivery"),
            size="2",
        ),
        rx.match(
            PREVIEW.settlement,
            *[
                (
                    kind,
                    notice(
                        PREVIEW.money_words,
                        icon={"charge": "credit-card", "refund": "undo-2"}.get(kind, "equal"),
                        color_scheme=color,
                        data_testid="address-settlement",
                        data_settlement=kind,
                    ),
                )
                for kind, color in SETTLEMENT_LOOKS.items()
            ],
            rx.fragment(),
        ),
        rx.text(
            "The seller is told at once and ships to the new address.",
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.button(
                "Edit the address",
                variant="soft",
                color_scheme="gray",
                type="button",
                on_click=S.back_to_address_form,
            ),
            rx.button(
                "Change the address",
                on_click=S.confirm_address,
                loading=S.address_busy,
                data_testid="address-confirm",
            ),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def address_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change the delivery address"),
            rx.dialog.description(
                "Until the order ships, it can go somewhere else in its country. Shipping is "
                "priced again for the new address before anything changes.",
                size="2",
                margin_bottom="12px",
            ),
            rx.cond(S.address_step == "preview", _preview(), _form()),
            max_width="560px",
            data_testid="address-dialog",
        ),
        open=S.address_open,
        on_open_change=S.set_address_open,
    )
