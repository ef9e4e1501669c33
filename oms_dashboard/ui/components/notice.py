"""The one notice: a callout telling a person something about this page (an error, a hold)."""

from __future__ import annotations

import reflex as rx


def notice(*text: rx.Component | rx.Var | str, icon: str, **props) -> rx.Component:
    """``text`` may mix strings, vars and inline parts such as ``rx.text.strong``.

    Always high contrast: Radix's soft callout text (colour step 11 on step 3)
    falls below the 4.5:1 contrast ratio for red and amber, which axe reports.
    """
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon, size=16, aria_hidden="true")),
        rx.callout.text(*text),
        high_contrast=True,
        width="100%",
        **props,
    )
