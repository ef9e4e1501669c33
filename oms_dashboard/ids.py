"""Opaque, time-ordered ids: a short type prefix and a UUIDv7 in hex.

Hex of a UUIDv7 sorts by creation time, so ids double as keyset cursors and
survive sharding; nothing in the API is an auto-increment integer.
"""

from __future__ import annotations

import secrets

import uuid6

# Crockford's base32 without I, L, O, U: easy to read out on the phone.
_READABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid6.uuid7().hex}"


def new_order_number() -> str:
    """A short order number such as ``OMS-7K3F-9QX2``."""
    raw = _readable(8)
    return f"OMS-{raw[:4]}-{raw[4:]}"


def new_ticket_number() -> str:
    """A short support ticket number such as ``TKT-7K3F-9QX2``."""
    raw = _readable(8)
    return f"TKT-{raw[:4]}-{raw[4:]}"


def _readable(length: int) -> str:
    """``length`` characters of ``_READABLE`` from one draw of 5 random bits each (the
    alphabet has 32): one call to the system's random source, not one per character."""
    bits = secrets.randbits(5 * length)
    return "".join(_READABLE[(bits >> (5 * i)) & 31] for i in range(length))
