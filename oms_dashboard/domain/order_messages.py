"""The customer and the seller writing to each other about an order.

Who may write, who may only read, who is told of a new message, and when a
message counts as read: the other party (never the author, never staff reading
over their shoulders) has listed it.
"""

from __future__ import annotations

from enum import StrEnum

MAX_BODY = 5000
WRITERS = frozenset({"customer", "seller"})
READERS = WRITERS | {"support", "admin"}


class Party(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"


def may_write(role: str) -> bool:
    """Only the two parties write; support and admins read (they have tickets)."""
    return role in WRITERS


def may_read(role: str) -> bool:
    return role in READERS


def recipient(author_role: str) -> Party:
    """Who is told of a message: the other party."""
    return Party.SELLER if Party(author_role) is Party.CUSTOMER else Party.CUSTOMER


def marks_read(reader_role: str, author_role: str) -> bool:
    """Listing the thread reads the other party's messages, and only those."""
    return reader_role in WRITERS and reader_role != author_role


def clean_body(raw: str) -> tuple[str, list[dict[str, str]]]:
    """The body trimmed, and what is wrong with it (empty, or too long)."""
    body = raw.strip()
    if not body:
        return body, [{"field": "body", "message": "write a message (it is empty)"}]
    if len(body) > MAX_BODY:
        message = f"at most {MAX_BODY} characters; this one has {len(body)}"
        return body, [{"field": "body", "message": message}]
    return body, []
