"""The HTTP API: ``uvicorn oms_dashboard.api:app`` serves it alone, and the Reflex
app mounts an API of its own wiring (``oms_dashboard.oms_dashboard``).

``app`` is built on first access, by the server that asked for it, so importing
this package wires nothing.
"""

from __future__ import annotations

from typing import Any

from oms_dashboard.api.factory import create_app

__all__ = ["app", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from oms_dashboard.bootstrap import bootstrap

        built = create_app(bootstrap("api"))
        globals()["app"] = built
        return built
    raise AttributeError(name)
