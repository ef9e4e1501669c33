"""/seller/fulfillment: what to ship next, buying its label, printing labels and slips."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.label_dialog import label_dialog
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.pages.seller.shipping_settings import shipping_settings_card
from oms_dashboard.ui.states.fulfillment import ROUTE as FULFILLMENT_ROUTE
from oms_dashboard.ui.states.fulfillment import FulfillmentState, QueueItem, WaitingItem
from oms_dashboard.ui.states.label_purchase import QUEUE, LabelDialogState

ROUTE = FULFILLMENT_ROUTE
TITLE = "Fulfillment · OMS Dashboard"
ON_LOAD = [FulfillmentState.load, FulfillmentState.keep_fresh]

S = FulfillmentState

URGENCY = {
    "late": ("red", "circle-alert"),
    "due_soon": ("amber", "clock"),
    "on_time": ("green", "circle-check"),
}


def _urgency(row: rx.Var[QueueItem]) -> rx.Component:
    return rx.match(
        row.urgency,
        *[
            (
                key,
                rx.badge(
                    rx.icon(icon, size=12, aria_hidden="true"),
                    row.urgency_label,
                    color_scheme=color,
                    variant="soft",
                    high_contrast=True,
                    radius="full",
                    white_space="nowrap",
                    data_urgency=key,
                ),
            )
            for key, (color, icon) in URGENCY.items()
        ],
        rx.fragment(),
    )


def _order_cell(number: rx.Var, href: rx.Var, under: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.link(
            number,
            href=href,
            weight="medium",
            font_family="var(--code-font-family)",
            white_space="nowrap",
            data_testid="order-link",
        ),
        rx.text(under, size="1", color_scheme="gray"),
        spacing="0",
    )


def _select_box(order_id: rx.Var, number: rx.Var) -> rx.Component:
    return rx.checkbox(
        checked=S.selected.contains(order_id),
        on_change=lambda checked: S.toggle(order_id, checked),
        aria_label="Select order " + number,
        data_testid="select-order",
    )


def _queue_row(row: rx.Var[QueueItem]) -> list[rx.Component]:
    return [
        _select_box(row.order_id, row.number),
        rx.vstack(
            _order_cell(row.number, row.href, row.recipient),
            rx.cond(row.cancellation_pending, _cancellation_badge(row)),
            spacing="1",
        ),
        rx.text(row.units, size="2"),
        rx.text(row.ship_to, size="2"),
        rx.vstack(
            rx.text(row.ship_by, size="2", white_space="nowrap", title=row.ship_by_exact),
            rx.hstack(
                _urgency(row),
                rx.text(
                    row.time_left,
                    size="1",
                    weight="medium",
                    white_space="nowrap",
                    color=rx.cond(
                        row.urgency == "late",
                        rx.color("red", 11),
                        rx.cond(
                            row.urgency == "due_soon", rx.color("amber", 11), rx.color("gray", 11)
                        ),
                    ),
                    data_testid="time-left",
                ),
                spacing="2",
                align="center",
                # On a narrow screen the countdown goes under its badge, not off the card.
                wrap="wrap",
                row_gap="2px",
            ),
            spacing="1",
        ),
        rx.cond(
            row.held,
            rx.badge(
                rx.icon("shield-alert", size=12, aria_hidden="true"),
                "Held for review",
                title=row.held + ". Nothing ships until an admin releases it.",
                color_scheme="amber",
                variant="soft",
                high_contrast=True,
                size="1",
                white_space="nowrap",
            ),
            rx.cond(
                row.cancellation_pending,
                _answer_request_first(row),
                rx.button(
                    rx.icon("tag", size=14, aria_hidden="true"),
                    "Buy label",
                    on_click=LabelDialogState.open_for(row.order_id, QUEUE),
                    disabled=S.pickup_street == "",
                    # Smaller beside the sidebar on a 1024 px screen, so the row needs no
                    # scrolling.
                    size=rx.breakpoints(initial="1", lg="2"),
                    aria_label="Buy label for order " + row.number,
                    white_space="nowrap",
                    data_testid="buy-label",
                ),
            ),
        ),
    ]


def _cancellation_badge(row: rx.Var[QueueItem]) -> rx.Component:
    """The customer's waiting cancellation request, when they asked on hover."""
    return rx.badge(
        rx.icon("circle-x", size=12, aria_hidden="true"),
        # Short: no wider than a customer's name, so a 1024 px row still fits.
        "Asked to cancel",
        title=row.cancellation_asked,
        color_scheme="amber",
        variant="soft",
        high_contrast=True,
        size="1",
        white_space="nowrap",
        data_testid="cancellation-requested",
    )


def _answer_request_first(row: rx.Var[QueueItem]) -> rx.Component:
    """Instead of Buy label while the customer's cancellation request waits (the server
    refuses the label too): the way to the order, where the seller answers it."""
    return rx.link(
        rx.icon("message-circle-question", size=14, aria_hidden="true"),
        # Short beside the row's "Cancellation requested" badge, so a 1024 px row fits.
        "Answer the request",
        href=row.href,
        aria_label="Answer the request to cancel order " + row.number + " first",
        size="2",
        weight="medium",
        color_scheme="amber",
        high_contrast=True,
        display="inline-flex",
        align_items="center",
        gap="4px",
        title="The customer asked to cancel this order: approve or reject the request on "
        "the order's page before buying its label.",
        data_testid="answer-request-first",
    )


