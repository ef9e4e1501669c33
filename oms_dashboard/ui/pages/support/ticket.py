"""/support/tickets/[ticket_id]: one ticket — its facts, what it is about, the whole
thread, and what the viewer may do now. Staff see every ticket; the ticket's customer
and seller see theirs (and may escalate it to a dispute)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.ticket_badges import (
    decision_badge,
    priority_badge,
    ticket_status_badge,
)
from oms_dashboard.ui.components.ticket_list import sla_text
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.ticket_detail import REPLY_STATUSES, MessageRow, TicketDetailState

ROUTE = "/support/tickets/[ticket_id]"
ALSO_AT = ("/tickets/[ticket_id]",)
"""Where the ticket emails to customers and sellers point (``notifications.tickets``)."""
TITLE = "Ticket · OMS Dashboard"
ON_LOAD = TicketDetailState.load

S = TicketDetailState


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), "Back", spacing="1"),
        href=S.back_href,
        size="2",
    )


def _fact(label: str, *value: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        *value,
        spacing="1",
        align="start",
    )


def _facts() -> rx.Component:
    return card(
        rx.grid(
            _fact("Priority", priority_badge(S.priority, size="2")),
            _fact("SLA", sla_text(S.sla_text, S.sla_exact, S.breached)),
            _fact("Status", ticket_status_badge(S.status, size="2")),
            _fact(
                "Assigned to",
                rx.text(
                    rx.cond(S.assignee, S.assignee, "Nobody yet"),
                    size="2",
                    data_testid="assignee",
                ),
            ),
            _fact(
                "Opened",
                rx.text(
                    "by ",
                    S.source,
                    " ",
                    when(S.opened_relative, S.opened_exact),
                    size="2",
                ),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
        rx.box(
            rx.text("Why this priority", size="1", weight="medium", color_scheme="gray"),
            rx.text(S.priority_reason, size="2", data_testid="priority-reason"),
            width="100%",
        ),
        title="The ticket",
        icon="ticket",
        data_testid="ticket-facts",
    )


def _context() -> rx.Component:
    return card(
        rx.cond(
            S.order_href,
            rx.vstack(
                _fact(
                    "Order",
                    rx.hstack(
                        rx.link(
                            S.order_number,
                            href=S.order_href,
                            font_family="var(--code-font-family)",
                            weight="medium",
                            data_testid="order-link",
                        ),
                        status_badge(S.order_status, size="1"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.cond(
                    S.shipment_text,
                    _fact(
                        "Shipment",
                        rx.text(
                            S.shipment_text,
                            " · ",
                            rx.code(S.tracking_number, size="1", variant="ghost"),
                            " · ",
                            S.shipment_status,
                            size="2",
                            data_testid="shipment",
                        ),
                    ),
                ),
                rx.cond(S.return_text, _fact("Return", rx.text(S.return_text, size="2"))),
                spacing="4",
                width="100%",
            ),
            rx.text("This ticket is not about an order.", size="2", color_scheme="gray"),
        ),
        title="What it is about",
        icon="package",
    )


def _dispute() -> rx.Component:
    decided = rx.vstack(
        rx.hstack(
            decision_badge(S.decision, size="2"),
            rx.cond(S.decision_amount, rx.text(S.decision_amount, weight="bold", size="3")),
            rx.text("decided ", S.decided_relative, size="2", color_scheme="gray"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.text(S.decision_note, size="2", white_space="pre-wrap"),
        spacing="2",
        width="100%",
    )
    return rx.cond(
        S.dispute_status,
        card(
            rx.cond(
                S.decision,
                decided,
                rx.text(
                    "An admin is deciding: a refund, a partial refund, or no refund, with a "
                    "written note both customer and seller read.",
                    size="2",
                ),
            ),
            title=rx.cond(S.decision, "Dispute decided", "Dispute open"),
            icon="scale",
            data_testid="dispute",
        ),
    )


def _message(m: rx.Var[MessageRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(m.author, size="2", weight="bold"),
            when(m.at_relative, m.at_exact, size="1", color_scheme="gray"),
            spacing="2",
            align="baseline",
        ),
        rx.text(
            m.body,
            size="2",
            white_space="pre-wrap",
            color=rx.cond(m.system, rx.color("gray", 11), "inherit"),
            font_style=rx.cond(m.system, "italic", "normal"),
        ),
        padding="10px 14px",
        border_radius="10px",
        background=rx.cond(
            m.system,
            "transparent",
            rx.cond(m.staff, rx.color("accent", 3), rx.color("gray", 3)),
        ),
        border=rx.cond(m.system, f"1px dashed {rx.color('gray', 6)}", "none"),
        width="100%",
        data_testid="thread-message",
        data_role=m.role,
    )


def _reply() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text("Reply", size="2", weight="medium"), html_for="ticket-reply"),
            rx.text_area(
                id="ticket-reply",
                value=S.reply,
                on_change=S.set_reply,
                placeholder=S.reply_hint,
                aria_invalid=rx.cond(S.reply_error, "true", "false"),
                aria_describedby="reply-error",
                rows="4",
                width="100%",
            ),
            rx.cond(
                S.reply_error,
                rx.text(
                    S.reply_error.to(str).capitalize(),
                    id="reply-error",
                    role="alert",
                    color_scheme="red",
                    size="2",
                ),
            ),
            rx.hstack(
                rx.cond(
                    S.viewer_staff,
                    rx.hstack(
                        rx.text("and set status", size="2", color_scheme="gray"),
                        rx.select.root(
                            rx.select.trigger(aria_label="And set status", min_width="210px"),
                            rx.select.content(
                                *[
                                    rx.select.item(
                                        text,
                                        value=value,
                                        disabled=(~S.can_wait_on_seller)
                                        if value == "waiting_on_seller"
                                        else False,
                                    )
                                    for value, text in REPLY_STATUSES
                                ]
                            ),
                            value=S.reply_status,
                            on_change=S.set_reply_status,
                        ),
                        align="center",
                        spacing="2",
                    ),
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("send", size=16, aria_hidden="true"), "Send reply", type="submit"
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=lambda _: S.send_reply(),
        width="100%",
    )


def _thread() -> rx.Component:
    return card(
        rx.vstack(rx.foreach(S.messages, _message), spacing="3", width="100%"),
        rx.cond(
            S.can_reply,
            rx.vstack(rx.separator(size="4"), _reply(), spacing="4", width="100%"),
        ),
        title="Conversation",
        icon="messages-square",
        data_testid="thread",
    )


def _escalate_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Escalate to a dispute?"),
            rx.alert_dialog.description(
                "An admin will decide between you and the other party: a refund, a partial "
                "refund or no refund, with a written note you both read. Support stops "
                "working the ticket, and this cannot be undone.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep talking to support",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.close_escalate,
                    )
                ),
                rx.button("Escalate", color_scheme="violet", on_click=S.confirm_escalate),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        open=S.escalating,
    )


def _reassign() -> rx.Component:
    """Staff hand the ticket to another agent (who is told)."""
    return rx.cond(
        S.viewer_staff & (S.agents.length() > 0),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(aria_label="Reassign to", min_width="200px"),
                rx.select.content(
                    rx.foreach(S.agents, lambda a: rx.select.item(a.label, value=a.id))
                ),
                value=S.reassign_to,
                on_change=S.set_reassign_to,
            ),
            rx.button(
                rx.icon("users", size=16, aria_hidden="true"),
                "Reassign",
                on_click=S.reassign,
                disabled=S.reassign_to == "",
                variant="soft",
                data_testid="reassign",
            ),
            spacing="2",
            align="center",
        ),
    )


def _rating() -> rx.Component:
    """The customer rates a resolved ticket once; then the rating shows."""
    stars = rx.hstack(
        *[
            rx.icon_button(
                rx.text(str(n), size="2", weight="bold"),
                on_click=S.rate(str(n)),
                variant="soft",
                size="3",
                aria_label=f"Rate {n} of 5",
                data_testid=f"rate-{n}",
            )
            for n in range(1, 6)
        ],
        spacing="2",
    )
    return rx.cond(
        S.can_rate,
        card(
            rx.text(
                "Your request is resolved. How well was it handled? 1 is poorly, 5 is very well.",
                size="2",
            ),
            stars,
            title="Rate how it was handled",
            icon="star",
            data_testid="rate-ticket",
        ),
        rx.cond(
            S.rating > 0,
            notice(
                rx.text.span("You rated how this was handled: ", S.rating, " of 5."),
                icon="star",
                color_scheme="green",
                data_testid="rated",
            ),
        ),
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.can_assign,
            rx.button(
                rx.icon("user-check", size=16, aria_hidden="true"),
                "Assign to me",
                on_click=S.assign_to_me,
                variant="soft",
            ),
        ),
        _reassign(),
        rx.cond(
            S.can_escalate,
            rx.button(
                rx.icon("scale", size=16, aria_hidden="true"),
                "Escalate to a dispute",
                on_click=S.open_escalate,
                variant="soft",
                color_scheme="violet",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _content() -> rx.Component:
    return rx.vstack(
        _back(),
        page_header(
            S.subject,
            f"Ticket {S.number}",
            _actions(),
        ),
        rx.cond(
            S.breached & (S.status != "resolved"),
            notice(
                "This ticket is past its SLA: answer it first.",
                icon="alarm-clock",
                color_scheme="red",
            ),
        ),
        rx.grid(
            rx.vstack(_rating(), _dispute(), _thread(), spacing="5", width="100%"),
            rx.vstack(_facts(), _context(), spacing="5", width="100%"),
            columns=rx.breakpoints(initial="1", lg="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="5",
            width="100%",
        ),
        _escalate_dialog(),
        spacing="4",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.vstack(
        card(
            empty_state(
                "Ticket not found",
                "There is no ticket at this address that you can see. Check the link, or "
                "open the ticket from the list.",
                icon="file-question",
            ),
            data_testid="not-found",
        ),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access, not_found=_not_found)
