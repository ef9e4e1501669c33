"""The fulfillment page's "Shipping settings" card: how soon the seller ships after
payment, and the pick-up street and phone its labels carry; edited in place."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.services.seller_settings import MAX_HANDLING_HOURS, MIN_HANDLING_HOURS
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.states.fulfillment import FulfillmentState

S = FulfillmentState


def _field(
    name: str, label: str, value: rx.Var, hint: rx.Component | str, **input_props
) -> rx.Component:
    error = S.errors[name]
    field_id = f"settings-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_size="var(--font-size-2)", font_weight="500"),
        rx.input(
            id=field_id,
            name=name,
            default_value=value,
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{field_id}-hint",
            color_scheme=rx.cond(error, "red", "gray"),
            box_shadow=rx.cond(error, "inset 0 0 0 1px var(--red-9)", ""),
            width="100%",
            **input_props,
        ),
        rx.text(
            rx.cond(error, rx.text.span(error), hint),
            id=f"{field_id}-hint",
            size="1",
            color=rx.cond(error, rx.color("red", 11), rx.color("gray", 11)),
            aria_live="polite",
            data_testid=f"{field_id}-hint",
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.grid(
            _field(
                "handling_hours",
                "Handling time (hours)",
                S.handling_hours.to_string(),
                f"From payment to handing the parcel over, {MIN_HANDLING_HOURS} to "
                f"{MAX_HANDLING_HOURS} h, counted in business days (24 h is one). Orders "
                "paid from now on get their ship-by times from it.",
                input_mode="numeric",
            ),
            _field(
                "address_line1",
                "Pick-up street",
                S.pickup_street,
                rx.text.span("Where carriers collect parcels, in ", S.pickup_place),
                max_length=200,
                auto_complete="address-line1",
            ),
            _field(
                "phone",
                "Phone (optional)",
                S.pickup_phone,
                "For the courier; DHL Express needs it on its labels.",
                type="tel",
                max_length=40,
                auto_complete="tel",
            ),
            columns=rx.breakpoints(
                initial="1", md="minmax(0, 1fr) minmax(0, 2fr) minmax(0, 1.3fr)"
            ),
            spacing="4",
            width="100%",
        ),
        rx.hstack(
            rx.button("Save settings", type="submit", size="2"),
            rx.cond(
                S.pickup_street,
                rx.button(
                    "Cancel",
                    type="button",
                    on_click=S.cancel_settings,
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                ),
            ),
            spacing="2",
            margin_top="12px",
        ),
        on_submit=S.save_settings,
        no_validate=True,
        key=S.form_key,
        width="100%",
        data_testid="settings-form",
    )


def _summary() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("timer", size=16, color=rx.color("accent", 11), aria_hidden="true"),
            rx.text(
                "You ship within ",
                rx.text.strong(S.handling_text),
                " of payment",
                size="2",
                data_testid="handling-summary",
            ),
            spacing="2",
            align="center",
        ),
        rx.hstack(
            rx.icon("map-pin", size=16, color=rx.color("accent", 11), aria_hidden="true"),
            rx.text(
                "Pick-up: ",
                rx.text.strong(S.pickup_street),
                ", ",
                S.pickup_place,
                rx.cond(S.pickup_phone, rx.text.span(" · ", S.pickup_phone)),
                size="2",
            ),
            spacing="2",
            align="center",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("pencil", size=14, aria_hidden="true"),
            "Change",
            on_click=S.edit_settings,
            variant="soft",
            size="2",
            aria_label="Change shipping settings",
        ),
        spacing="4",
        align="center",
        wrap="wrap",
        width="100%",
    )


def shipping_settings_card() -> rx.Component:
    return card(
        rx.cond(S.editing, _form(), _summary()),
        title="Shipping settings",
        icon="settings",
        data_testid="shipping-settings",
    )
