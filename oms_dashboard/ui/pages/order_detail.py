"""/orders/[order_id]: one order for every role, as far as the role may see it."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.domain.fulfillment import PENDING_REQUEST_TEXT
from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.delivery_answer import delivery_answer
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.label_dialog import label_dialog
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.order_address import address_dialog, change_address_button
from oms_dashboard.ui.components.order_returns import return_button, returns_card
from oms_dashboard.ui.components.order_reviews import reviews_card
from oms_dashboard.ui.components.order_service import (
    cancel_button,
    cancellation_request,
    invoice_button,
    outcome_notice,
    refunds_card,
    reject_dialog,
)
from oms_dashboard.ui.components.order_thread import messages_card
from oms_dashboard.ui.components.order_tickets import order_tickets_card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.push_offer import push_offer
from oms_dashboard.ui.components.shipment_panel import shipment_panels
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.label_purchase import DETAIL, LabelDialogState
from oms_dashboard.ui.states.order_actions import OrderActionsState
from oms_dashboard.ui.states.order_detail import (
    EventRow,
    LineRow,
    OrderDetailState,
    SiblingRow,
)

ROUTE = "/orders/[order_id]"
TITLE = "Order · OMS Dashboard"
ON_LOAD = OrderDetailState.load

ORDER = OrderDetailState.order


def _fact(label: str, *value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="120px"),
        rx.data_list.value(*value),
        align="start",
    )


def _summary() -> rx.Component:
    return card(
        rx.data_list.root(
            _fact("Placed", when(ORDER.placed_relative, ORDER.placed_exact)),
            _fact("Seller", ORDER.seller),
            rx.cond(
                ORDER.show_customer,
                _fact(
                    "Customer",
                    rx.vstack(
                        rx.text(ORDER.customer),
                        rx.text(ORDER.customer_email, size="1", color_scheme="gray"),
                        spacing="0",
                    ),
                ),
            ),
            _fact(
                "Payment",
                rx.text(
                    ORDER.payment,
                    color=rx.cond(ORDER.payment_failed, rx.color("red", 11), rx.color("gray", 12)),
                    data_testid="payment-status",
                ),
            ),
            _fact("Delivery", ORDER.service_level),
            _fact(
                "Promised delivery",
                rx.cond(ORDER.estimated_delivery, ORDER.estimated_delivery, "Not estimated yet"),
            ),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
        ),
        title="Summary",
        icon="info",
        data_testid="order-summary",
    )


def _address() -> rx.Component:
    return card(
        rx.text(ORDER.ship_to, white_space="pre-line", size="2", data_testid="ship-to"),
        title="Delivery address",
        icon="map-pin",
    )


def _line(line: rx.Var[LineRow]) -> list[rx.Component]:
    return [
        rx.vstack(
            rx.text(line.title, size="2", weight="medium"),
            rx.code(line.sku, size="1", variant="ghost", color_scheme="gray"),
            rx.cond(line.note, rx.text(line.note, size="1", color_scheme="gray")),
            rx.cond(
                line.downloadable,
                rx.button(
                    rx.icon("download", size=14, aria_hidden="true"),
                    "Download",
                    on_click=OrderActionsState.download_line(line.sku),
                    size="1",
                    variant="soft",
                    margin_top="4px",
                    aria_label="Download " + line.title,
                    data_testid="download-line",
                ),
            ),
            spacing="0",
            align="start",
        ),
        rx.text(line.quantity, size="2"),
        rx.text(line.unit_price, size="2", white_space="nowrap"),
        rx.text(line.line_total, size="2", weight="medium", white_space="nowrap"),
    ]


def _total_row(label: str, value: rx.Var[str], strong: bool = False) -> rx.Component:
    weight = "bold" if strong else "regular"
    return rx.hstack(
        rx.text(label, size="2" if not strong else "3", weight=weight, color_scheme="gray"),
        rx.spacer(),
        rx.text(value, size="2" if not strong else "3", weight=weight, white_space="nowrap"),
        width="100%",
    )


def _lines() -> rx.Component:
    return card(
        table(
            [
                Column("Item"),
                Column("Qty", align="right", width="60px"),
                Column("Unit price", align="right"),
                Column("Line total", align="right"),
            ],
            OrderDetailState.lines,
            _line,
            label="Order lines",
        ),
        rx.vstack(
            _total_row("Subtotal", ORDER.subtotal),
            _total_row("Shipping", ORDER.shipping),
            rx.separator(size="4"),
            _total_row("Total", ORDER.total, strong=True),
            spacing="2",
            width="100%",
            max_width="340px",
            margin_left="auto",
            data_testid="order-totals",
        ),
        title="Items",
        icon="shopping-cart",
    )


def _shipments() -> rx.Component:
    return card(
        shipment_panels(
            OrderDetailState.shipments,
            on_mount=OrderDetailState.watch_tracking,
            on_unmount=OrderDetailState.stop_watching,
        ),
        title="Shipments",
        icon="truck",
        data_testid="shipments",
    )


def _event(e: rx.Var[EventRow]) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="10px",
            height="10px",
            border_radius="50%",
            background=rx.color("accent", 9),
            margin_top="6px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(e.title, size="2", weight="medium"),
                rx.cond(
                    e.to_status,
                    rx.hstack(
                        rx.cond(e.from_status, status_badge(e.from_status, size="1")),
                        rx.cond(e.from_status, rx.icon("arrow-right", size=14, aria_label="to")),
                        status_badge(e.to_status, size="1"),
                        spacing="1",
                        align="center",
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                when(e.relative, e.exact, size="1", color_scheme="gray"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(e.actor, size="1", color_scheme="gray"),
                spacing="1",
                wrap="wrap",
            ),
            rx.cond(e.note, rx.text(e.note, size="2")),
            spacing="1",
            align="start",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding_bottom="14px",
        border_bottom=f"1px solid {rx.color('gray', 3)}",
        data_testid="timeline-event",
    )


def _timeline() -> rx.Component:
    return card(
        rx.cond(
            OrderDetailState.events.length() > 0,
            rx.vstack(rx.foreach(OrderDetailState.events, _event), spacing="3", width="100%"),
            rx.text("Nothing has happened to this order yet.", size="2", color_scheme="gray"),
        ),
        title="Timeline",
        icon="history",
        data_testid="timeline",
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=16),
            rx.text("Back to orders", size="2"),
            align="center",
            spacing="1",
        ),
        href=OrderDetailState.back_href,
    )


def _retry_button() -> rx.Component:
    return rx.cond(
        ORDER.can_retry_payment,
        rx.button(
            rx.icon("refresh-cw", size=16, aria_hidden="true"),
            "Retry payment",
            on_click=OrderDetailState.retry_payment,
            loading=OrderDetailState.busy,
            size="2",
        ),
    )


def _buy_label_button() -> rx.Component:
    """The seller's way to ship from here; the server decides again when it is pressed."""
    return rx.cond(
        (AuthState.user_role == "seller") & (ORDER.status == "processing") & ~ORDER.review_text,
        rx.cond(
            # While the customer's cancellation request waits the server refuses the label.
            OrderDetailState.cancel_request.reason,
            rx.link(
                rx.icon("message-circle-question", size=16, aria_hidden="true"),
                PENDING_REQUEST_TEXT,
                href="#cancellation-request",
                size="2",
                weight="medium",
                color_scheme="amber",
                high_contrast=True,
                display="inline-flex",
                align_items="center",
                gap="4px",
                data_testid="order-answer-request-first",
            ),
            rx.button(
                rx.icon("tag", size=16, aria_hidden="true"),
                "Buy label",
                on_click=LabelDialogState.open_for(ORDER.id, DETAIL),
                size="2",
                data_testid="order-buy-label",
            ),
        ),
    )


