"""What a list shows when it has nothing: why, and what to do about it."""

from __future__ import annotations

import reflex as rx


def empty_state(
    title: str | rx.Var[str],
    hint: str | rx.Var[str],
    icon: str = "inbox",
    action: rx.Component | None = None,
) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=28, color=rx.color("accent", 11)),
                background=rx.color("accent", 3),
                border_radius="50%",
                padding="14px",
            ),
            rx.heading(title, size="4", weight="medium", as_="h3"),
            rx.text(hint, color_scheme="gray", size="2", text_align="center", max_width="420px"),
            action or rx.fragment(),
            align="center",
            spacing="2",
        ),
        padding_y="48px",
        width="100%",
        data_testid="empty-state",
    )
