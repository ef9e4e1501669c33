"""The database engine and sessions: one engine per process, per URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from oms_dashboard.settings import get_settings


def normalize_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL has."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (default: OMS_DATABASE_URL)."""
    return make_engine(url or get_settings().database_url)


def make_engine(url: str, *, application_name: str = "oms") -> Engine:
    """A new engine; on PostgreSQL its connections say who they are in pg_stat_activity."""
    settings = get_settings()
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=settings.sql_echo,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        begin = "BEGIN IMMEDIATE" if settings.sqlite_immediate else "BEGIN"
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(begin))
        return engine
    # The name in the URL, not only in the connect arguments: connections opened
    # beside the pool from ``engine.url`` (``api.token_reader``) carry it too.
    url = make_url(url).update_query_dict({"application_name": application_name})
    return create_engine(
        url,
        echo=settings.sql_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=60,
        # No pre-ping: on this kind of machine each round trip costs ~0.2 ms of CPU, and
        # a ping per checkout-from-pool was two per request. A connection found dead is
        # discarded with the pool's older ones, and services run their transaction
        # again on a fresh one (``unit_of_work.run_in_transaction``).
        pool_pre_ping=False,
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin:
    # otherwise a SAVEPOINT outside BEGIN commits on release and a rollback of
    # the outer transaction would not undo it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_if_absent(session: Session, row: SQLModel) -> None:
    """INSERT ``row`` unless a row with its primary key exists or is being written by
    another transaction (which this one then waits for): no savepoint to roll back,
    no unique violation to catch, safe for many requests racing to create it."""
    table = type(row).__table__
    values = {
        column.name: getattr(row, column.name)
        for column in table.columns
        if getattr(row, column.name, None) is not None
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    keys = [column.name for column in table.primary_key.columns]
    session.execute(
        dialect.insert(table).values(values).on_conflict_do_nothing(index_elements=keys)
    )
