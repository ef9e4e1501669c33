"""The one content card: a titled panel on the page."""

from __future__ import annotations

import reflex as rx


def card(
    *children: rx.Component,
    title: str | rx.Var[str] | None = None,
    icon: str | None = None,
    actions: rx.Component | None = None,
    **props,
) -> rx.Component:
    parts: list[rx.Component] = []
    if title is not None or actions is not None:
        parts.append(
            rx.hstack(
                *([rx.icon(icon, size=18, color=rx.color("accent", 11))] if icon else []),
                rx.heading("" if title is None else title, size="4", weight="medium", as_="h2"),
                rx.spacer(),
                *([actions] if actions is not None else []),
                align="center",
                width="100%",
                spacing="2",
            )
        )
    return rx.card(
        rx.vstack(*parts, *children, spacing="4", width="100%"),
        size="3",
        width="100%",
        **props,
    )
