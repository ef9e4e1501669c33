"""A number worth a glance (orders to ship, orders per status), clickable to filter by it."""

from __future__ import annotations

from typing import Any

import reflex as rx


def stat_card(
    *,
    label: rx.Var[str] | str,
    value: rx.Var[str] | str,
    color: rx.Var[str] | str,
    icon: rx.Var[str] | str,
    hint: rx.Var[str] | str = "",
    href: rx.Var[str] | str | None = None,
    on_click: Any = None,
    selected: rx.Var[bool] | bool = False,
) -> rx.Component:
    body = rx.hstack(
        rx.vstack(
            rx.text(label, size="2", weight="medium", color_scheme="gray"),
            rx.text(value, size="7", weight="bold", line_height="1", data_testid="stat-value"),
            rx.cond(hint, rx.text(hint, size="1", color_scheme="gray")),
            spacing="2",
            align="start",
        ),
        rx.spacer(),
        rx.center(
            rx.icon(icon, size=20, aria_hidden="true"),
            color=rx.color(color, 11),
            background=rx.color(color, 3),
            border_radius="10px",
            width="40px",
            height="40px",
            flex_shrink="0",
        ),
        align="start",
        width="100%",
    )
    style = {
        "padding": "16px",
        "border_radius": "var(--radius-4)",
        "background": rx.color("gray", 1),
        "border": rx.cond(
            selected,
            f"2px solid {rx.color('accent', 8)}",
            f"1px solid {rx.color('gray', 6)}",
        ),
        "width": "100%",
        "text_align": "left",
        "cursor": "pointer",
        "_hover": {"background": rx.color("gray", 2)},
        "color": "inherit",
        "text_decoration": "none",
        # A <button> centres its content vertically; cards of a row line up at the top.
        "display": "flex",
        "align_items": "flex-start",
    }
    if href is not None:
        return rx.link(body, href=href, data_testid="stat-card", underline="none", **style)
    return rx.el.button(
        body,
        on_click=on_click,
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        data_testid="stat-card",
        **style,
    )
