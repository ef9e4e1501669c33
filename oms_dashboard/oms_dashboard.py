"""The Reflex app: the pages of every role, and the HTTP API mounted beside them."""

import reflex as rx

from oms_dashboard.api import create_app
from oms_dashboard.api.token_reader import serving
from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.ui.routes import register_pages

wiring = bootstrap("reflex")
api = create_app(wiring)
app = rx.App(
    api_transformer=api,
    head_components=[rx.el.link(rel="icon", type="image/svg+xml", href="/favicon.svg")],
    # Sonner's "rich colours" (green on pale green) miss the 4.5:1 text contrast;
    # plain toasts keep the coloured success/error icon and readable text.
    toaster=rx.toast.provider(rich_colors=False),
)
# Inside Reflex the API's own lifespan does not run (Reflex mounts it): its token
# lookups get their connection from Reflex's lifespan instead.
app.register_lifespan_task(serving, reader=api.state.token_reader)
register_pages(app)
