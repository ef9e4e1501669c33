"""The KPI view both /admin/kpis and /seller/kpis draw: filters, KPI cards with their
definitions, the per-seller table (admins), and the charts."""

from __future__ import annotations

import reflex as rx
from plotly.graph_objects import Figure

from oms_dashboard.ui.components.card import card
from oms_dashboard.ui.components.empty_state import empty_state
from oms_dashboard.ui.components.notice import notice
from oms_dashboard.ui.components.page_header import page_header
from oms_dashboard.ui.components.stat_card import stat_card
from oms_dashboard.ui.components.table import Column, table
from oms_dashboard.ui.states.kpis import CARRIERS, PRESETS, KpiCard, KpiView, SellerRow

CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}
VERDICTS = {
    "met": ("Target met", "green", "circle-check"),
    "missed": ("Target missed", "red", "circle-alert"),
    "none": ("Nothing to count", "gray", "circle-dashed"),
}


def _select(label: str, value, on_change, items, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label=label, min_width="150px", data_testid=test_id),
            rx.select.content(items),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
    )


def _items(pairs: list[tuple[str, str]]) -> list[rx.Component]:
    return [rx.select.item(text, value=value) for value, text in pairs]


def _date(label: str, value, on_change, test_id: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            label, html_for=test_id, style={"font_size": "12px", "color": rx.color("gray", 11)}
        ),
        rx.input(
            type="date",
            value=value,
            on_change=on_change.debounce(400),
            id=test_id,
            data_testid=test_id,
            size="2",
        ),
        spacing="1",
    )


def _filters(S: type[KpiView]) -> rx.Component:
    parts = [
        _date("From", S.start, S.set_start, "kpi-from"),
        _date("To (included)", S.end, S.set_end, "kpi-to"),
        rx.vstack(
            rx.text("Period", size="1", color_scheme="gray"),
            rx.hstack(
                *[
                    rx.button(
                        text,
                        on_click=S.set_preset(days),
                        variant="soft",
                        size="2",
                        color_scheme="gray",
                        data_testid=f"kpi-preset-{days}",
                    )
                    for days, text in PRESETS
                ],  # fmt: skip
                spacing="1",
            ),
            spacing="1",
        ),
    ]
    if S.is_admin:
        parts.append(
            _select(
                "Seller",
                S.seller_filter,
                S.set_seller_filter,
                rx.foreach(S.seller_options, lambda o: rx.select.item(o[1], value=o[0])),
                "kpi-seller",
            )
        )
    parts += [
        _select("Carrier", S.carrier_filter, S.set_carrier_filter, _items(CARRIERS), "kpi-carrier"),
        rx.vstack(
            rx.el.label(
                "Country (ship to)",
                html_for="kpi-country",
                style={"font_size": "12px", "color": rx.color("gray", 11)},
            ),
            rx.input(
                placeholder="Any, e.g. US",
                default_value=S.country_filter,
                on_blur=S.set_country_filter,
                max_length=2,
                width="110px",
                id="kpi-country",
                data_testid="kpi-country",
                size="2",
            ),
            spacing="1",
        ),  # fmt: skip
    ]
    return card(
        rx.flex(*parts, gap="4", wrap="wrap", align="end"),
        rx.cond(S.error, notice(S.error, icon="circle-alert", color_scheme="red")),
        rx.text(S.period_label, size="2", color_scheme="gray", data_testid="kpi-period"),
        title="Filters",
        icon="sliders-horizontal",
    )


def _kpi_card(item: rx.Var[KpiCard]) -> rx.Component:
    def verdict(key: str) -> rx.Component:
        text, color, icon = VERDICTS[key]
        return rx.badge(rx.icon(icon, size=12, aria_hidden="true"), text, color_scheme=color,
                        variant="soft", size="1")  # fmt: skip

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item.title, size="2", weight="medium", color_scheme="gray"),
                rx.spacer(),
                rx.match(item.verdict, *[(k, verdict(k)) for k in VERDICTS], verdict("none")),
                width="100%",
                align="center",
            ),
            rx.hstack(
                rx.text(
                    item.value, size="7", weight="bold", line_height="1", data_testid="kpi-value"
                ),
                rx.text(item.target, size="2", color_scheme="gray"),
                align="baseline",
                spacing="3",
            ),  # fmt: skip
            rx.text(item.trend, size="1", color_scheme=item.trend_color, data_testid="kpi-trend"),
            rx.text(item.definition, size="1", color_scheme="gray"),
            rx.text(item.counted, size="1", color_scheme="gray", weight="light"),
            spacing="2",
            align="start",
        ),
        data_testid=f"kpi-{item.key}",
        width="100%",
    )


