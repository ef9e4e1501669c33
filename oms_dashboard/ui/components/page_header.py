"""The one page header: what this page is, in a sentence, and its main actions."""

from __future__ import annotations

import reflex as rx


def page_header(
    title: str | rx.Var[str],
    description: str | rx.Var[str] = "",
    *actions: rx.Component,
    badge: rx.Component | None = None,
) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="7", weight="bold", as_="h1"),
                badge or rx.fragment(),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(description, rx.text(description, color_scheme="gray", size="3")),
            spacing="1",
        ),
        rx.spacer(),
        rx.hstack(*actions, spacing="2", align="center"),
        width="100%",
        align="end",
        wrap="wrap",
        gap="3",
    )
