"""/admin/audit: the audit log, newest first, each row's before → after per field,
and whether the hash chain still holds (``python -m oms_dashboard audit verify``)."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.pager import pager
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.audit_log import (
    ALL,
    AuditLogState,
    AuditRowView,
    FieldChange,
    Option,
)

ROUTE = "/admin/audit"
TITLE = "Audit log · OMS Dashboard"
ON_LOAD = AuditLogState.load

S = AuditLogState
COLUMNS = [
    Column("When"),
    Column("Who"),
    Column("Action"),
    Column("On", width="16%"),
    Column("Before → after", width="42%"),
    Column("Seq · hash", "right"),
]
MONO = "var(--code-font-family)"


def _change(change: rx.Var[FieldChange]) -> rx.Component:
    return rx.fragment(
        rx.text(change.field, size="1", weight="medium", font_family=MONO),
        rx.text(change.before, size="1", color_scheme="gray", word_break="break-word"),
        rx.icon("arrow-right", size=12, aria_label="became"),
        rx.text(change.after, size="1", weight="medium", word_break="break-word"),
    )


def _changes(row: rx.Var[AuditRowView]) -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            rx.text.span(row.summary, size="2"),
            cursor="pointer",
            data_testid="audit-row-toggle",
        ),
        rx.grid(
            rx.text("Field", size="1", color_scheme="gray"),
            rx.text("Before", size="1", color_scheme="gray"),
            rx.box(),
            rx.text("After", size="1", color_scheme="gray"),
            rx.foreach(row.changes, _change),
            columns="minmax(80px, max-content) minmax(0, 1fr) 14px minmax(0, 1.4fr)",
            column_gap="12px",
            row_gap="4px",
            align_items="baseline",
            padding_top="8px",
            data_testid="audit-changes",
        ),
        data_testid="audit-row",
        data_row_id=row.id,
    )


def _row(row: rx.Var[AuditRowView]) -> list[rx.Component]:
    return [
        rx.text(row.at_text, title=row.at_exact, size="2", white_space="nowrap"),
        rx.text(row.actor_label, size="2"),
        rx.code(row.action, size="2", variant="ghost"),
        rx.vstack(
            rx.text(
                rx.text.span(row.target, weight="medium"),
                " ",
                rx.text.span(row.target_id, font_family=MONO),
                size="1",
                color_scheme="gray",
                title=row.target_id,
                max_width="200px",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            rx.cond(
                row.order_href,
                rx.link("Order ", row.order_number, href=row.order_href, size="2"),
            ),
            spacing="1",
        ),
        _changes(row),
        rx.vstack(
            rx.text("#", row.seq, size="2", weight="medium"),
            rx.cond(
                row.broken,
                rx.badge("Broken here", color_scheme="red", high_contrast=True),
                rx.text(row.hash_short, size="1", color_scheme="gray", font_family=MONO),
            ),
            align="end",
            spacing="1",
        ),
    ]


def _chain_status() -> rx.Component:
    check = rx.button(
        rx.icon("refresh-cw", size=14, aria_hidden="true"),
        "Check again",
        on_click=S.check_chain,
        variant="soft",
        color_scheme="gray",
        size="1",
    )
    whole = rx.button(
        rx.icon("shield-check", size=14, aria_hidden="true"),
        "Check the whole chain",
        on_click=S.check_whole_chain,
        variant="soft",
        color_scheme="gray",
        size="1",
        title="Walk every row from the first, not just those after the checkpoint",
    )
    return rx.flex(
        rx.box(
            rx.cond(
                S.chain_intact,
                notice(
                    rx.text.strong("Chain intact. "),
                    S.chain_text,
                    icon="shield-check",
                    color_scheme="green",
                    data_testid="chain-status",
                ),
                notice(
                    rx.text.strong("Chain broken at "),
                    S.chain_text,
                    ". Rows from there on cannot be trusted as written: someone changed the "
                    "database behind the application.",
                    icon="shield-x",
                    color_scheme="red",
                    role="alert",
                    data_testid="chain-status",
                ),
            ),
            flex="1 1 420px",
            min_width="0",
        ),
        rx.vstack(
            rx.hstack(check, whole, spacing="2", wrap="wrap"),
            rx.text(S.chain_full_text, size="1", color_scheme="gray"),
            spacing="1",
            flex="0 1 auto",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _option(option: rx.Var[Option]) -> rx.Component:
    return rx.select.item(option.label, value=option.value)


def _date(name: str, label: str, value: rx.Var[str]) -> rx.Component:
    return rx.el.label(
        rx.text(label, size="2", color_scheme="gray"),
        rx.input(type="date", name=name, default_value=value, key=name + value),
        style={"display": "flex", "gap": "6px", "align-items": "center"},
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.select.root(
                rx.select.trigger(aria_label="Filter by who acted", min_width="180px"),
                rx.select.content(
                    rx.select.item("Anyone", value=ALL),
                    rx.select.separator(),
                    rx.foreach(S.actor_options, _option),
                ),
                value=S.actor_filter,
                on_change=S.set_actor_filter,
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Filter by action", min_width="180px"),
                rx.select.content(
                    rx.select.item("Every action", value=ALL),
                    rx.select.separator(),
                    rx.foreach(S.action_options, lambda a: rx.select.item(a, value=a)),
                ),
                value=S.action_filter,
                on_change=S.set_action_filter,
            ),
            rx.input(
                rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
                name="order",
                placeholder="Order id or number",
                default_value=S.order_text,
                key=S.order_text,
                aria_label="Order id or number",
                width="210px",
            ),
            _date("from", "From", S.date_from),
            _date("to", "To", S.date_to),
            rx.button("Apply", type="submit", size="2"),
            rx.cond(
                S.is_filtered,
                rx.button(
                    "Clear filters",
                    on_click=S.clear_filters,
                    type="button",
                    variant="ghost",
                    color_scheme="gray",
                ),
            ),
            column_gap="12px",
            row_gap="10px",
            width="100%",
            wrap="wrap",
            align="center",
        ),
        on_submit=S.apply,
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Audit log",
            "Every privileged action: who did what to which record, and the fields it "
            "changed. Rows are append-only and each is hash-chained to the one before. "
            "An order's own timeline (payments, scans) is on the order.",
        ),
        _chain_status(),
        card(
            _filters(),
            rx.cond(
                S.error,
                notice(S.error, icon="triangle-alert", color_scheme="red", role="alert"),
            ),
            rx.cond(
                S.rows.length() > 0,
                rx.vstack(
                    table(COLUMNS, S.rows, _row, label="Audit log entries"),
                    pager(S, back="Newer", forward="Older"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    S.is_filtered,
                    empty_state(
                        "No entries match these filters",
                        "Try another person or action, widen the dates, or clear the filters.",
                        icon="search-x",
                        action=rx.button(
                            "Clear filters", on_click=S.clear_filters, variant="soft", size="2"
                        ),
                    ),
                    empty_state(
                        "Nothing audited yet",
                        "Privileged actions (cancellation overrides, refunds, policy "
                        "changes, stock counts) show up here as they happen.",
                        icon="scroll-text",
                    ),
                ),
            ),
            title="Entries",
            icon="scroll-text",
        ),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
