"""Secrets kept in the database (carrier credentials), sealed with a key derived
from OMS_SECRET_KEY: a copy of the database alone does not reveal them."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from oms_dashboard.settings import get_settings


class Unreadable(Exception):
    """Sealed with another key (OMS_SECRET_KEY changed) or tampered with."""


@lru_cache(maxsize=4)
def _box(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"oms field encryption v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    return _box(get_settings().secret_key).encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _box(get_settings().secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unreadable("sealed with another OMS_SECRET_KEY, or altered") from None
