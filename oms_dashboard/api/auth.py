"""Signing in: a bearer token for the API, and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request

from oms_dashboard.api.deps import EngineDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import HealthOut, TokenOut, TokenRequest
from oms_dashboard.services.actor import Role
from oms_dashboard.services.auth import sign_in
from oms_dashboard.settings import get_settings

router = APIRouter(tags=["identity"])


@router.post("/api/v1/auth/token", response_model=TokenOut, responses=responses(401, 422))
def create_token(body: TokenRequest, engine: EngineDep) -> TokenOut:
    """Exchange an email and password for a bearer token."""
    token, user = sign_in(engine, email=body.email, password=body.password, channel="api")
    return TokenOut(
        access_token=token,
        user_id=user.id,
        role=Role(user.role),
        expires_in=get_settings().session_hours * 3600,
    )


@router.get("/api/v1/health", response_model=HealthOut, tags=["system"])
def health(session: SessionDep, request: Request) -> HealthOut:
    """200 once the database answers; 503 problem when it does not. Says how this
    process is wired (its entry point and the outbox kinds it can deliver)."""
    session.connection().execute(sa.text("SELECT 1"))
    return HealthOut(wiring=request.app.state.wiring.describe())
