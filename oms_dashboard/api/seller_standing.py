"""A seller's standing and statements; an admin's suspension and reinstatement.

Sellers see their own, admins every seller's; anyone else (or another seller) 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Text
from oms_dashboard.api.standing_schemas import (
    CommissionUpdate,
    StandingOut,
    StatementOut,
    SuspensionRequest,
    standing_out,
    statement_out,
)
from oms_dashboard.services import seller_standing, settlement
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["sellers"])

SellerId = Annotated[Text, Path(max_length=64)]
From = Annotated[str | None, Query(alias="from", max_length=10, description="ISO date")]
To = Annotated[str | None, Query(alias="to", max_length=10, description="ISO date, included")]


@router.get(
    "/api/v1/sellers/{seller_id}/standing",
    response_model=StandingOut,
    responses=responses(401, 403, 404),
)
def get_standing(seller_id: SellerId, session: SessionDep, actor: ActorDep) -> StandingOut:
    """The seller's measures over the policy's rolling window, the standing they give
    (good, warning, suspend = suspension recommended), the rule that decided and each
    measure's numbers and thresholds; and whether an admin has suspended it."""
    found = seller_standing.seller_standing(session, actor=actor, seller_id=seller_id)
    return standing_out(found)


@router.post(
    "/api/v1/sellers/{seller_id}/suspend",
    response_model=StandingOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_suspend(
    seller_id: SellerId,
    body: SuspensionRequest,
    engine: EngineDep,
    session: SessionDep,
    actor: Actor = require_role(Role.ADMIN),
) -> StandingOut:
    """Suspend the seller from new orders: `reason` (the seller reads it) and
    `confirm: true` are required. Audited; the seller is told in-app and by email.
    409 `already-suspended`."""
    seller_standing.suspend_seller(
        engine, actor=actor, seller_id=seller_id, reason=body.reason, confirm=body.confirm
    )
    return standing_out(seller_standing.seller_standing(session, actor=actor, seller_id=seller_id))


@router.post(
    "/api/v1/sellers/{seller_id}/reinstate",
    response_model=StandingOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_reinstate(
    seller_id: SellerId,
    body: SuspensionRequest,
    engine: EngineDep,
    session: SessionDep,
    actor: Actor = require_role(Role.ADMIN),
) -> StandingOut:
    """Lift the suspension, the same way (reason, `confirm: true`, audited, told).
    409 `not-suspended`."""
    seller_standing.reinstate_seller(
        engine, actor=actor, seller_id=seller_id, reason=body.reason, confirm=body.confirm
    )
    return standing_out(seller_standing.seller_standing(session, actor=actor, seller_id=seller_id))


@router.put(
    "/api/v1/sellers/{seller_id}/commission",
    responses=responses(401, 403, 404, 422),
)
def put_commission(
    seller_id: SellerId,
    body: CommissionUpdate,
    engine: EngineDep,
    actor: Actor = require_role(Role.ADMIN),
) -> dict[str, int | str | None]:
    """The seller's own commission in basis points; null: the policy's. Audited."""
    seller = settlement.set_commission(
        engine, actor=actor, seller_id=seller_id, commission_bps=body.commission_bps
    )
    return {"seller_id": seller.id, "commission_bps": seller.commission_bps}


@router.get(
    "/api/v1/sellers/{seller_id}/statement",
    response_model=StatementOut,
    responses=responses(401, 403, 404, 422),
)
def get_statement(
    seller_id: SellerId, session: SessionDep, actor: ActorDep, start: From = None, end: To = None
) -> StatementOut:
    """Orders delivered in the period, commission (per order, rounded half-up), refunds
    paid in the period and the amount due, per currency. `from`/`to` are ISO dates
    (both included); default: the current month so far."""
    period = settlement.parse_period(start, end)
    found = settlement.seller_statement(session, actor=actor, seller_id=seller_id, period=period)
    return statement_out(found)


@router.get(
    "/api/v1/sellers/{seller_id}/statement.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The statement as CSV"},
        **responses(401, 403, 404, 422),
    },
)
def get_statement_csv(
    seller_id: SellerId, session: SessionDep, actor: ActorDep, start: From = None, end: To = None
) -> Response:
    """The same statement, one row per order and per refund, then the totals."""
    period = settlement.parse_period(start, end)
    found = settlement.seller_statement(session, actor=actor, seller_id=seller_id, period=period)
    return Response(
        settlement.statement_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{settlement.csv_filename(found)}"'},
    )
