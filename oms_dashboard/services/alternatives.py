"""Other products to offer when the one asked for is out of stock."""

from __future__ import annotations

import functools
import re

import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.domain.money import format_minor
from oms_dashboard.models import Inventory, Product

_WORD = re.compile(r"[a-z0-9]{4,}")
_STOP = {"with", "from", "pack", "for", "and", "the", "inch", "set", "size"}
LIMIT = 5


def title_words(title: str) -> set[str]:
    return {w for w in _WORD.findall(title.lower()) if w not in _STOP}


def suggest_alternatives(session: Session, product: Product, quantity: int) -> list[dict]:
    """In-stock products sharing title words, or else from the same seller, best first:
    most shared words, then the same seller, then by sku.

    Only products in the same currency, with at least ``quantity`` available. Ranked and
    cut in the database: a sold-out product's buyers all get here at once, and fetching
    up to 200 candidates to rank them in Python was half of a refusal's CPU (profiled:
    1.8 ms a call, 0.3 ms now; docs/PERFORMANCE.md).
    """
    params = {
        "sku": product.sku,
        "currency": product.currency,
        "quantity": quantity,
        "seller_id": product.seller_id,
    }
    words = tuple(sorted(title_words(product.title)))
    params |= {f"word_{i}": f"%{word}%" for i, word in enumerate(words)}
    return [
        {
            "sku": other.sku,
            "title": other.title,
            "seller_id": other.seller_id,
            "price": format_minor(other.price_minor, product.currency),
            "available": other.available,
        }
        for other in session.connection().execute(_ranked(len(words)), params)
    ]


@functools.lru_cache(maxsize=32)
def _ranked(words: int) -> sa.Select:
    """The statement for a title of ``words`` words (bound as ``word_<i>``), built once."""
    matches = [Product.title.ilike(sa.bindparam(f"word_{i}")) for i in range(words)]
    shared = sum((sa.case((match, 1), else_=0) for match in matches), sa.literal(0))
    same_seller = Product.seller_id == sa.bindparam("seller_id")
    available = (Inventory.on_hand - Inventory.reserved).label("available")
    return (
        sa.select(Product.sku, Product.title, Product.seller_id, Product.price_minor, available)
        .join(Inventory, Inventory.sku == Product.sku)
        .where(
            Product.sku != sa.bindparam("sku"),
            Product.active.is_(True),
            Product.currency == sa.bindparam("currency"),
            Inventory.on_hand - Inventory.reserved >= sa.bindparam("quantity"),
            sa.or_(*matches, same_seller),
        )
        .order_by(shared.desc(), sa.case((same_seller, 0), else_=1), Product.sku)
        .limit(LIMIT)
    )
