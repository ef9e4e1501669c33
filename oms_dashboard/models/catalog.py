"""What sellers sell, and how much of it is on the shelf."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from oms_dashboard.models.base import time_field


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint("price_minor >= 0", name="ck_products_price"),
        sa.CheckConstraint(
            "weight_grams >= 0 AND length_mm >= 0 AND width_mm >= 0 AND height_mm >= 0",
            name="ck_products_dimensions",
        ),
        sa.CheckConstraint(
            "kind IN ('physical', 'digital', 'subscription')", name="ck_products_kind"
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    sku: str = Field(max_length=64, unique=True)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    title: str = Field(max_length=300)
    category: str | None = Field(default=None, max_length=60)
    price_minor: int
    currency: str = Field(max_length=3)
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    digital: bool = Field(default=False)
    """Nothing ships (what shipping and customs read); kept equal to kind == digital."""
    kind: str = Field(
        default="physical", max_length=16, sa_column_kwargs={"server_default": "physical"}
    )
    """A ``ProductKind``: physical, digital or subscription."""
    hs_code: str | None = Field(default=None, max_length=10)
    origin_country: str = Field(max_length=2)
    restricted: bool = Field(default=False)
    """Hazardous or otherwise restricted for carriers (batteries, aerosols...)."""
    active: bool = Field(default=True)
    created_at: datetime = time_field(default_now=True)


class Inventory(SQLModel, table=True):
    """Stock of one sku. available = on_hand - reserved, never negative."""

    __tablename__ = "inventory"
    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="ck_inventory_on_hand"),
        sa.CheckConstraint("reserved >= 0", name="ck_inventory_reserved"),
        sa.CheckConstraint("reserved <= on_hand", name="ck_inventory_reserved_le_on_hand"),
    )

    sku: str = Field(primary_key=True, foreign_key="products.sku", max_length=64)
    seller_id: str = Field(foreign_key="sellers.id", index=True)
    on_hand: int = Field(default=0)
    reserved: int = Field(default=0)
    low_stock_alerted: bool = Field(default=False)
    """Set when available stock fell under the threshold and the seller was told;
    cleared when it rises above again, so each crossing alerts once."""
    updated_at: datetime = time_field(default_now=True)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved
