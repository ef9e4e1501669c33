"""The VAPID key pair that signs every web push (RFC 8292): one P-256 key per deployment.

Browsers subscribe with its public half (the "application server key"); a push
service accepts a push for that subscription only when it is signed by the
private half. Changing the key therefore orphans every existing subscription.

Only ``cryptography`` here: settings read and check the key at start.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class BadVapidKey(ValueError):
    """The configured key is neither a P-256 PEM nor a base64url raw 32-byte key."""


def b64url_decode(value: str) -> bytes:
    """Base64url with or without padding; ``binascii.Error`` when it is not."""
    text = value.strip()
    if not text or any(c not in _B64URL for c in text.rstrip("=")):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def load_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """``OMS_VAPID_PRIVATE_KEY``: a PEM (PKCS#8 or SEC1), or the raw 32-byte private
    number in base64url (what ``vapid --gen`` and most web push guides print)."""
    text = value.strip()
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise BadVapidKey(f"not a readable unencrypted PEM private key ({exc})") from None
    else:
        try:
            raw = b64url_decode(text)
        except binascii.Error:
            raise BadVapidKey("neither a PEM nor a base64url raw key") from None
        if len(raw) == 32:
            try:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            except ValueError as exc:
                raise BadVapidKey(f"not a valid P-256 private number ({exc})") from None
        else:
            try:
                key = serialization.load_der_private_key(raw, password=None)
            except (ValueError, TypeError):
                raise BadVapidKey(f"{len(raw)} bytes: a raw key is 32 bytes of base64url") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise BadVapidKey("VAPID needs an elliptic-curve P-256 (prime256v1) key")
    return key


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key browsers subscribe with: the uncompressed point,
    65 bytes, base64url without padding."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def local_key(path: Path) -> str:
    """A key generated once per checkout of the repo and kept under var/ (as PEM),
    so subscriptions made on a laptop survive restarts."""
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    # Written private from the start: never world-readable, even for a moment.
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(pem)
    return pem
