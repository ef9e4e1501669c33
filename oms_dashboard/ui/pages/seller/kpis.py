"""/seller/kpis: the admins' KPI view, limited to the seller's own orders."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.components.kpi_dashboard import kpi_dashboard
from oms_dashboard.ui.layout import shell
from oms_dashboard.ui.states.kpis import SellerKpiState

ROUTE = "/seller/kpis"
TITLE = "KPIs · OMS Dashboard"
ON_LOAD = SellerKpiState.load


def page() -> rx.Component:
    return shell(
        lambda: kpi_dashboard(
            SellerKpiState,
            "Your shop against the mall's targets, for your orders placed in a period: "
            "the same definitions the admins read.",
        ),
        SellerKpiState.access,
    )
