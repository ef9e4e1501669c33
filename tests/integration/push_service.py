"""A web push service on 127.0.0.1 for the tests, and the browsers subscribed to it.

``Browser`` does what a browser does when it subscribes: it makes a P-256 key
pair and a 16-byte auth secret and gives out their public parts with an
endpoint. ``PushService`` (Starlette under uvicorn, in a thread) receives what
pywebpush posts and checks it as a real push service and browser would: the
VAPID JWT (``Authorization: vapid t=..., k=...``) must be signed by the
application server key the browser subscribed with, for this origin, not
expired; the body must decrypt (RFC 8291 ``aes128gcm``, with ``http_ece``) with
the browser's private key and auth secret. What passes is recorded, decrypted;
what fails is refused (403/400) and recorded in ``refused``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
import httpx
import uvicorn
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.integration.conftest import free_port


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """One browser profile's subscription: its keys, as ``pushManager.subscribe`` makes them."""

    def __init__(self, service: PushService, name: str) -> None:
        self.name = name
        self.endpoint = f"{service.url}/push/{name}"
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        service.browsers[name] = self

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def to_json(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives the page."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )


@dataclass
class Push:
    browser: str
    payload: dict[str, Any]
    claims: dict[str, Any]
    ttl: int


@dataclass
class PushService:
    application_server_key: str
    """The VAPID public key (base64url) every push must be signed with."""
    port: int = field(default_factory=free_port)
    browsers: dict[str, Browser] = field(default_factory=dict)
    received: list[Push] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    """Status to answer for a browser instead of 201 (410: it unsubscribed)."""
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def payloads(self, browser: str | None = None) -> list[dict[str, Any]]:
        return [p.payload for p in self.received if browser in (None, p.browser)]

    async def _receive(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = await request.body()
        if self.delay:
            await asyncio.sleep(self.delay)
        if name in self.answers:
            return Response(status_code=self.answers[name])
        browser = self.browsers.get(name)
        if browser is None:
            return self._refuse(404, f"{name}: no such subscription")
        try:
            claims = self._check_vapid(request.headers.get("authorization", ""))
        except (ValueError, InvalidSignature) as exc:
            return self._refuse(403, f"{name}: VAPID {exc!r}")
        if request.headers.get("content-encoding") != "aes128gcm":
            return self._refuse(400, f"{name}: content-encoding {request.headers}")
        try:
            ttl = int(request.headers["ttl"])
            payload = json.loads(browser.decrypt(body))
        except Exception as exc:  # noqa: BLE001 - any failure is the sender's
            return self._refuse(400, f"{name}: cannot decrypt ({exc!r})")
        self.received.append(Push(name, payload, claims, ttl))
        return Response(status_code=201, headers={"Location": f"{self.url}/message/{name}"})

    def _refuse(self, status: int, why: str) -> Response:
        self.refused.append(why)
        return Response(why, status_code=status)

    def _check_vapid(self, header: str) -> dict[str, Any]:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"scheme {scheme!r}, not vapid")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        if parts.get("k") != self.application_server_key:
            raise ValueError("signed with another key than the one the browser subscribed with")
        signed, _, signature = parts["t"].rpartition(".")
        raw = unb64url(signature)
        if len(raw) != 64:
            raise ValueError("ES256 signature is not 64 bytes")
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
        header_b64, _, claims_b64 = signed.partition(".")
        if json.loads(unb64url(header_b64)).get("alg") != "ES256":
            raise ValueError("alg is not ES256")
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.url}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            raise ValueError(f"exp {claims.get('exp')} is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise ValueError(f"sub {claims.get('sub')!r}")
        return claims

    def __enter__(self) -> PushService:
        app = Starlette(routes=[Route("/push/{name}", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url, timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the push service did not start")

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
