"""The "Low stock" card of the seller's page: each product about to sell out, and a
field to set how many units are on the shelf now."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.states.low_stock import LowStockRow, LowStockState

COLUMNS = [
    Column("SKU"),
    Column("Product"),
    Column("Available", "right"),
    Column("Alert under", "right"),
    Column("On hand", "left", width="280px"),
]


def _restock_form(row: rx.Var[LowStockRow]) -> rx.Component:
    hint_id = "restock-hint-" + row.sku
    return rx.form(
        # Controlled, so it always names this row's sku, whatever the row order.
        rx.el.input(type="hidden", name="sku", value=row.sku),
        rx.hstack(
            rx.input(
                name="on_hand",
                type="number",
                input_mode="numeric",
                min=row.reserved,
                step=1,
                default_value=row.on_hand.to_string(),
                aria_label="Units on hand of " + row.title,
                aria_invalid=rx.cond(row.error, "true", "false"),
                aria_describedby=hint_id,
                color_scheme=rx.cond(row.error, "red", "gray"),
                # Radix draws the field's border as an inset shadow: red while refused.
                box_shadow=rx.cond(row.error, "inset 0 0 0 1px var(--red-9)", ""),
                size="2",
                width="96px",
                data_testid="restock-input",
            ),
            rx.button("Save", type="submit", size="2", variant="soft"),
            spacing="2",
            align="center",
        ),
        # The minimum before a mistake (when there is one), the reason after one,
        # in the same place; always there, as the field's description.
        rx.text(
            rx.cond(
                row.error,
                row.error,
                rx.cond(
                    row.reserved > 0, row.reserved.to_string() + " reserved for open orders", ""
                ),
            ),
            id=hint_id,
            size="1",
            color=rx.cond(row.error, rx.color("red", 11), rx.color("gray", 11)),
            margin_top="4px",
            aria_live="polite",
            data_testid="restock-hint",
        ),
        on_submit=LowStockState.restock,
        # Our own message next to the field, not the browser's bubble.
        no_validate=True,
        # A new count draws the form afresh, so the field shows the saved value.
        key=row.form_key,
    )


def _row(row: rx.Var[LowStockRow]) -> list[rx.Component]:
    return [
        rx.code(row.sku, size="1"),
        rx.text(row.title, size="2"),
        rx.text(row.available, size="2", weight="bold", color=rx.color("red", 11)),
        rx.text(row.threshold, size="2", color_scheme="gray"),
        _restock_form(row),
    ]


def low_stock_card() -> rx.Component:
    return rx.cond(
        LowStockState.rows.length() > 0,
        card(
            rx.text(
                "These products are about to sell out. Count the shelf and save the units on "
                "hand: a product leaves this list once enough of it is available again.",
                size="2",
                color_scheme="gray",
            ),
            table(COLUMNS, LowStockState.rows, _row, label="Low stock"),
            title="Low stock",
            icon="triangle-alert",
            data_testid="low-stock",
        ),
    )
