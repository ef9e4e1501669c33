"""/login: email and password; a wrong pair is said next to the form, nothing else moves."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.settings import get_settings
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.layout import brand
from oms_dashboard.ui.states.login import LoginState

ROUTE = "/login"
TITLE = "Sign in · OMS Dashboard"
ON_LOAD = LoginState.load


def _field(label: str, name: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            html_for=name,
        ),
        rx.input(id=name, name=name, size="3", width="100%", required=True, **props),
        spacing="1",
        width="100%",
    )


def _demo_accounts() -> rx.Component:
    """Shown outside production only, so a first-time user can try every role."""
    if get_settings().env == "production":
        return rx.fragment()
    return rx.box(
        rx.text("Demo accounts", size="2", weight="medium"),
        rx.text(
            "Password for all: ",
            rx.code(DEMO_PASSWORD, size="2"),
            size="2",
            color_scheme="gray",
        ),
        rx.vstack(
            *[
                rx.hstack(
                    rx.badge(role.capitalize(), variant="soft", color_scheme="gray", width="80px"),
                    rx.code(email, size="2", variant="ghost"),
                    align="center",
                )
                for role, email in DEMO_LOGINS.items()
            ],
            spacing="1",
            margin_top="8px",
        ),
        padding="14px",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 2),
        border=f"1px dashed {rx.color('gray', 6)}",
        width="100%",
    )


def page() -> rx.Component:
    return rx.el.main(
        rx.center(
            rx.vstack(
                brand(),
                rx.card(
                    rx.form(
                        rx.vstack(
                            rx.heading("Sign in", size="6", as_="h1"),
                            rx.text(
                                "Use the email address and password of your OMS account.",
                                size="2",
                                color_scheme="gray",
                            ),
                            rx.cond(
                                LoginState.notice,
                                notice(LoginState.notice, icon="info", size="1"),
                            ),
                            _field(
                                "Email address",
                                "email",
                                type="email",
                                placeholder="you@example.com",
                                auto_complete="username",
                                auto_focus=True,
                            ),
                            _field(
                                "Password",
                                "password",
                                type="password",
                                auto_complete="current-password",
                            ),
                            rx.cond(
                                LoginState.error,
                                notice(
                                    LoginState.error,
                                    icon="circle-alert",
                                    color_scheme="red",
                                    role="alert",
                                    size="1",
                                    data_testid="login-error",
                                ),
                            ),
                            # Disabled until the page is connected: a form submitted by the
                            # browser itself would put the password in the URL.
                            rx.button(
                                "Sign in",
                                type="submit",
                                size="3",
                                width="100%",
                                disabled=~rx.State.is_hydrated,
                            ),
                            spacing="4",
                            width="100%",
                        ),
                        on_submit=LoginState.sign_in,
                        reset_on_submit=False,
                        method="post",
                        width="100%",
                    ),
                    size="4",
                    width="100%",
                ),
                _demo_accounts(),
                spacing="5",
                width="100%",
                max_width="420px",
                align="center",
            ),
            min_height="100vh",
            padding="24px",
            background=rx.color("gray", 2),
        )
    )
