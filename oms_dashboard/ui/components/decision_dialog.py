"""The admin's "decide with a reason" confirmation: a title naming what is decided,
what the decision does, the reason (or other fields) with its error under it, and two
buttons. One frame for the sellers, refunds, review and disputes pages; the state of
the first three is ``states.decision.DecisionState``."""

from __future__ import annotations

from typing import Any

import reflex as rx

Text = str | rx.Var[str]


def reason_field(
    *,
    field_id: str,
    label: Text,
    value: rx.Var[str],
    on_change: Any,
    error: rx.Var[str],
    error_testid: str | None = None,
    **area_props: Any,
) -> list[rx.Component]:
    """A labelled text area with its error under it, tied together for screen readers
    (the error is an alert, read as soon as it shows). ``area_props`` go to the text
    area (``placeholder``, ``rows``)."""
    testid = {"data_testid": error_testid} if error_testid else {}
    return [
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        rx.text_area(
            id=field_id,
            value=value,
            on_change=on_change,
            aria_invalid=rx.cond(error, "true", "false"),
            aria_describedby=f"{field_id}-error",
            width="100%",
            **area_props,
        ),
        rx.cond(
            error,
            rx.text(
                error.to(str).capitalize(),
                id=f"{field_id}-error",
                role="alert",
                color_scheme="red",
                size="2",
                **testid,
            ),
        ),
    ]


def decision_dialog(
    *,
    is_open: rx.Var[bool],
    title: rx.Component,
    description: Text | rx.Component,
    fields: list[rx.Component],
    cancel: str,
    on_cancel: Any,
    confirm: Text,
    on_confirm: Any,
    confirm_color: Text | None = None,
) -> rx.Component:
    """Open while ``is_open``; the page's state closes it (``on_cancel``, or its
    confirm event once the decision is made)."""
    color = {"color_scheme": confirm_color} if confirm_color is not None else {}
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.vstack(*fields, spacing="2", width="100%", margin_top="12px"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(cancel, variant="soft", color_scheme="gray", on_click=on_cancel)
                ),
                # High contrast: white on Radix's red (or green) step 9 is under 4.5:1.
                rx.button(confirm, high_contrast=True, on_click=on_confirm, **color),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        open=is_open,
    )
