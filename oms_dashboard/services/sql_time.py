"""Time arithmetic inside SQL on both backends: a timestamp as seconds since the epoch.

PostgreSQL has ``EXTRACT(EPOCH FROM ...)``; SQLite stores UTC text that
``julianday`` reads. Aggregates over durations (hours to ship, to reply) then stay
in the database instead of loading every row.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    type = sa.Float()
    name = "epoch_seconds"
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_postgresql(element, compiler, **kw) -> str:
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"
    )


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"
