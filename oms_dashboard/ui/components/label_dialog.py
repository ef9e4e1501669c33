"""The Buy label dialog, the same on the fulfillment queue and on an order's page:
the parcel (as proposed, editable), every carrier's offer, buying, printing."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.states.label_offers import OfferRow, UnavailableRow
from oms_dashboard.ui.states.label_purchase import LabelDialogState

S = LabelDialogState
PARCEL_INPUTS = [
    ("weight_grams", "Weight", "g"),
    ("length_mm", "Length", "mm"),
    ("width_mm", "Width", "mm"),
    ("height_mm", "Height", "mm"),
]


def _parcel_field(name: str, label: str, unit: str) -> rx.Component:
    error = S.field_errors[name]
    field_id = f"parcel-{name}"
    return rx.vstack(
        rx.el.label(f"{label} ({unit})", html_for=field_id, font_size="var(--font-size-2)"),
        rx.input(
            id=field_id,
            name=name,
            value=getattr(S, name),
            on_change=lambda value: S.set_dimension(name, value),
            on_blur=lambda value: S.commit_dimension(name, value),
            type="text",
            input_mode="numeric",
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{field_id}-error",
            color_scheme=rx.cond(error, "red", "gray"),
            box_shadow=rx.cond(error, "inset 0 0 0 1px var(--red-9)", ""),
            disabled=S.buying | (S.shipment_id != ""),
            width="100%",
            data_testid=field_id,
        ),
        rx.text(
            error,
            id=f"{field_id}-error",
            size="1",
            color=rx.color("red", 11),
            aria_live="polite",
        ),
        spacing="1",
        width="100%",
    )


def _parcel() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Parcel", size="2", weight="medium"),
            rx.grid(
                *[_parcel_field(*spec) for spec in PARCEL_INPUTS],
                columns=rx.breakpoints(initial="2", sm="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    "Proposed from the items in one box. Weigh and measure the packed box: "
                    "the offers follow what you type.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.spacer(),
                # Also what makes Enter submit: a form of several fields needs a button.
                rx.button(
                    rx.icon("refresh-cw", size=14, aria_hidden="true"),
                    "Update offers",
                    type="submit",
                    variant=rx.cond(S.parcel_changed, "solid", "soft"),
                    size="1",
                    disabled=S.buying | (S.shipment_id != ""),
                    flex_shrink="0",
                ),
                align="center",
                width="100%",
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        # Enter asks again; our messages, not the browser's bubbles.
        on_submit=S.submit_parcel,
        no_validate=True,
        width="100%",
    )


PROMISE_BADGES = {
    "meets": ("Meets promised date", "green", "calendar-check"),
    "late": ("Late", "red", "calendar-x"),
    "unknown": ("No estimate", "gray", "calendar"),
}


def _promise(value: rx.Var[str]) -> rx.Component:
    return rx.match(
        value,
        *[
            (
                key,
                rx.badge(
                    rx.icon(icon, size=12, aria_hidden="true"),
                    text,
                    color_scheme=color,
                    variant="soft",
                    high_contrast=True,
                    radius="full",
                    white_space="nowrap",
                ),
            )
            for key, (text, color, icon) in PROMISE_BADGES.items()
        ],
        rx.fragment(),
    )


def _offer(row: rx.Var[OfferRow]) -> list[rx.Component]:
    radio_id = "offer-" + row.key
    return [
        rx.radio_group.item(value=row.key, id=radio_id, data_testid="offer-radio"),
        # The whole name is the radio's label: a click on it chooses the offer too.
        rx.el.label(
            rx.vstack(
                rx.text(row.service, size="2", weight="medium"),
                rx.flex(
                    rx.cond(
                        row.transit,
                        rx.text(row.transit, size="1", color_scheme="gray", white_space="nowrap"),
                    ),
                    rx.cond(
                        row.recommended,
                        rx.text(
                            "Recommended",
                            size="1",
                            weight="medium",
                            color=rx.color("accent", 11),
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="0",
            ),
            html_for=radio_id,
            cursor="pointer",
        ),
        rx.text(row.price, size="2", weight="medium", white_space="nowrap"),
        rx.text(row.arrives, size="2", white_space="nowrap"),
        _promise(row.promise),
    ]


def _unavailable(row: rx.Var[UnavailableRow]) -> rx.Component:
    return rx.hstack(
        rx.icon("circle-slash", size=14, color=rx.color("gray", 10), aria_hidden="true"),
        rx.text(
            rx.text.strong(row.carrier),
            " offers nothing: ",
            row.reason,
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        align="center",
        data_testid="carrier-unavailable",
    )


def _offers() -> rx.Component:
    loading = rx.hstack(
        rx.spinner(size="2"),
        rx.text("Asking the carriers for their prices…", size="2", color_scheme="gray"),
        align="center",
        spacing="2",
        padding_y="24px",
        role="status",
        data_testid="quoting",
    )
    offers = rx.radio_group.root(
        table(
            [
                Column("Choose", width="40px"),
                Column("Carrier and service"),
                Column("Price", align="right"),
                Column("Estimated arrival"),
                Column("Promised date"),
            ],
            S.offers,
            _offer,
            label="Carrier offers",
            # The footer's buttons stay in view however many offers there are.
            max_height="300px",
            opacity=rx.cond(S.offers_stale, "0.45", "1"),
            data_testid="offers",
        ),
        value=S.choice,
        on_change=S.choose,
        disabled=S.buying,
        aria_label="Carrier offers",
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            rx.text("Offers", size="2", weight="medium"),
            rx.cond(
                S.promised,
                rx.text(
                    "Promised to the customer by ",
                    rx.text.strong(S.promised),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.quoting,
            loading,
            rx.cond(
                S.nothing_to_ship,
                notice(
                    "Only digital goods in this order: there is nothing to ship.",
                    icon="info",
                    color_scheme="blue",
                ),
                rx.cond(
                    S.offers.length() > 0,
                    offers,
                    rx.text(
                        "No carrier offers a service for this parcel.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
            ),
        ),
        rx.cond(
            ~S.quoting & S.offers_stale & (S.offers.length() > 0),
            rx.text(
                "These offers are for the parcel as it was: correct the size, then Update "
                "offers (or press Enter).",
                size="1",
                color=rx.color("amber", 11),
                data_testid="offers-stale",
            ),
        ),
        rx.cond(
            ~S.quoting & (S.unavailable.length() > 0),
            rx.vstack(rx.foreach(S.unavailable, _unavailable), spacing="1", width="100%"),
        ),
        spacing="2",
        width="100%",
    )


def _bought() -> rx.Component:
    return rx.vstack(
        notice(
            rx.text.strong("Label bought. "),
            S.bought_with,
            ", tracking number ",
            # Soft code inherits the callout's green and falls short of 4.5:1 contrast.
            rx.code(S.tracking_number, high_contrast=True, data_testid="bought-tracking"),
            ". The order is marked shipped; print the label and stick it on the parcel.",
            icon="circle-check",
            color_scheme="green",
            role="status",
            data_testid="label-bought",
        ),
        rx.hstack(
            rx.button(
                rx.icon("printer", size=16, aria_hidden="true"),
                "Print label",
                on_click=S.download_label,
                size="3",
            ),
            rx.button(
                rx.icon("file-text", size=16, aria_hidden="true"),
                "Packing slip",
                on_click=S.download_slip,
                size="3",
                variant="soft",
            ),
            spacing="3",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )


def _footer() -> rx.Component:
    buttons = rx.hstack(
        rx.button(
            rx.cond(S.shipment_id != "", "Done", "Cancel"),
            on_click=S.close,
            variant="soft",
            color_scheme="gray",
            disabled=S.buying,
            size="2",
        ),
        rx.cond(
            S.shipment_id == "",
            rx.button(
                rx.icon("tag", size=16, aria_hidden="true"),
                "Buy label",
                on_click=S.buy,
                loading=S.buying,
                disabled=~S.can_buy,
                size="2",
                data_testid="buy-label-confirm",
            ),
        ),
        spacing="3",
        margin_left="auto",  # right-aligned, on the summary's line or below it as one
    )
    return rx.flex(
        rx.cond(
            (S.shipment_id == "") & (S.choice_summary != ""),
            rx.text(
                "Chosen: ",
                rx.text.strong(S.choice_summary),
                size="2",
                data_testid="choice-summary",
            ),
        ),
        buttons,
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def label_dialog() -> rx.Component:
    """Include once per page; open it with ``LabelDialogState.open_for(order_id, origin)``."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title(
                    rx.cond(
                        S.order_number,
                        rx.text.span("Buy a label for order ", S.order_number),
                        "Buy a label",
                    ),
                    margin="0",
                ),
                rx.dialog.description(
                    rx.cond(S.ship_to, rx.text.span("Ship to ", S.ship_to), "Loading the order…"),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    S.shipment_id != "",
                    _bought(),
                    rx.vstack(_parcel(), _offers(), spacing="5", width="100%"),
                ),
                rx.cond(
                    S.error,
                    notice(
                        S.error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        data_testid="label-error",
                    ),
                ),
                rx.cond(
                    S.buying,
                    rx.hstack(
                        rx.spinner(size="2"),
                        rx.text("Buying the label from the carrier…", size="2"),
                        align="center",
                        spacing="2",
                        role="status",
                    ),
                ),
                _footer(),
                spacing="4",
                width="100%",
            ),
            max_width="760px",
            data_testid="label-dialog",
        ),
        open=S.is_open,
        on_open_change=S.set_open,
    )
