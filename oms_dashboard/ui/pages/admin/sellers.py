"""/admin/sellers: every seller's standing, suspensions first, then the worst; suspend
or reinstate with a reason in a confirmation dialog; each seller's statement."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.decision_dialog import decision_dialog, reason_field
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.standing_badge import standing_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.admin_sellers import REINSTATE, SUSPEND, AdminSellersState, SellerRow

ROUTE = "/admin/sellers"
TITLE = "Sellers · OMS Dashboard"
ON_LOAD = AdminSellersState.load

S = AdminSellersState
COLUMNS = [
    Column("Seller"),
    Column("Standing"),
    Column("Why", width="40%"),
    Column("Paid orders", "right"),
    Column("Actions", "right"),
]


def _row(row: rx.Var[SellerRow]) -> list[rx.Component]:
    return [
        rx.vstack(
            rx.text(row.name, size="2", weight="medium"),
            rx.cond(
                row.suspended,
                rx.badge("Suspended", color_scheme="red", variant="solid", size="1"),
                rx.badge(
                    "Taking orders",
                    color_scheme="green",
                    variant="soft",
                    size="1",
                    high_contrast=True,
                ),
            ),
            spacing="1",
        ),
        standing_badge(row.standing, row.standing_label, size="1"),
        rx.vstack(
            rx.text(row.reason, size="2"),
            rx.code(row.rule, size="1", color_scheme="gray"),
            rx.cond(row.suspended, rx.text(row.suspended_text, size="1", color_scheme="red")),
            spacing="1",
        ),
        rx.text(row.orders, size="2"),
        rx.hstack(
            rx.link(
                rx.button("Statement", size="1", variant="soft", color_scheme="gray"),
                href=row.statement_href,
                aria_label="Statement of " + row.name,
            ),
            rx.cond(
                row.suspended,
                rx.button(
                    "Reinstate",
                    on_click=S.open_decision(row.id, REINSTATE),
                    size="1",
                    variant="soft",
                    color_scheme="green",
                    aria_label="Reinstate " + row.name,
                ),
                rx.button(
                    "Suspend",
                    on_click=S.open_decision(row.id, SUSPEND),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Suspend " + row.name,
                ),
            ),
            spacing="2",
            justify="end",
        ),
    ]


def _dialog() -> rx.Component:
    suspending = S.acting == SUSPEND
    return decision_dialog(
        is_open=S.acting_id != "",
        title=rx.text.span(rx.cond(suspending, "Suspend ", "Reinstate "), S.acting_title),
        description=rx.cond(
            suspending,
            "Customers will not be able to check out this seller's products until "
            "it is reinstated; orders already placed go on. The seller is told, "
            "with your reason, and the change is audited.",
            "Customers can check out this seller's products again. The seller is "
            "told, with your reason, and the change is audited.",
        ),
        fields=reason_field(
            field_id="standing-note",
            label="Reason (the seller reads it)",
            value=S.note,
            on_change=S.set_note,
            error=S.note_error,
        ),
        cancel="Not now",
        on_cancel=S.close_decision,
        confirm=rx.cond(suspending, "Suspend from new orders", "Reinstate seller"),
        confirm_color=rx.cond(suspending, "red", "green"),
        on_confirm=S.confirm_decision,
    )


def _content() -> rx.Component:
    return rx.vstack(
        page_header(
            "Sellers",
            "Each seller's standing over the policy's rolling window, with the rule that "
            "decided it. A rule only recommends a suspension: you decide, with a reason.",
        ),
        card(
            rx.cond(
                S.rows.length() > 0,
                table(COLUMNS, S.rows, _row, label="Sellers"),
                empty_state(
                    "No sellers yet", "Create one with POST /api/v1/sellers.", icon="store"
                ),
            ),
            title="Standing",
            icon="gauge",
        ),
        _dialog(),
        spacing="5",
        width="100%",
    )


def page() -> rx.Component:
    return shell(_content, S.access)
