"""The one ticket list: support's queue, a customer's or seller's "My requests" and an
order's tickets pick their columns from the same cells (rows: ``states.ticket_rows``)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.ticket_badges import priority_badge, ticket_status_badge
from oms_dashboard.ui.components.time import when
from oms_dashboard.ui.states.ticket_rows import TicketRow

Cell = Callable[[rx.Var[TicketRow]], rx.Component]


def sla_text(text: rx.Var[str], exact: rx.Var[str], breached: rx.Var[bool]) -> rx.Component:
    return rx.text(
        rx.cond(breached, rx.icon("alarm-clock", size=14, aria_hidden="true"), rx.fragment()),
        text,
        as_="span",
        title=exact,
        size="2",
        weight=rx.cond(breached, "bold", "regular"),
        color_scheme=rx.cond(breached, "red", "gray"),
        display="inline-flex",
        align_items="center",
        gap="4px",
        data_testid="sla",
        data_breached=rx.cond(breached, "true", "false"),
    )


def _ticket(row: rx.Var[TicketRow]) -> rx.Component:
    return rx.vstack(
        rx.link(row.subject, href=row.href, weight="medium", size="2", data_testid="ticket-link"),
        rx.text(
            row.number,
            rx.cond(row.assignee, rx.text.span(" · assigned to ", row.assignee)),
            size="1",
            color_scheme="gray",
            font_family="var(--code-font-family)",
            white_space="nowrap",
        ),
        spacing="1",
    )


def _priority(row: rx.Var[TicketRow]) -> rx.Component:
    return rx.vstack(
        priority_badge(row.priority),
        rx.text(row.priority_reason, size="1", color_scheme="gray"),
        spacing="1",
    )


def _status(row: rx.Var[TicketRow]) -> rx.Component:
    return ticket_status_badge(row.status)


def _status_and_turn(row: rx.Var[TicketRow]) -> rx.Component:
    return rx.vstack(
        ticket_status_badge(row.status),
        rx.text(
            rx.cond(row.your_turn, rx.icon("hand", size=12, aria_hidden="true"), rx.fragment()),
            "Waiting on: ",
            row.waiting_on,
            size="1",
            weight=rx.cond(row.your_turn, "bold", "regular"),
            color_scheme=rx.cond(row.your_turn, "amber", "gray"),
            display="inline-flex",
            align_items="center",
            gap="4px",
            data_testid="waiting-on",
            data_your_turn=rx.cond(row.your_turn, "true", "false"),
        ),
        spacing="1",
    )


def _sla(row: rx.Var[TicketRow]) -> rx.Component:
    return sla_text(row.sla_text, row.sla_exact, row.breached)


def _last(row: rx.Var[TicketRow]) -> rx.Component:
    return rx.cond(
        row.last_author,
        rx.vstack(
            rx.text(
                rx.text.span(row.last_author, weight="medium"),
                " · ",
                when(row.last_relative, row.last_exact),
                size="1",
                color_scheme="gray",
            ),
            rx.text(row.last_words, size="2", data_testid="last-message"),
            spacing="1",
            max_width="360px",
        ),
        rx.text("No message yet", size="1", color_scheme="gray"),
    )


def _order(row: rx.Var[TicketRow]) -> rx.Component:
    return rx.cond(
        row.order_href,
        rx.link(
            row.order_number,
            href=row.order_href,
            font_family="var(--code-font-family)",
            size="2",
            white_space="nowrap",
            data_testid="order-link",
        ),
        rx.text("No order", size="1", color_scheme="gray"),
    )


CELLS: dict[str, tuple[Column, Cell]] = {
    "ticket": (Column("Ticket", width="30%"), _ticket),
    "request": (Column("Request", width="28%"), _ticket),
    "subject": (Column("Ticket", width="55%"), _ticket),
    "priority": (Column("Priority", width="24%"), _priority),
    "priority_badge": (Column("Priority"), lambda row: priority_badge(row.priority)),
    "status": (Column("Status"), _status),
    "turn": (Column("Status"), _status_and_turn),
    "sla": (Column("SLA"), _sla),
    "last": (Column("Last message", width="34%"), _last),
    "order": (Column("Order"), _order),
}


def ticket_table(rows: rx.Var[list[TicketRow]], columns: list[str], *, label: str) -> rx.Component:
    """``columns``: keys of ``CELLS``, in the order shown."""
    picked = [CELLS[key] for key in columns]
    return table(
        [column for column, _ in picked],
        rows,
        lambda row: [cell(row) for _, cell in picked],
        label=label,
        data_testid="ticket-list",
    )
