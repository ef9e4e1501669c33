"""The FastAPI app: routers, problem handlers, request ids, the OpenAPI document.

Every route carries its full ``/api/v1/...`` path: Reflex mounts its own server
inside this app (``rx.App(api_transformer=app)``), so there is no prefix to
lean on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

from oms_dashboard.api import (
    address_change,
    addresses,
    audit,
    auth,
    carrier_sandbox,
    checkouts,
    inventory,
    invoices,
    kpis,
    operations,
    order_messages,
    orders,
    policies,
    product_reviews,
    products,
    push,
    returns,
    review,
    sandbox,
    seller_standing,
    sellers,
    service_desk,
    shipping,
    tickets,
    users,
)
from oms_dashboard.api.middleware import RequestContextMiddleware
from oms_dashboard.api.problems import HANDLERS, Problem, ValidationProblem
from oms_dashboard.api.token_reader import TokenReader, serving
from oms_dashboard.carriers.sandbox import dhl as dhl_sandbox
from oms_dashboard.carriers.sandbox import fedex as fedex_sandbox
from oms_dashboard.carriers.sandbox import ups as ups_sandbox
from oms_dashboard.carriers.sandbox import usps as usps_sandbox
from oms_dashboard.settings import get_settings

if TYPE_CHECKING:
    from oms_dashboard.bootstrap import Wiring

API_PREFIX = "/api/v1"
ROUTERS = (
    # A request is matched against the routers in this order, every route of each in
    # turn, so the busiest paths come first: checkout and the order lists.
    checkouts,
    orders,
    auth,
    users,
    sellers,
    products,
    inventory,
    policies,
    review,
    addresses,
    shipping,
    returns,
    push,
    invoices,
    order_messages,
    product_reviews,
    service_desk,
    tickets,
    seller_standing,
    operations,
    audit,
    kpis,
    address_change,
)
SANDBOX_ROUTERS = [
    sandbox.router,
    carrier_sandbox.router,
    dhl_sandbox.router,
    fedex_sandbox.router,
    ups_sandbox.router,
    usps_sandbox.router,
]
"""The payment provider's and the carriers' sandboxes (outside production only)."""
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(wiring: Wiring, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """The API on ``wiring``'s engine and payment provider, plus ``routers`` if given.

    The sandboxes' routes are there outside production only; in production any
    ``/sandbox/...`` path answers 404.
    """
    app = FastAPI(
        title="OMS Dashboard API",
        version="1",
        description=(
            "Orders, catalog and stock of the OMS. Authenticate with "
            "`Authorization: Bearer <token>` from `POST /api/v1/auth/token`. Money is a "
            'decimal string ("12.50"); times are ISO 8601 UTC; errors are RFC 9457 '
            "problem documents."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lambda app: serving(app.state.token_reader),
    )
    app.state.token_reader = TokenReader(wiring.engine)
    app.state.wiring = wiring
    app.state.payment_provider = wiring.payment_provider
    sandboxes = SANDBOX_ROUTERS if get_settings().sandboxes_enabled else [sandbox.gone]
    _assemble(app, wiring.engine, [m.router for m in ROUTERS] + sandboxes + list(routers))
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def create_sandbox_app(engine: Engine) -> FastAPI:
    """The sandboxes alone, answering in this process (``inprocess.InProcessTransport``)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    _assemble(app, engine, SANDBOX_ROUTERS)
    return app


def _assemble(app: FastAPI, engine: Engine, routers: list[APIRouter]) -> None:
    app.state.engine = engine
    for router in routers:
        app.include_router(router)
    app.router.routes.append(ApiFallback())
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    app.add_middleware(RequestContextMiddleware)


class ApiFallback(BaseRoute):
    """Answers /api paths no route serves with a 404 or 405 problem.

    Inside Reflex this app's last route is Reflex's own server mounted at "",
    which would answer them with a page; this route sits before it. It steps
    aside whenever another route serves the request, so routes added later
    (another router, a test's) are not shadowed.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not scope["path"].startswith(("/api/", "/sandbox/")):
            return Match.NONE, {}
        if any(route.matches(scope)[0] is Match.FULL for route in self._others(scope)):
            return Match.NONE, {}
        return Match.FULL, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = [
            method
            for method in _ALL_METHODS
            if any(
                route.matches({**scope, "method": method})[0] is Match.FULL
                for route in self._others(scope)
            )
        ]
        if allowed:
            use = ", ".join(allowed)
            detail = f"{scope['method']} is not allowed here; use {use}"
            raise HTTPException(405, detail, headers={"Allow": use})
        raise HTTPException(404, f"no endpoint {scope['path']}")

    def _others(self, scope: Scope) -> list[BaseRoute]:
        return [
            route
            for route in scope["app"].router.routes
            if route is not self and not (isinstance(route, Mount) and route.path == "")
        ]


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document, plus the problem schemas the error answers refer to."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    _, defs = models_json_schema(
        [(Problem, "serialization"), (ValidationProblem, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schema.setdefault("components", {}).setdefault("schemas", {}).update(defs["$defs"])
    app.openapi_schema = schema
    return schema
