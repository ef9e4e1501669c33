"""/seller/standing: the seller's standing with the numbers and the rule that decided
it, and its statement for a chosen month, downloadable as CSV."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.standing_badge import standing_badge, suspended_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.standing import LineRow, MeasureRow, SellerStandingState, TotalRow

ROUTE = "/seller/standing"
TITLE = "Standing and statement · OMS Dashboard"
ON_LOAD = SellerStandingState.load

S = SellerStandingState

MEASURE_COLUMNS = [
    Column("Measure"),
    Column("Value", "right"),
    Column("Counted"),
    Column("Warning above", "right"),
    Column("Suspension above", "right"),
    Column("Verdict"),
]
TOTAL_COLUMNS = [
    Column("Currency"),
    Column("Orders delivered", "right"),
    Column("Sales", "right"),
    Column("Commission", "right"),
    Column("Refunds paid", "right"),
    Column("Amount due", "right"),
]
LINE_COLUMNS = [
    Column("Line"),
    Column("Date"),
    Column("Order"),
    Column("Amount", "right"),
    Column("Commission", "right"),
    Column("Net", "right"),
]


def _measure(row: rx.Var[MeasureRow]) -> list[rx.Component]:
    return [
        rx.text(row.label, size="2", weight="medium", title=row.reason),
        rx.text(row.shown, size="2", weight="bold", white_space="nowrap"),
        rx.text(row.basis, size="2", color_scheme="gray"),
        rx.text(row.warning, size="2", white_space="nowrap"),
        rx.text(row.suspend, size="2", white_space="nowrap"),
        standing_badge(row.standing, row.standing_label, size="1"),
    ]


def _total(row: rx.Var[TotalRow]) -> list[rx.Component]:
    return [
        rx.code(row.currency, size="1"),
        rx.text(row.orders, size="2"),
        rx.text(row.sales, size="2", white_space="nowrap"),
        rx.text(row.commission, size="2", white_space="nowrap"),
        rx.text(row.refunded, size="2", white_space="nowrap"),
        rx.text(row.due, size="3", weight="bold", white_space="nowrap", data_testid="amount-due"),
    ]


def _line(row: rx.Var[LineRow]) -> list[rx.Component]:
    return [
        rx.text(row.kind, size="2"),
        rx.text(row.day, size="2", white_space="nowrap"),
        rx.link(
            row.order_number, href=row.order_href, size="2", font_family="var(--code-font-family)"
        ),
        rx.text(row.amount, size="2", white_space="nowrap"),
        rx.text(row.commission, size="2", white_space="nowrap", color_scheme="gray"),
        rx.text(row.net, size="2", weight="medium", white_space="nowrap"),
    ]


def _standing_card() -> rx.Component:
    return card(
        rx.cond(S.suspended, notice(S.suspended, icon="ban", color_scheme="red")),
        rx.hstack(
            standing_badge(S.standing, S.standing_label, size="3"),
            rx.text(S.reason, size="3", weight="medium", data_testid="standing-reason"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.text(
            "Rule: ",
            rx.code(S.rule, size="1"),
            ". ",
            S.window_text,
            " A suspension is only ever an admin's decision, with a reason you are told.",
            size="2",
            color_scheme="gray",
        ),
        table(MEASURE_COLUMNS, S.measures, _measure, label="Standing measures"),
        title="Standing",
        icon="gauge",
        data_testid="standing",
    )


def _month_picker() -> rx.Component:
    return rx.hstack(
        rx.text("Month", size="2", weight="medium", aria_hidden="true"),
        rx.select.root(
            rx.select.trigger(aria_label="Statement month", min_width="120px"),
            rx.select.content(rx.foreach(S.months, lambda m: rx.select.item(m, value=m))),
            value=S.month,
            on_change=S.choose_month,
            size="2",
        ),
        rx.button(
            rx.icon("download", size=16, aria_hidden="true"),
            "Download CSV",
            on_click=S.download_csv,
            variant="soft",
            size="2",
        ),
        spacing="2",
        align="center",
    )


def _statement_card() -> rx.Component:
    return card(
        rx.text(S.period_text, ". ", S.commission_text, size="2", color_scheme="gray"),
        rx.cond(
            S.totals.length() > 0,
            rx.vstack(
                table(TOTAL_COLUMNS, S.totals, _total, label="Statement totals"),
                table(LINE_COLUMNS, S.lines, _line, label="Statement lines"),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "Nothing delivered or refunded this month",
                "Orders count once they are delivered; refunds once they are paid. "
                "Choose another month to see its statement.",
                icon="file-text",
            ),
        ),
        title="Statement",
        icon="landmark",
        actions=_month_picker(),
        data_testid="statement",
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            rx.cond(
                S.seller_name, "Standing and statement: " + S.seller_name, "Standing and statement"
            ),
            "How the mall judges your shop's service, and what it owes you for the month.",
            badge=rx.cond(S.suspended, suspended_badge()),
        ),
        _standing_card(),
        _statement_card(),
        spacing="5",
        width="100%",
    )


def _not_found() -> rx.Component:
    return empty_state(
        "No such seller",
        "Open a seller's statement from the Sellers page.",
        icon="store",
        action=rx.link("All sellers", href="/admin/sellers"),
    )


def page() -> rx.Component:
    return shell(_content, S.access, not_found=_not_found)
