"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when
``OMS_TEST_DATABASE_URL`` is set), cleaned between tests.

In CI (``CI`` set) PostgreSQL and Redis are required: a missing or unreachable
server fails the run instead of skipping the tests that need it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_VAR = Path(tempfile.mkdtemp(prefix="oms-test-var-"))
os.environ.setdefault("OMS_ENV", "test")
os.environ.setdefault("OMS_VAR_DIR", str(_VAR))
os.environ.setdefault("OMS_DATABASE_URL", f"sqlite:///{_VAR / 'default.db'}")
# Tests keep a read transaction open in their own session while the code under
# test writes through another: SQLite must not take the write lock at BEGIN here.
os.environ.setdefault("OMS_SQLITE_IMMEDIATE", "0")

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from oms_dashboard import models  # noqa: E402
from oms_dashboard.db import get_engine, normalize_url  # noqa: E402

PG_URL = os.environ.get("OMS_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("OMS_TEST_REDIS_URL", "")
IN_CI = bool(os.environ.get("CI"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if not IN_CI:
        return
    missing = [
        n
        for n, v in (("OMS_TEST_DATABASE_URL", PG_URL), ("OMS_TEST_REDIS_URL", REDIS_URL))
        if not v
    ]
    if missing:
        pytest.exit(f"CI is set but {', '.join(missing)} is not: the real servers are required", 2)


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def worker_suffix() -> str:
    """Unique per test process, so parallel runs never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def fresh_postgres_database(name: str) -> str:
    """Create (or recreate) database ``name`` beside OMS_TEST_DATABASE_URL; return its URL."""
    base = sa.make_url(normalize_url(PG_URL))
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {base.render_as_string()} is unreachable: {exc}")
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(sa.make_url(normalize_url(PG_URL)), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(backend: str, name: str, tmp_dir: Path) -> str:
    if backend == "postgresql":
        return fresh_postgres_database(f"oms_test_{name}_{worker_suffix()}")
    return f"sqlite:///{tmp_dir / f'{name}.db'}"


@pytest.fixture(scope="session", params=backends())
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    url = fresh_database_url(request.param, "app", tmp_path_factory.mktemp(request.param))
    engine = get_engine(url)
    models.metadata.create_all(engine)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


@pytest.fixture
def session(engine):
    """A session on a clean database; every table is emptied after the test."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
    empty_all_tables(engine)


@pytest.fixture(scope="session")
def wired_app(engine):
    """The real API wired to the test database, its payment sandbox included."""
    from oms_dashboard.api import create_app
    from oms_dashboard.bootstrap import bootstrap

    return create_app(bootstrap("test", engine=engine))


def empty_all_tables(engine) -> None:
    tables = list(reversed(models.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def _redis_url_for_this_worker() -> str:
    """OMS_TEST_REDIS_URL with its own database number per xdist worker: from the
    number the URL names (``/5``: 5, 6, ...), else from 1, so parallel runs that were
    given different numbers never flush each other's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    scheme, rest = REDIS_URL.split("://", 1)
    host, _, db = rest.partition("/")
    first = int(db) if db.isdigit() else 1
    index = first + (int(worker.removeprefix("gw")) if worker.startswith("gw") else 0)
    return f"{scheme}://{host}/{index}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis: OMS_TEST_REDIS_URL (a database per test worker) or an embedded one."""
    import redis

    if REDIS_URL:
        url = _redis_url_for_this_worker()
        try:
            redis.Redis.from_url(url).ping()
        except redis.ConnectionError as exc:
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}")
        yield url
        return
    from oms_dashboard.jobs.connection import start_embedded_redis

    socket_path = tmp_path_factory.mktemp("redis") / "r.sock"
    process = start_embedded_redis(socket_path)
    yield f"unix://{socket_path}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_conn(redis_url):
    import redis

    conn = redis.Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
