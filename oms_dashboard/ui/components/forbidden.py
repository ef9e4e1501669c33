"""What a signed-in person sees on a page their role may not open."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.states.auth import AuthState


def forbidden_view() -> rx.Component:
    return card(
        rx.center(
            rx.vstack(
                rx.center(
                    rx.icon("lock", size=28, color=rx.color("red", 11), aria_hidden="true"),
                    background=rx.color("red", 3),
                    border_radius="50%",
                    padding="14px",
                ),
                rx.heading("You don't have access to this page", size="5", as_="h1"),
                rx.text(
                    "You are signed in as ",
                    rx.text.strong(AuthState.user_name),
                    " (",
                    AuthState.user_role,
                    "). This page is for another role, so nothing on it was loaded.",
                    color_scheme="gray",
                    text_align="center",
                ),
                rx.link(
                    rx.button(rx.icon("house", size=16), "Go to my home page", size="2"),
                    href=AuthState.home_href,
                ),
                align="center",
                spacing="3",
                max_width="480px",
            ),
            padding_y="40px",
            width="100%",
        ),
        data_testid="forbidden",
    )
