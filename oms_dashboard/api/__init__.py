"""The HTTP API: ``uvicorn oms_dashboard.api:app`` serves it alone, and
``rx.App(api_transformer=app)`` serves it inside the Reflex app."""

# Importing the job functions installs the after-commit hook that enqueues the
# delivery of new outbox messages at once (see jobs.tasks.install_commit_hook).
import oms_dashboard.jobs.tasks  # noqa: F401
from oms_dashboard.api.app import create_app

app = create_app()

__all__ = ["app", "create_app"]
