"""The bell in the header: unread count, and the latest notifications on click."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.states.notifications import NoteRow, NotificationsState


def _note(note: rx.Var[NoteRow]) -> rx.Component:
    body = rx.vstack(
        rx.hstack(
            rx.cond(
                note.unread,
                rx.box(
                    width="8px",
                    height="8px",
                    border_radius="50%",
                    background=rx.color("accent", 9),
                    flex_shrink="0",
                ),
            ),
            rx.text(note.title, size="2", weight="medium"),
            align="center",
            spacing="2",
        ),
        rx.text(note.body, size="1", color_scheme="gray"),
        rx.text(note.relative, size="1", color_scheme="gray"),
        spacing="1",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )
    return rx.cond(
        note.href, rx.link(body, href=note.href, underline="none", color="inherit"), body
    )


def notification_bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=18),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Notifications",
                ),
                rx.cond(
                    NotificationsState.unread > 0,
                    rx.badge(
                        NotificationsState.unread,
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-6px",
                        right="-8px",
                        data_testid="unread-count",
                        pointer_events="none",
                    ),
                ),
                position="relative",
                on_mount=NotificationsState.load,
            ),
        ),
        rx.popover.content(
            rx.hstack(
                rx.heading("Notifications", size="3"),
                rx.spacer(),
                rx.button(
                    "Mark all read",
                    on_click=NotificationsState.mark_all_read,
                    size="1",
                    variant="ghost",
                    disabled=NotificationsState.unread == 0,
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                NotificationsState.notes.length() > 0,
                rx.vstack(rx.foreach(NotificationsState.notes, _note), spacing="0", width="100%"),
                rx.text(
                    "Nothing new. New orders, low stock and payment problems show up here.",
                    size="2",
                    color_scheme="gray",
                    padding_y="12px",
                ),
            ),
            width="360px",
            max_height="480px",
            overflow_y="auto",
        ),
        on_open_change=lambda _open: NotificationsState.load,
    )
