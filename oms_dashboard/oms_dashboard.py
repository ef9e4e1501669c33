"""The Reflex app: the pages of every role, and the HTTP API mounted beside them."""

import reflex as rx

from oms_dashboard.api import create_app
from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.ui.routes import register_pages

wiring = bootstrap("reflex")
app = rx.App(
    api_transformer=create_app(wiring),
    head_components=[rx.el.link(rel="icon", type="image/svg+xml", href="/favicon.svg")],
)
register_pages(app)
