"""What every USPS API of the sandbox shares: its signed tokens, USPS's v3
``ErrorMessage``, and the mail classes it offers.

Tokens are JWT-shaped and signed, so every process accepts the others' tokens; the key
is no secret, it only proves the caller went through the token step. An access token
(OAuth) and a payment authorization token (Payments 3.0) are told apart by ``typ``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import time
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from oms_dashboard.domain.tracking import CarrierName

CARRIER = CarrierName.USPS.value
TOKEN_LIFETIME_S = 28799  # USPS's own: eight hours less a second
GRAMS_PER_POUND = 453.59237
_SIGNING_KEY = b"oms-sandbox-usps"
_JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}

MAIL_CLASSES = {
    "USPS_GROUND_ADVANTAGE": ("USPS Ground Advantage", "<SUP>&#153;</SUP>", "DUXP"),
    "PRIORITY_MAIL": ("Priority Mail", "<SUP>&reg;</SUP>", "DPXX"),
    "PRIORITY_MAIL_EXPRESS": ("Priority Mail Express", "<SUP>&reg;</SUP>", "DEXX"),
}
"""Mail class -> (product name, USPS's trademark markup, SKU prefix)."""


def sign(claims: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{_JWT_HEADER}.{payload}.{_signature(f'{_JWT_HEADER}.{payload}')}"


def new_token(subject: str, *, kind: str) -> tuple[str, int]:
    """(token, issued at) for ``kind`` "access" or "payment"."""
    now = int(time.time())
    claims = {"sub": subject, "typ": kind, "iat": now, "exp": now + TOKEN_LIFETIME_S}
    return sign(claims), now


def token_valid(token: str, *, kind: str = "access") -> bool:
    """A ``kind`` token this sandbox signed, not yet expired."""
    signed, _, signature = token.strip().rpartition(".")
    if not signed.startswith(f"{_JWT_HEADER}."):
        return False
    if not hmac.compare_digest(_signature(signed).encode(), signature.encode()):
        return False
    payload = signed.split(".", 1)[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims.get("typ", "access") == kind and float(claims["exp"]) > time.time()


def bearer_valid(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_valid(token)


def _signature(signed: str) -> str:
    digest = hmac.new(_SIGNING_KEY, signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def api_error(api: str, status: int, message: str, errors: list[dict[str, Any]]) -> JSONResponse:
    """USPS's v3 ``ErrorMessage``."""
    body = {"apiVersion": api, "error": {"code": str(status), "message": message, "errors": errors}}
    return JSONResponse(body, status_code=status)


def unauthorized(api: str) -> JSONResponse:
    detail = "The access token presented with the request is missing or malformed (not a JWT)."
    return api_error(
        api, 401, "Missing or malformed access token.",
        [{"title": "invalid_token", "detail": detail, "source": "Access Token"}],
    )  # fmt: skip


def grams_from_pounds(pounds: float) -> int:
    """The lightest parcel the adapter would have sent as ``pounds``: it rounds weights up
    to the hundredth of a pound, so a 1,000 g parcel arrives as 2.21 lb and must still be
    priced as one kilogram."""
    return max(1, math.floor((pounds - 0.01) * GRAMS_PER_POUND) + 1)


def sku(mail_class: str, pounds: float, zone: str) -> str:
    """A pricing SKU in USPS's pattern (``DPXX0XXXXC01005``): class, zone, weight."""
    prefix = MAIL_CLASSES.get(mail_class, (mail_class, "", "DXXX"))[2]
    return f"{prefix}0XXXXC{zone}{min(math.ceil(pounds), 99) * 10:03d}"
