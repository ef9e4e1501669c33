"""The one "ask support" dialog: subject, what happened, and (on /tickets) which order
it is about. The page's state mixes in ``states.ticket_form.TicketFormMixin``."""

from __future__ import annotations

import reflex as rx


def _field_error(message: rx.Var[str], field_id: str) -> rx.Component:
    return rx.cond(
        message,
        rx.text(message, id=f"{field_id}-error", role="alert", color_scheme="red", size="2"),
    )


def _labelled(label: str, field_id: str, control: rx.Component, error: rx.Var[str]):
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=field_id),
        control,
        _field_error(error, field_id),
        spacing="1",
        width="100%",
    )


def new_ticket_dialog(
    state,
    *,
    trigger: rx.Component,
    title: str,
    description: str,
    on_submit,
    order_choice: rx.Component | None = None,
) -> rx.Component:
    """``order_choice``: a control named ``order_id`` (omitted when the order is known)."""
    prefix = "ticket-form"
    return rx.dialog.root(
        rx.dialog.trigger(trigger),
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", margin_bottom="12px"),
            rx.form(
                rx.vstack(
                    *([order_choice] if order_choice is not None else []),
                    _labelled(
                        "Subject",
                        f"{prefix}-subject",
                        rx.input(
                            id=f"{prefix}-subject",
                            name="subject",
                            max_length=200,
                            placeholder="e.g. The parcel has not moved for a week",
                            aria_invalid=rx.cond(state.subject_error, "true", "false"),
                            aria_describedby=f"{prefix}-subject-error",
                            width="100%",
                        ),
                        state.subject_error,
                    ),
                    _labelled(
                        "What happened, and what you need",
                        f"{prefix}-body",
                        rx.text_area(
                            id=f"{prefix}-body",
                            name="body",
                            rows="5",
                            max_length=5000,
                            aria_invalid=rx.cond(state.body_error, "true", "false"),
                            aria_describedby=f"{prefix}-body-error",
                            width="100%",
                        ),
                        state.body_error,
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.icon("send", size=16, aria_hidden="true"),
                            "Send to support",
                            type="submit",
                            data_testid="send-ticket",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
                width="100%",
            ),
            max_width="520px",
        ),
        open=state.asking,
        on_open_change=state.set_asking,
    )
