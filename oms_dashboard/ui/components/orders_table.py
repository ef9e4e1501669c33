"""Orders as rows: number (a link to the order), placed, status, who, total."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.status_badge import status_badge
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.components.time import when


def orders_table(
    rows: rx.Var[list], *, show_seller: bool, show_customer: bool, label: str
) -> rx.Component:
    columns = [Column("Order"), Column("Placed"), Column("Status")]
    if show_seller:
        columns.append(Column("Seller"))
    if show_customer:
        columns.append(Column("Customer"))
    columns.append(Column("Total", align="right"))

    def cells(row: rx.Var) -> list[rx.Component]:
        out = [
            rx.link(
                row.number,
                href=row.href,
                weight="medium",
                font_family="var(--code-font-family)",
                white_space="nowrap",
                data_testid="order-link",
            ),
            when(row.placed_relative, row.placed_exact, size="2"),
            status_badge(row.status),
        ]
        if show_seller:
            out.append(rx.text(row.seller, size="2"))
        if show_customer:
            out.append(rx.text(row.customer, size="2", color_scheme="gray"))
        out.append(rx.text(row.total, size="2", weight="medium", white_space="nowrap"))
        return out

    return table(columns, rows, cells, label=label)
