"""The one pager under a list: what is shown on the left, Previous and Next (or Newer
and Older, for a list newest first) on the right. Its state is ``states.pager``."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.states.pager import KeysetPager


def pager(
    state: type[KeysetPager],
    summary: rx.Component | None = None,
    *,
    back: str = "Previous",
    forward: str = "Next",
) -> rx.Component:
    """``summary`` says what the page shows; "Page N" when the list has no count."""
    return rx.hstack(
        summary
        if summary is not None
        else rx.text("Page ", state.page_number, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=16, aria_hidden="true"),
            back,
            on_click=state.previous_page,
            disabled=state.page_number <= 1,
            variant="soft",
            color_scheme="gray",
            size="2",
        ),
        rx.button(
            forward,
            rx.icon("chevron-right", size=16, aria_hidden="true"),
            on_click=state.next_page,
            disabled=~state.has_next,
            variant="soft",
            color_scheme="gray",
            size="2",
        ),
        width="100%",
        align="center",
        spacing="2",
    )
