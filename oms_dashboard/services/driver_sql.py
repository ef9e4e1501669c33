"""A hot path's statements run on the database driver's own cursor, on PostgreSQL.

SQLAlchemy's execution layer costs about as much CPU again as psycopg's own round
trip (measured on the 2-core machine: the checkout's cart read 0.29 ms through
``Connection.execute``, 0.15 ms through a psycopg cursor; ``SELECT 1`` 0.18 against
0.09 ms; docs/PERFORMANCE.md). For the few statements a checkout runs on every request
that difference is most of their cost, so they are written as ordinary Core statements
on the models' tables, compiled once for PostgreSQL and sent through psycopg on the
connection the session already holds, inside its transaction. On SQLite (the
zero-setup default, not a hot path) SQLAlchemy runs the very same statement.

What SQLAlchemy would have done around the cursor is done here too: JSON values are
wrapped for the driver, every column's Python-side default is filled in on INSERT, and
an error comes out as SQLAlchemy's own (a lost connection invalidates the pool the same
way), so the unit of work's retries see what they always saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from psycopg.types.json import Json
from sqlalchemy.dialects import postgresql, sqlite


class DriverStatement:
    """``statement`` for SQLite, ``postgresql`` (the same by default) for PostgreSQL,
    where it runs on psycopg's cursor. Rows read by column label in both cases."""

    def __init__(self, statement: sa.Executable, *, postgresql: sa.Executable | None = None):
        self.statement = statement
        self._pg_statement = statement if postgresql is None else postgresql
        self._pg: tuple[str, dict[str, Any]] | None = None

    def rows(self, connection: sa.Connection, params: Mapping[str, Any]) -> Sequence[Any]:
        if connection.dialect.name != "postgresql":
            return connection.execute(self.statement, params).all()
        sql, constants = self.postgresql_sql(connection.dialect)
        return _run(connection, sql, {**constants, **params}, rows=True)

    def first(self, connection: sa.Connection, params: Mapping[str, Any]) -> Any | None:
        rows = self.rows(connection, params)
        return rows[0] if rows else None

    def postgresql_sql(self, dialect: sa.Dialect) -> tuple[str, dict[str, Any]]:
        """The SQL psycopg runs, and the values of the constants it binds."""
        if self._pg is None:
            compiled = self._pg_statement.compile(dialect=dialect)
            # Values fixed in the statement itself (``policy.id == 1``) are bound too.
            constants = {k: v for k, v in compiled.params.items() if v is not None}
            self._pg = (compiled.string, constants)
        return self._pg


class DriverInsert:
    """A multi-row INSERT into ``table``: one statement for all the rows (they share
    their keys). ``skip_taken``: ``ON CONFLICT DO NOTHING RETURNING id``, so ``run``
    answers the ids of the rows inserted. On PostgreSQL the statement is compiled once
    per row count and set of columns."""

    def __init__(self, table: sa.Table, *, skip_taken: bool = False):
        self.table = table
        self.skip_taken = skip_taken
        self._json = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        self._defaults = {
            c.name: c.default.arg
            for c in table.columns
            if c.default is not None and (c.default.is_scalar or c.default.is_callable)
        }
        self._pg: dict[tuple[int, tuple[str, ...]], str] = {}

    def run(self, connection: sa.Connection, rows: list[dict[str, Any]]) -> list[str]:
        if connection.dialect.name != "postgresql":
            return self._run_sqlalchemy(connection, rows)
        rows = [self._completed(row) for row in rows]
        columns = tuple(rows[0])
        sql = self._sql(connection.dialect, len(rows), columns)
        params = {
            f"{name}__{n}": Json(row[name]) if name in self._json else row[name]
            for n, row in enumerate(rows)
            for name in columns
        }
        inserted = _run(connection, sql, params, rows=self.skip_taken)
        return [row.id for row in inserted] if self.skip_taken else []

    def _run_sqlalchemy(self, connection: sa.Connection, rows: list[dict[str, Any]]) -> list[str]:
        if not self.skip_taken:
            connection.execute(sa.insert(self.table), rows)
            return []
        statement = sqlite.insert(self.table).on_conflict_do_nothing().returning(self.table.c.id)
        return [id for row in rows for id in connection.execute(statement, row).scalars()]

    def _completed(self, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with each missing column's Python-side default, as SQLAlchemy fills it."""
        missing = {name: arg for name, arg in self._defaults.items() if name not in row}
        if not missing:
            return row
        # A callable default is SQLAlchemy's wrapper taking the execution context.
        return row | {name: arg(None) if callable(arg) else arg for name, arg in missing.items()}

    def _sql(self, dialect: sa.Dialect, count: int, columns: tuple[str, ...]) -> str:
        key = (count, columns)
        if key not in self._pg:
            values = [
                {name: sa.bindparam(f"{name}__{n}") for name in columns} for n in range(count)
            ]
            statement = postgresql.insert(self.table).values(values)
            if self.skip_taken:
                statement = statement.on_conflict_do_nothing().returning(self.table.c.id)
            self._pg[key] = statement.compile(dialect=dialect).string
        return self._pg[key]


def _run(connection: sa.Connection, sql: str, params: dict[str, Any], *, rows: bool) -> Any:
    driver = connection.connection.driver_connection
    cursor = driver.cursor(row_factory=namedtuple_row)
    try:
        cursor.execute(sql, params)
        return cursor.fetchall() if rows else None
    except connection.dialect.loaded_dbapi.Error as exc:
        # SQLAlchemy's own handling: the same exception classes, and a dead connection
        # invalidated with the pool's older ones (private, but it is what
        # ``Connection.execute`` calls; checked by tests/integration/test_database_faults).
        connection._handle_dbapi_exception(exc, sql, params, cursor, None)
    finally:
        cursor.close()
