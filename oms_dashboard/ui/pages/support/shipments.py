"""/support/shipments: packages in trouble, oldest first, and what to do about them."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.flagged_shipments import LIMIT, FlaggedRow, FlaggedShipmentsState

ROUTE = "/support/shipments"
TITLE = "Flagged shipments · OMS Dashboard"
ON_LOAD = FlaggedShipmentsState.load

S = FlaggedShipmentsState
COLUMNS = [
    Column("Order"),
    Column("Flag"),
    Column("Why", width="36%"),
    Column("Last scan", width="26%"),
]
STEPS = [
    (
        "1",
        "Support",
        "Read the scans on the order, ask the carrier to trace the parcel and tell the "
        "customer what happens next.",
    ),
    (
        "2",
        "Seller",
        "No answer or no parcel after two business days: hand it to the seller, who owns "
        "the label and the carrier account and opens the claim.",
    ),
    (
        "3",
        "Reship or refund",
        "The seller sends a replacement, or the customer is refunded in full from the "
        "order. Close the flag once the parcel moves or the customer is made whole.",
    ),
]


FLAGS = {
    # flag: (label, colour, icon)
    "stuck": ("Stuck", "amber", "clock-alert"),
    "exception": ("Exception", "red", "triangle-alert"),
    "reported": ("Reported", "orange", "message-circle-warning"),
}


def _badge(flag: str) -> rx.Component:
    label, color, icon = FLAGS[flag]
    return rx.badge(
        rx.icon(icon, size=12, aria_hidden="true"),
        label,
        color_scheme=color,
        variant="soft",
        high_contrast=True,
        radius="full",
        white_space="nowrap",
        data_flag=flag,
    )


def _flag_badge(flag: rx.Var[str]) -> rx.Component:
    return rx.match(
        flag,
        *[(name, _badge(name)) for name in FLAGS],
        rx.badge(flag, color_scheme="gray", variant="outline"),
    )


def _row(row: rx.Var[FlaggedRow]) -> list[rx.Component]:
    return [
        rx.vstack(
            rx.hstack(
                rx.link(
                    row.order_number,
                    href=row.order_href,
                    weight="medium",
                    font_family="var(--code-font-family)",
                    white_space="nowrap",
                    data_testid="order-link",
                ),
                status_badge(row.status, size="1"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                row.carrier,
                " · ",
                rx.code(row.tracking_number, size="1", variant="ghost", color_scheme="gray"),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
        ),
        rx.vstack(
            _flag_badge(row.flag),
            when(row.since_relative, row.since_exact, size="1", color_scheme="gray"),
            spacing="1",
        ),
        rx.text(row.reason, size="2"),
        rx.vstack(
            rx.cond(row.last_scan, rx.text(row.last_scan, size="2")),
            rx.cond(
                row.last_scan_place,
                rx.text(row.last_scan_place, size="1", color_scheme="gray"),
            ),
            rx.cond(
                row.last_scan_relative,
                when(row.last_scan_relative, row.last_scan_exact, size="1", color_scheme="gray"),
            ),
            spacing="0",
        ),
    ]


def _step(number: str, who: str, what: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.text(number, size="2", weight="bold"),
            width="28px",
            height="28px",
            border_radius="50%",
            background=rx.color("accent", 4),
            color=rx.color("accent", 12),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(who, size="2", weight="bold"),
            rx.text(what, size="2", color_scheme="gray"),
            spacing="1",
        ),
        align="start",
        spacing="3",
    )


def _escalation() -> rx.Component:
    return card(
        rx.el.ol(
            *[rx.el.li(_step(*step), list_style="none") for step in STEPS],
            style={
                "display": "grid",
                "gap": "16px",
                "grid_template_columns": "repeat(auto-fit, minmax(240px, 1fr))",
                "margin": "0",
                "padding": "0",
            },
        ),
        title="What to do with a flagged shipment",
        icon="route",
        data_testid="escalation-path",
    )


def _count(value: rx.Var[int], words: str, color: str) -> rx.Component:
    return rx.cond(
        value > 0,
        rx.badge(rx.text.span(value, words), color_scheme=color, high_contrast=True, size="2"),
    )


def _summary() -> rx.Component:
    return rx.hstack(
        _count(S.stuck, " stuck", "amber"),
        _count(S.exceptions, " with an exception", "red"),
        _count(S.reported, " reported by customers", "orange"),
        spacing="2",
        wrap="wrap",
        data_testid="flag-counts",
    )


def _list() -> rx.Component:
    return card(
        rx.cond(
            S.capped,
            notice(
                f"Showing the {LIMIT} oldest flags. Newer ones appear as these are resolved.",
                icon="info",
                color_scheme="blue",
            ),
        ),
        rx.cond(
            S.rows.length() > 0,
            table(COLUMNS, S.rows, _row, label="Flagged shipments"),
            empty_state(
                "No shipment needs attention",
                "A parcel shows up here when its carrier has not scanned it for the policy's "
                "stuck hours or reports a delivery exception, or when its customer says the "
                "delivery went wrong.",
                icon="package-check",
            ),
        ),
        title="Oldest first",
        icon="list",
        actions=_summary(),
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Flagged shipments",
            "Parcels a carrier has gone quiet about or reported a problem with, and "
            "deliveries customers say went wrong. The oldest flag is first: that customer "
            "has waited longest.",
        ),
        _escalation(),
        _list(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
