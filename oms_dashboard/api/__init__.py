"""The HTTP API: ``uvicorn oms_dashboard.api:app`` serves it alone, and
``rx.App(api_transformer=app)`` serves it inside the Reflex app."""

from oms_dashboard.api.app import create_app

app = create_app()

__all__ = ["app", "create_app"]
