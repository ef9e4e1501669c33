"""Column types and field helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

PII = {"pii": True}
"""Marks a column holding personal data; a later issue encrypts these at rest."""


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def time_field(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    kwargs: dict[str, Any] = {
        "sa_type": UTCDateTime,
        "nullable": nullable,
        "index": index,
    }
    if default_now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


def pii_field(*, max_length: int = 255, nullable: bool = False, default: Any = ...) -> Any:
    """A text column that holds personal data (name, address, phone, email)."""
    if nullable and default is ...:
        default = None
    return Field(
        default=default,
        max_length=max_length,
        nullable=nullable,
        sa_column_kwargs={"info": PII},
    )


def json_field(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=sa.JSON, nullable=nullable)


def enum_check(column: str, states: type[StrEnum], name: str, *, nullable: bool = False):
    """A CHECK constraint admitting exactly the enum's values: written from the enum,
    never copied by hand, so the database and the domain cannot disagree."""
    values = ", ".join(f"'{state.value}'" for state in states)
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=name)


def trigram_index(name: str, column: str) -> sa.Index:
    """A pg_trgm GIN index on ``column``, serving ``ILIKE '%part%'`` on PostgreSQL
    (a plain index on SQLite, which searches with LIKE and never uses it for that)."""
    return sa.Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def needs_pg_trgm(metadata: sa.MetaData) -> None:
    """``metadata.create_all`` on PostgreSQL creates pg_trgm before the trigram indexes."""
    ddl = sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql")
    sa.event.listen(metadata, "before_create", ddl)
