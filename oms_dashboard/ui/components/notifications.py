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
    # The button itself is the trigger: Radix puts aria-expanded/aria-haspopup on
    # the trigger's child, which is only allowed on an element with a role such as
    # button (on a plain <div> axe reports aria-allowed-attr). The badge sits inside
    # the button so the button can be that child and still anchor it.
    unread = NotificationsState.unread
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("bell", size=18, aria_hidden="true"),
                rx.cond(
                    unread > 0,
                    rx.badge(
                        unread,
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-6px",
                        right="-8px",
                        data_testid="unread-count",
                        pointer_events="none",
                        aria_hidden="true",
                    ),
                ),
                variant="ghost",
                color_scheme="gray",
                # The count is in the name, since the badge is hidden from readers.
                aria_label=rx.cond(
                    unread > 0, "Notifications, " + unread.to_string() + " unread", "Notifications"
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
            aria_label="Notifications",  # it is a dialog, and a dialog needs a name
            width="360px",
            max_height="480px",
            overflow_y="auto",
        ),
        on_open_change=lambda _open: NotificationsState.load,
    )