def _notices() -> rx.Component:
    return rx.fragment(
        rx.cond(
            ORDER.payment_failed,
            notice(
                ORDER.payment_notice,
                icon="circle-alert",
                color_scheme="red",
                data_testid="payment-failed-notice",
            ),
        ),
        rx.cond(
            ORDER.review_text,
            notice(
                rx.text.strong("Held for review. "),
                ORDER.review_text,
                icon="shield-alert",
                color_scheme="amber",
                data_testid="review-notice",
            ),
        ),
    )


def _sibling(row: rx.Var[SiblingRow]) -> rx.Component:
    # Two lines, so a long seller name never breaks the order number or the total.
    return rx.vstack(
        rx.hstack(
            rx.link(
                row.number,
                href=row.href,
                font_family="var(--code-font-family)",
                size="2",
                weight="medium",
                white_space="nowrap",
            ),
            rx.spacer(),
            rx.text(row.total, size="2", weight="medium", white_space="nowrap"),
            align="center",
            width="100%",
        ),
        rx.hstack(
            rx.text(row.seller, size="2", color_scheme="gray"),
            rx.spacer(),
            status_badge(row.status, size="1"),
            align="center",
            width="100%",
        ),
        spacing="1",
        width="100%",
        padding_top="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="sibling-order",
    )


def _siblings() -> rx.Component:
    return rx.cond(
        OrderDetailState.siblings.length() > 0,
        card(
            rx.text(
                OrderDetailState.checkout_text,
                size="2",
                color_scheme="gray",
                data_testid="checkout-summary",
            ),
            rx.vstack(rx.foreach(OrderDetailState.siblings, _sibling), spacing="2", width="100%"),
            title="Also in this checkout",
            icon="split",
            data_testid="checkout-siblings",
        ),
    )


def _audit_link() -> rx.Component:
    """Admins read the audit trail of this order (its overrides, refunds, returns)."""
    return rx.cond(
        AuthState.user_role == "admin",
        rx.link(
            rx.icon("scroll-text", size=16, aria_hidden="true"),
            "Audit trail",
            href="/admin/audit?order=" + ORDER.id.to(str),
            display="inline-flex",
            align_items="center",
            gap="6px",
            size="2",
            weight="medium",
            data_testid="audit-trail-link",
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        _back(),
        page_header(
            rx.text.span("Order ", ORDER.number),
            "",
            _retry_button(),
            _buy_label_button(),
            delivery_answer(),
            invoice_button(),
            return_button(),
            change_address_button(),
            cancel_button(),
            _audit_link(),
            badge=status_badge(ORDER.status),
        ),
        outcome_notice(),
        _notices(),
        push_offer(),
        cancellation_request(),
        rx.grid(
            rx.vstack(
                _shipments(), _lines(), messages_card(), _timeline(), spacing="5", width="100%"
            ),
            rx.vstack(
                _summary(),
                returns_card(),
                refunds_card(),
                order_tickets_card(),
                reviews_card(),
                _siblings(),
                _address(),
                spacing="5",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", lg="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="5",
            width="100%",
        ),
        label_dialog(),
        reject_dialog(),
        address_dialog(),
        spacing="4",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.vstack(
        _back(),
        card(
            empty_state(
                "Order not found",
                "There is no order at this address that you can see. Check the link, or go "
                "back to your orders and open it from the list.",
                icon="file-question",
            ),
            data_testid="not-found",
        ),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, OrderDetailState.access, not_found=_not_found)
