"""/admin/carriers: each carrier on or off, on its sandbox or live, and how it is doing."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.carriers import CarrierCard, CarriersState, CredentialField

ROUTE = "/admin/carriers"
TITLE = "Carriers · OMS Dashboard"
ON_LOAD = CarriersState.load

S = CarriersState


def _fact(label: str, *value: rx.Component) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="150px"),
        rx.data_list.value(*value),
        align="start",
    )


def _badges(c: rx.Var[CarrierCard]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            c.enabled,
            rx.badge("Enabled", color_scheme="green", high_contrast=True, radius="full"),
            rx.badge("Disabled", color_scheme="gray", high_contrast=True, radius="full"),
        ),
        rx.cond(
            c.mode == "live",
            rx.badge("Live", color_scheme="blue", high_contrast=True, radius="full"),
            rx.badge("Sandbox", color_scheme="amber", high_contrast=True, radius="full"),
        ),
        spacing="2",
        data_testid="carrier-badges",
    )


def _health(c: rx.Var[CarrierCard]) -> rx.Component:
    return rx.data_list.root(
        _fact(
            "Last success",
            rx.cond(
                c.last_success_exact,
                when(c.last_success, c.last_success_exact, size="2"),
                rx.text(c.last_success, size="2", color_scheme="gray"),
            ),
        ),
        _fact(
            "Last failure",
            rx.vstack(
                rx.cond(
                    c.last_failure_exact,
                    when(c.last_failure, c.last_failure_exact, size="2"),
                    rx.text(c.last_failure, size="2", color_scheme="gray"),
                ),
                rx.cond(
                    c.last_error,
                    rx.text(c.last_error, size="1", color=rx.color("red", 11)),
                ),
                spacing="1",
            ),
        ),
        _fact(
            "Failures in a row",
            rx.text(
                c.failures,
                size="2",
                weight=rx.cond(c.failures > 0, "bold", "regular"),
                color=rx.cond(c.failures > 0, rx.color("red", 11), rx.color("gray", 12)),
                data_testid="carrier-failures",
            ),
        ),
        _fact(
            "Circuit breaker",
            rx.text(
                c.breaker,
                size="2",
                color=rx.cond(c.breaker_open, rx.color("red", 11), rx.color("gray", 12)),
                data_testid="carrier-breaker",
            ),
        ),
        _fact("Queued updates", rx.text(c.queued_text, size="2", data_testid="carrier-queued")),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        size="2",
    )


def _settings(c: rx.Var[CarrierCard]) -> rx.Component:
    return rx.data_list.root(
        _fact(
            "Base URL",
            rx.cond(
                c.base_url,
                rx.code(c.base_url, size="2", variant="ghost"),
                rx.text(
                    rx.cond(c.mode == "live", "Not set", "The sandbox inside this app"),
                    size="2",
                    color_scheme="gray",
                ),
            ),
        ),
        _fact(
            "Credentials",
            rx.cond(
                c.has_credentials,
                rx.hstack(
                    rx.icon("lock", size=14, aria_hidden="true"),
                    rx.text("Set (never shown)", size="2"),
                    spacing="1",
                    align="center",
                ),
                rx.text("Not set", size="2", color_scheme="gray"),
            ),
        ),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        size="2",
    )


def _carrier(c: rx.Var[CarrierCard]) -> rx.Component:
    return card(
        rx.cond(
            ~c.usable,
            rx.callout.root(
                rx.callout.icon(rx.icon("circle-slash", size=16, aria_hidden="true")),
                rx.callout.text(rx.text.strong("Not in use: "), c.why_not),
                color_scheme="gray",
                high_contrast=True,
                size="1",
                width="100%",
            ),
        ),
        _settings(c),
        rx.separator(size="4"),
        _health(c),
        rx.separator(size="4"),
        rx.flex(
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=c.enabled,
                        on_change=lambda on: S.set_enabled(c.carrier, on),
                        aria_label=f"{c.title} on or off",
                    ),
                    rx.text(rx.cond(c.enabled, "On", "Off"), size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.button(
                rx.icon("settings-2", size=16, aria_hidden="true"),
                "Sandbox or live…",
                on_click=S.open_configure(c.carrier),
                variant="soft",
                size="2",
                data_testid="configure-carrier",
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        title=c.title,
        icon="truck",
        actions=_badges(c),
        data_testid="carrier-card",
        data_carrier=c.carrier,
    )


def _error(text: rx.Var[str], id_: str | rx.Var[str]) -> rx.Component:
    return rx.cond(
        text,
        rx.text(text, id=id_, size="1", color=rx.color("red", 11), role="alert"),
    )


def _credential(f: rx.Var[CredentialField]) -> rx.Component:
    field_id = "cred-" + f.name
    return rx.vstack(
        rx.el.label(
            rx.text.span(
                f.label, rx.cond(f.required, "", " (optional)"), size="2", weight="medium"
            ),
            html_for=field_id,
        ),
        rx.input(
            id=field_id,
            name="credentials." + f.name,
            type=rx.cond(f.secret, "password", "text"),
            autocomplete="off",
            aria_invalid=rx.cond(f.error, "true", "false"),
            aria_describedby=field_id + "-error",
            width="100%",
        ),
        _error(f.error, field_id + "-error"),
        spacing="1",
        width="100%",
    )


def _live_fields() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.el.label(rx.text("API base URL", size="2", weight="medium"), html_for="base-url"),
            rx.input(
                id="base-url",
                name="base_url",
                default_value=S.form_base_url,
                placeholder="https://apis.fedex.com",
                type="url",
                aria_invalid=rx.cond(S.base_url_error, "true", "false"),
                aria_describedby="base-url-error",
                width="100%",
            ),
            _error(S.base_url_error, "base-url-error"),
            spacing="1",
            width="100%",
        ),
        rx.text(
            rx.cond(
                S.form_has_credentials,
                "Credentials are stored. Leave these empty to keep them, or fill in every "
                "required one to replace them.",
                "No credentials are stored yet: fill in every required one.",
            ),
            size="2",
            color_scheme="gray",
        ),
        _error(S.credentials_error, "credentials-error"),
        rx.foreach(S.form_fields, _credential),
        spacing="3",
        width="100%",
    )


def _configure_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.text.span(S.editing_title, ": sandbox or live")),
            rx.dialog.description(
                "The sandbox answers from inside this app (never in production). Live calls "
                "the carrier's own API with your account's credentials.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.radio_group.root(
                        rx.hstack(
                            rx.el.label(
                                rx.hstack(
                                    rx.radio_group.item(
                                        value="sandbox", disabled=~S.sandboxes_allowed
                                    ),
                                    rx.text("Sandbox", size="2"),
                                    spacing="2",
                                    align="center",
                                )
                            ),
                            rx.el.label(
                                rx.hstack(
                                    rx.radio_group.item(value="live"),
                                    rx.text("Live", size="2"),
                                    spacing="2",
                                    align="center",
                                )
                            ),
                            spacing="5",
                        ),
                        value=S.form_mode,
                        on_change=S.set_form_mode,
                        aria_label="Mode",
                    ),
                    _error(S.mode_error, "mode-error"),
                    rx.cond(S.form_mode == "live", _live_fields()),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Cancel",
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                on_click=S.close_configure,
                            )
                        ),
                        rx.button("Save", type="submit"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="4",
                    width="100%",
                    margin_top="16px",
                ),
                on_submit=S.save_configure,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=S.editing != "",
        on_open_change=S.configure_open_change,
    )


def _disable_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.text.span("Switch ", S.disabling_title, " off?")),
            rx.alert_dialog.description(
                "Sellers can no longer buy its labels, and tracking updates for its parcels "
                "wait until it is back on. Labels already bought stay valid.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep it on",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.cancel_disable,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Switch off", color_scheme="red", on_click=S.confirm_disable)
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
        ),
        open=S.disabling != "",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Carriers",
            "Which carriers sellers can ship with, whether each one answers from its sandbox "
            "or its live API, and how its calls have been going.",
        ),
        rx.grid(
            rx.foreach(S.cards, _carrier),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="5",
            width="100%",
        ),
        _configure_dialog(),
        _disable_dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
