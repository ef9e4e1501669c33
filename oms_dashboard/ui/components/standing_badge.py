"""A seller standing's badge: one colour per standing, everywhere it shows."""

from __future__ import annotations

import reflex as rx

COLORS = {"good": "green", "warning": "amber", "suspend": "red", "unjudged": "gray"}
ICONS = {
    "good": "circle-check",
    "warning": "triangle-alert",
    "suspend": "octagon-alert",
    "unjudged": "circle-minus",
}


def standing_badge(standing: rx.Var[str], label: rx.Var[str], size: str = "2") -> rx.Component:
    return rx.badge(
        rx.match(
            standing,
            *[(k, rx.icon(icon, size=14, aria_hidden="true")) for k, icon in ICONS.items()],
            rx.fragment(),
        ),
        label,
        color_scheme=rx.match(standing, *COLORS.items(), "gray"),
        high_contrast=True,
        variant="soft",
        radius="full",
        size=size,
        data_testid="standing-badge",
    )


def suspended_badge() -> rx.Component:
    return rx.badge(
        rx.icon("ban", size=14, aria_hidden="true"),
        "Suspended from new orders",
        color_scheme="red",
        variant="solid",
        radius="full",
        size="2",
        data_testid="suspended-badge",
    )
