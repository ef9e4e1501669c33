"""The one table: labelled columns, numbers right-aligned, rows from a list var."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import reflex as rx

VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


@dataclass(frozen=True)
class Column:
    label: str
    align: Literal["left", "right", "center"] = "left"
    width: str | None = None
    header: rx.Component | None = None
    """Drawn in the header cell instead of ``label`` (a "select all" box)."""


def table(
    columns: list[Column],
    rows: rx.Var[list],
    render_row: Callable[[rx.Var], list[rx.Component]],
    *,
    label: str,
    **props,
) -> rx.Component:
    """``render_row`` returns one cell content per column, in order."""

    def row(item: rx.Var) -> rx.Component:
        cells = render_row(item)
        return rx.table.row(
            *[
                rx.table.cell(content, text_align=col.align, vertical_align="middle")
                for col, content in zip(columns, cells, strict=True)
            ],
            data_testid="table-row",
        )

    return rx.box(
        rx.table.root(
            # The caption names the table for screen readers (and for tests).
            rx.el.caption(label, style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(
                            col.label if col.header is None else col.header,
                            text_align=col.align,
                            width=col.width,
                            white_space="nowrap",
                            position="sticky",
                            top="0",
                            background=rx.color("gray", 2),
                            z_index="1",
                        )
                        for col in columns
                    ]
                )
            ),
            rx.table.body(rx.foreach(rows, row)),
            variant="ghost",
            size="2",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
        **props,
    )
