"""/admin/kpis: the spec's KPIs with targets, trends and definitions, per seller, and charts."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.kpi_dashboard import kpi_dashboard
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.kpis import AdminKpiState

ROUTE = "/admin/kpis"
TITLE = "KPIs · OMS Dashboard"
ON_LOAD = AdminKpiState.load


def page() -> rx.Component:
    return shell(
        lambda: kpi_dashboard(
            AdminKpiState,
            "How the mall is doing against the product's targets, for the orders placed "
            "in a period. Every filter applies to every number and chart on the page.",
        ),
        AdminKpiState.access,
    )