def _queue() -> rx.Component:
    columns = [
        Column(
            "Select",
            width="40px",
            header=rx.checkbox(
                checked=S.all_queue_selected,
                on_change=S.toggle_queue,
                aria_label="Select every order to ship",
                data_testid="select-all-queue",
            ),
        ),
        Column("Order"),
        Column("Units", align="right"),
        Column("Ship to"),
        Column("Ship by"),
        Column("Label", align="right"),
    ]
    counts = rx.hstack(
        rx.cond(
            S.late_count > 0,
            rx.badge(S.late_count.to_string() + " late", color_scheme="red", high_contrast=True),
        ),
        rx.cond(
            S.due_soon_count > 0,
            rx.badge(
                S.due_soon_count.to_string() + " due soon",
                color_scheme="amber",
                high_contrast=True,
            ),
        ),
        rx.text(S.rows.length().to_string() + " to ship", size="2", color_scheme="gray"),
        spacing="2",
        align="center",
    )
    return card(
        rx.cond(
            S.rows.length() > 0,
            table(columns, S.rows, _queue_row, label="Orders to ship", data_testid="queue"),
            empty_state(
                "Nothing to ship right now",
                "Paid orders appear here with the time left to ship them. Orders still "
                "awaiting payment stay on Incoming orders until the payment is verified.",
                icon="package-check",
            ),
        ),
        title="To ship",
        icon="package",
        actions=counts,
    )


def _waiting_row(row: rx.Var[WaitingItem]) -> list[rx.Component]:
    return [
        _select_box(row.order_id, row.number),
        _order_cell(row.number, row.href, row.service),
        rx.code(row.tracking_number, size="2", data_testid="waiting-tracking"),
        when(row.labelled, row.labelled_exact, size="2"),
        rx.hstack(
            rx.button(
                rx.icon("printer", size=14, aria_hidden="true"),
                "Label",
                on_click=S.print_label(row.shipment_id),
                variant="soft",
                size="1",
                aria_label="Print label of order " + row.number,
            ),
            rx.button(
                rx.icon("file-text", size=14, aria_hidden="true"),
                "Slip",
                on_click=S.print_slip(row.order_id, row.number),
                variant="soft",
                color_scheme="gray",
                size="1",
                aria_label="Packing slip of order " + row.number,
            ),
            spacing="2",
            justify="end",
        ),
    ]


def _waiting() -> rx.Component:
    columns = [
        Column(
            "Select",
            width="40px",
            header=rx.checkbox(
                checked=S.all_waiting_selected,
                on_change=S.toggle_waiting,
                aria_label="Select every labelled order",
                data_testid="select-all-waiting",
            ),
        ),
        Column("Order"),
        Column("Tracking number"),
        Column("Label bought"),
        Column("Print", align="right"),
    ]
    return rx.cond(
        S.waiting.length() > 0,
        card(
            rx.text(
                "Labels bought and not yet scanned by the carrier. Print them again here if "
                "one got lost; they leave this list once the carrier moves the parcel.",
                size="2",
                color_scheme="gray",
            ),
            table(columns, S.waiting, _waiting_row, label="Labelled, waiting for pick-up"),
            title="Waiting for pick-up",
            icon="truck",
            data_testid="waiting",
        ),
    )


def _bulk_bar() -> rx.Component:
    return rx.flex(
        rx.text(
            rx.cond(
                S.selected_count > 0,
                rx.text.span(rx.text.strong(S.selected_count), " selected"),
                "Select orders to print their labels or packing slips in one file.",
            ),
            size="2",
            color_scheme="gray",
            data_testid="selection-summary",
        ),
        rx.spacer(),
        rx.hstack(
            rx.button(
                rx.icon("printer", size=16, aria_hidden="true"),
                "Print labels",
                on_click=S.print_labels,
                disabled=S.selected_count == 0,
                size="2",
            ),
            rx.button(
                rx.icon("file-text", size=16, aria_hidden="true"),
                "Packing slips",
                on_click=S.print_slips,
                disabled=S.selected_count == 0,
                variant="soft",
                size="2",
            ),
            rx.cond(
                S.selected_count > 0,
                rx.button(
                    "Clear",
                    on_click=S.clear_selection,
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    margin="0",
                ),
            ),
            spacing="3",
            align="center",
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
        padding="12px 16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 6)}",
        background=rx.cond(S.selected_count > 0, rx.color("accent", 2), rx.color("gray", 2)),
        position="sticky",
        top="72px",
        z_index="5",
        data_testid="bulk-bar",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Fulfillment",
            S.subtitle,
            rx.link(
                rx.button(
                    rx.icon("inbox", size=16, aria_hidden="true"),
                    "All incoming orders",
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                ),
                href="/seller/orders",
            ),
        ),
        rx.cond(
            S.pickup_street == "",
            notice(
                rx.text.strong("Add your pick-up street to buy labels. "),
                "Carriers print it on every label and collect parcels there.",
                icon="map-pin",
                color_scheme="amber",
                data_testid="pickup-missing",
            ),
        ),
        shipping_settings_card(),
        _bulk_bar(),
        rx.cond(
            S.bulk_message,
            notice(
                S.bulk_message,
                icon="info",
                color_scheme="blue",
                role="status",
                data_testid="bulk-message",
            ),
        ),
        _queue(),
        _waiting(),
        label_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, FulfillmentState.access)