def _headline(S: type[KpiView]) -> rx.Component:
    return rx.grid(
        stat_card(
            label="Paid orders placed",
            value=S.orders_text,
            color="blue",
            icon="shopping-cart",
            hint=S.orders_trend,
        ),
        card(
            rx.hstack(
                rx.foreach(
                    S.revenue_lines,
                    lambda line: rx.vstack(
                        rx.text(line[0], size="1", color_scheme="gray", weight="medium"),
                        rx.text(line[1], size="5", weight="bold", white_space="nowrap"),
                        spacing="0",
                    ),
                ),
                spacing="6",
                wrap="wrap",
            ),
            rx.text(
                "Totals of the paid orders less refunds paid on them, each currency apart: "
                "the mall sells in USD, CAD, GBP and EUR and never converts.",
                size="1",
                color_scheme="gray",
            ),
            title="Net revenue",
            icon="banknote",
            data_testid="kpi-revenue",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="4",
        width="100%",
    )


SELLER_COLUMNS = [
    Column("Seller"),
    Column("Paid orders", "right"),
    Column("Fulfillment", "right"),
    Column("Processing", "right"),
    Column("On time", "right"),
    Column("Satisfaction", "right"),
    Column("Accuracy", "right"),
    Column("Refund time", "right"),
    Column("Shipped late", "right"),
]


def _seller_cells(row: rx.Var[SellerRow]) -> list[rx.Component]:
    return [
        rx.text(row.seller, weight="medium"),
        row.orders,
        row.fulfillment_rate,
        row.avg_processing_hours,
        row.on_time_delivery_rate,
        row.satisfaction,
        row.accuracy_rate,
        row.avg_refund_hours,
        row.late,
    ]


def _chart(
    title: str, figure, caption: str, test_id: str, actions=None, shown=True, empty: str = ""
) -> rx.Component:
    drawn = rx.box(
            rx.plotly.basic(
                data=figure.to(Figure),
                config=CHART_CONFIG,
                width="100%",
                height="300px",
                use_resize_handler=True,
            ),
            width="100%",
            height="300px",
        )  # fmt: skip
    if shown is not True:
        drawn = rx.cond(
            shown, drawn, empty_state("Nothing to chart", empty, icon="chart-no-axes-column")
        )
    return card(
        drawn,
        rx.text(caption, size="1", color_scheme="gray"),
        title=title,
        actions=actions,
        data_testid=test_id,
    )


def _charts(S: type[KpiView]) -> rx.Component:
    currency = rx.select.root(
        rx.select.trigger(aria_label="Revenue currency", data_testid="kpi-currency"),
        rx.select.content(rx.foreach(S.currencies, lambda c: rx.select.item(c, value=c))),
        value=S.currency,
        on_change=S.set_currency,
        size="1",
    )
    charts = [
        _chart("Paid orders per day", S.fig_orders,
               "Orders placed each day whose payment was verified.", "chart-orders"),
        _chart("Net revenue per day", S.fig_revenue,
               "One currency at a time (pick it above): orders in other currencies are not "
               "converted. Totals of paid orders less refunds paid on them.", "chart-revenue",
               actions=currency),
        _chart("Status funnel", S.fig_funnel,
               "How far the orders placed in the period have got (each step includes the next).",
               "chart-funnel"),
        _chart("Carrier performance", S.fig_carriers,
               "Outbound shipments: hours from shipped to delivered (delivered ones), and the "
               "share that ever had a delivery exception.", "chart-carriers",
               shown=S.has_carriers, empty="No shipment of these orders has a label yet."),
        _chart("Refunds and their reasons", S.fig_refunds,
               "Refunds of these orders by the return's reason, else the rule that decided.",
               "chart-refunds", shown=S.has_refunds,
               empty="No refund was asked for on the orders placed in this period."),
        _chart("Tickets by priority and SLA", S.fig_tickets,
               "Tickets about these orders; breached: not answered, then not resolved, by the "
               "due time on the ticket. Tickets about no order are left out.", "chart-tickets",
               shown=S.has_tickets,
               empty="No support ticket is about the orders placed in this period."),
    ]  # fmt: skip
    if S.is_admin:
        charts.insert(
            2,
            _chart("Late shipments per seller", S.fig_late,
                   "Shipped orders, split by whether they left by their ship-by time: the end "
                   "of the seller's last business day of handling.", "chart-late",
                   shown=S.has_shipped, empty="None of these orders has shipped yet."),
        )  # fmt: skip
    else:
        charts.insert(
            2,
            _chart("Late shipments", S.fig_late,
                   "Your shipped orders, split by whether they left by their ship-by time: the "
                   "end of your last business day of handling.", "chart-late",
                   shown=S.has_shipped, empty="None of these orders has shipped yet."),
        )  # fmt: skip
    return rx.grid(*charts, columns=rx.breakpoints(initial="1", lg="2"), spacing="4", width="100%")


def kpi_dashboard(S: type[KpiView], description: str) -> rx.Component:
    parts = [
        page_header("KPIs", description),
        _filters(S),
        _headline(S),
        rx.grid(
            rx.foreach(S.cards, _kpi_card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
            data_testid="kpi-cards",
        ),
    ]
    if S.is_admin:
        parts.append(
            card(
                table(SELLER_COLUMNS, S.sellers, _seller_cells, label="KPIs per seller"),
                rx.text(
                    "Each seller's KPIs with the same definitions and filters.",
                    size="1",
                    color_scheme="gray",
                ),
                title="Per seller",
                icon="store",
                data_testid="kpi-sellers",
            )  # fmt: skip
        )
    parts.append(_charts(S))
    return rx.vstack(*parts, spacing="5", width="100%")
