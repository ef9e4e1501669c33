"""Web push: the key browsers subscribe with, and the signed-in person's browsers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import ActorDep, EngineDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import RequestBody, Text, Time
from oms_dashboard.services import push_subscriptions

router = APIRouter(tags=["notifications"])


class PublicKeyOut(BaseModel):
    public_key: str = Field(
        description="The VAPID application server key: pass it (decoded from base64url) "
        "as `applicationServerKey` to `pushManager.subscribe`."
    )


class PushKeysIn(RequestBody):
    p256dh: Annotated[Text, Field(max_length=200, description="base64url, 65 bytes")]
    auth: Annotated[Text, Field(max_length=100, description="base64url, 16 bytes")]


class PushSubscriptionIn(RequestBody):
    """A browser's ``PushSubscription.toJSON()``, as it comes."""

    endpoint: Annotated[Text, Field(max_length=1000)]
    keys: PushKeysIn
    expiration_time: float | None = Field(
        default=None, alias="expirationTime", description="Sent by browsers; not used."
    )


class PushEndpointIn(RequestBody):
    endpoint: Annotated[Text, Field(max_length=1000)]


class PushSubscriptionOut(BaseModel):
    id: str
    endpoint: str
    created_at: Time


@router.get("/api/v1/push/public-key", response_model=PublicKeyOut)
def get_public_key() -> PublicKeyOut:
    """Public by nature: a browser needs it before it can subscribe."""
    return PublicKeyOut(public_key=push_subscriptions.application_server_key())


@router.post(
    "/api/v1/push/subscriptions",
    status_code=201,
    response_model=PushSubscriptionOut,
    responses=responses(401, 403, 409, 422),
)
def post_subscription(
    body: PushSubscriptionIn, engine: EngineDep, actor: ActorDep
) -> PushSubscriptionOut:
    """Push delivery updates to this browser for the signed-in person. The endpoint must
    be https:// (http:// for localhost outside production) and the keys base64url;
    422 names each bad field. Saving the same endpoint again refreshes its keys."""
    row = push_subscriptions.save_subscription(
        engine,
        actor=actor,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
    )
    return PushSubscriptionOut.model_validate(row, from_attributes=True)


@router.delete(
    "/api/v1/push/subscriptions", status_code=204, responses=responses(401, 403, 404, 422)
)
def delete_subscription(body: PushEndpointIn, engine: EngineDep, actor: ActorDep) -> Response:
    """Stop pushing to one of your browsers; 404 for an endpoint that is not yours."""
    push_subscriptions.remove_subscription(engine, actor=actor, endpoint=body.endpoint)
    return Response(status_code=204)
