"""Every page of the app, in one list: the module knows its route, title and on_load."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.pages import index, login, my_tickets, order_detail
from oms_dashboard.ui.pages.admin import audit as admin_audit
from oms_dashboard.ui.pages.admin import carriers as admin_carriers
from oms_dashboard.ui.pages.admin import disputes as admin_disputes
from oms_dashboard.ui.pages.admin import health as admin_health
from oms_dashboard.ui.pages.admin import kpis as admin_kpis
from oms_dashboard.ui.pages.admin import orders as admin_orders
from oms_dashboard.ui.pages.admin import outbox as admin_outbox
from oms_dashboard.ui.pages.admin import overview as admin_overview
from oms_dashboard.ui.pages.admin import policies as admin_policies
from oms_dashboard.ui.pages.admin import refunds as admin_refunds
from oms_dashboard.ui.pages.admin import review as admin_review
from oms_dashboard.ui.pages.admin import sellers as admin_sellers
from oms_dashboard.ui.pages.customer import orders as customer_orders
from oms_dashboard.ui.pages.seller import fulfillment as seller_fulfillment
from oms_dashboard.ui.pages.seller import kpis as seller_kpis
from oms_dashboard.ui.pages.seller import orders as seller_orders
from oms_dashboard.ui.pages.seller import standing as seller_standing
from oms_dashboard.ui.pages.support import orders as support_orders
from oms_dashboard.ui.pages.support import shipments as support_shipments
from oms_dashboard.ui.pages.support import ticket as support_ticket
from oms_dashboard.ui.pages.support import tickets as support_tickets

PAGES = [
    index,
    login,
    customer_orders,
    seller_orders,
    seller_fulfillment,
    seller_standing,
    support_orders,
    support_shipments,
    support_tickets,
    support_ticket,
    admin_overview,
    admin_orders,
    admin_review,
    admin_disputes,
    admin_refunds,
    admin_outbox,
    admin_carriers,
    admin_sellers,
    admin_policies,
    admin_health,
    admin_audit,
    admin_kpis,
    seller_kpis,
    order_detail,
    my_tickets,
]


def register_pages(app: rx.App) -> None:
    for module in PAGES:
        # ALSO_AT: older addresses that links already handed out (emails) still open.
        for route in (module.ROUTE, *getattr(module, "ALSO_AT", ())):
            app.add_page(module.page, route=route, title=module.TITLE, on_load=module.ON_LOAD)
