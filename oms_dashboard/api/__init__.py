"""The HTTP API: ``uvicorn oms_dashboard.api:app`` serves it alone, and
``rx.App(api_transformer=app)`` serves it inside the Reflex app."""

from oms_dashboard.api.app import create_app
from oms_dashboard.jobs.tasks import install_commit_hook

app = create_app()
install_commit_hook()

__all__ = ["app", "create_app"]
