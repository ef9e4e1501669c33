"""Other products to offer when the one asked for is out of stock."""

from __future__ import annotations

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
    """In-stock products sharing title words, or else from the same seller, best first.

    Only products in the same currency, with at least ``quantity`` available.
    """
    words = title_words(product.title)
    word_match = sa.or_(*(Product.title.ilike(f"%{w}%") for w in words)) if words else sa.false()
    available = (Inventory.on_hand - Inventory.reserved).label("available")
    candidates = session.connection().execute(
        sa.select(Product.sku, Product.title, Product.seller_id, Product.price_minor, available)
        .join(Inventory, Inventory.sku == Product.sku)
        .where(
            Product.sku != product.sku,
            Product.active.is_(True),
            Product.currency == product.currency,
            Inventory.on_hand - Inventory.reserved >= quantity,
            sa.or_(word_match, Product.seller_id == product.seller_id),
        )
        .limit(200)
    )

    def rank(other: sa.Row) -> tuple[int, int, str]:
        shared = len(words & title_words(other.title))
        return (-shared, other.seller_id != product.seller_id, other.sku)

    return [
        {
            "sku": other.sku,
            "title": other.title,
            "seller_id": other.seller_id,
            "price": format_minor(other.price_minor, product.currency),
            "available": other.available,
        }
        for other in sorted(candidates, key=rank)[:LIMIT]
    ]
