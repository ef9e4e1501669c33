"""A moment in time: relative for reading at a glance, exact on hover."""

from __future__ import annotations

import reflex as rx


def when(relative: rx.Var[str] | str, exact: rx.Var[str] | str, **props) -> rx.Component:
    return rx.tooltip(
        rx.text(
            relative,
            as_="span",
            title=exact,
            white_space="nowrap",
            border_bottom=f"1px dotted {rx.color('gray', 8)}",
            cursor="help",
            **props,
        ),
        content=exact,
    )
