"""What the database alone can do with a checkout: the statements the app ran for one
real checkout, captured on psycopg's cursors, replayed through plain psycopg.

The capture is also how the benchmark counts a checkout's statements: every cursor
execution on the app's engine (the token lookup included) while one request runs.
The replay runs the same SQL text with the same parameters, only the ids, the
customer, the key and the sku renewed, in the same order and the same transactions
(the token lookup outside any, as the app reads it), so the ceiling follows the
service when its statements change.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlalchemy as sa

from oms_dashboard.ids import new_id, new_order_number


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any
    """A dict, or a list of dicts when ``many`` (executemany)."""
    many: bool
    autocommit: bool
    """Sent outside any transaction (the token lookup)."""

    def summary(self) -> str:
        return " ".join(self.sql.split())[:100]


@dataclass
class StatementLog:
    """Every statement ``engine`` sends while in the ``with`` block, and its commits.

    Counted on psycopg's cursors, not with SQLAlchemy's ``before_cursor_execute``: the
    checkout's hot statements run on the driver's cursor directly
    (``services/driver_sql``), and what the database receives is what counts."""

    engine: sa.Engine
    statements: list[Statement] = field(default_factory=list)
    commits: int = 0

    def __enter__(self) -> StatementLog:
        sa.event.listen(self.engine, "checkout", self._log_cursors)
        sa.event.listen(self.engine, "checkin", self._plain_cursors)
        sa.event.listen(self.engine, "commit", self._committed)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "checkout", self._log_cursors)
        sa.event.remove(self.engine, "checkin", self._plain_cursors)
        sa.event.remove(self.engine, "commit", self._committed)

    def _log_cursors(self, dbapi_connection, _record, _proxy) -> None:
        log = self

        class LoggedCursor(psycopg.Cursor):
            def execute(self, query, params=None, **kwargs):
                log._executed(self.connection, query, params, many=False)
                return super().execute(query, params, **kwargs)

            def executemany(self, query, params_seq, **kwargs):
                params_seq = list(params_seq)
                log._executed(self.connection, query, params_seq, many=True)
                return super().executemany(query, params_seq, **kwargs)

        dbapi_connection.cursor_factory = LoggedCursor

    def _plain_cursors(self, dbapi_connection, _record) -> None:
        if dbapi_connection is not None:
            dbapi_connection.cursor_factory = psycopg.Cursor

    def _executed(self, conn: psycopg.Connection, query, params, *, many: bool) -> None:
        sql = query if isinstance(query, str) else query.as_string(conn)
        self.statements.append(Statement(sql, params, many, conn.autocommit))

    def _committed(self, conn) -> None:
        self.commits += 1

    def report(self) -> dict:
        return {
            "statements": len(self.statements),
            "commits": self.commits,
            "sql": [s.summary() for s in self.statements],
        }


@dataclass(frozen=True)
class Buyer:
    customer_id: str
    email: str
    token: str
    key: str
    sku: str

    def values(self) -> dict[str, str]:
        """The values of a checkout's parameters that are this buyer's."""
        return {
            "customer_id": self.customer_id,
            "email": self.email,
            "token_hash": hashlib.sha256(self.token.encode()).hexdigest(),
            "key": self.key,
            "sku": self.sku,
        }


_ROW_IDENTITY = re.compile(r"^(id|number)(__\d+)?$")
"""An inserted row's id or order number (``__<n>``: a row of a multi-row VALUES)."""


def _new_like(value: str) -> str:
    if value.startswith("OMS-"):
        return new_order_number()
    return new_id(value.split("_", 1)[0])


def _renewed(template: list[Statement], captured: Buyer, buyer: Buyer) -> list[Statement]:
    """``template`` with ``captured``'s values replaced by ``buyer``'s and every row id
    and order number it inserted replaced by a new one (and so their references)."""
    swap = dict(zip(captured.values().values(), buyer.values().values(), strict=True))
    for statement in template:
        if statement.sql.lstrip().upper().startswith("INSERT"):
            rows = statement.params if statement.many else [statement.params]
            for row in rows:
                for name, value in row.items():
                    if _ROW_IDENTITY.match(name) and isinstance(value, str):
                        swap[value] = _new_like(value)

    def renewed(value: Any) -> Any:
        if isinstance(value, list):
            return [renewed(item) for item in value]
        return swap.get(value, value) if isinstance(value, str) else value

    def renew(params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: renewed(v) for k, v in params.items()}

    return [
        Statement(
            s.sql,
            [renew(p) for p in s.params] if s.many else renew(s.params),
            s.many,
            s.autocommit,
        )
        for s in template
    ]


def _grouped(statements: list[Statement]) -> list[tuple[bool, list[Statement]]]:
    """Consecutive statements of the same kind: (autocommit, statements)."""
    groups: list[tuple[bool, list[Statement]]] = []
    for statement in statements:
        if groups and groups[-1][0] == statement.autocommit:
            groups[-1][1].append(statement)
        else:
            groups.append((statement.autocommit, [statement]))
    return groups


def _run(conn: psycopg.Connection, statements: list[Statement]) -> None:
    with conn.cursor() as cursor:
        for statement in statements:
            if statement.many:
                cursor.executemany(statement.sql, statement.params)
            else:
                cursor.execute(statement.sql, statement.params)
            if cursor.description is not None:
                cursor.fetchall()


class TooManyClients(RuntimeError):
    """The server refused a connection: other clients hold its ``max_connections``."""


def _connect(conninfo: str, connections: int, *, attempts: int = 3) -> list[psycopg.Connection]:
    """``connections`` connections, or ``TooManyClients`` if the server's are taken
    (the machine's PostgreSQL is shared): tried again after a pause, then given up."""
    for attempt in range(1, attempts + 1):
        conns: list[psycopg.Connection] = []
        try:
            for _ in range(connections):
                conns.append(psycopg.connect(conninfo, autocommit=True))
            return conns
        except psycopg.OperationalError as exc:
            for conn in conns:
                conn.close()
            if "too many clients" not in str(exc):
                raise
            if attempt == attempts:
                raise TooManyClients(f"{len(conns)} of {connections} connections: {exc}") from exc
            time.sleep(5)
    raise AssertionError("unreachable")


def run_ceiling(
    conninfo: str,
    template: list[Statement],
    captured: Buyer,
    buyers: list[Buyer],
    *,
    connections: int,
) -> dict:
    """One replayed checkout per buyer on ``connections`` connections at once."""
    jobs = [_grouped(_renewed(template, captured, buyer)) for buyer in buyers]
    conns = _connect(conninfo, connections)
    start = threading.Barrier(connections + 1)
    failures: list[BaseException] = []

    def work(conn: psycopg.Connection, mine: list) -> None:
        start.wait()
        try:
            for groups in mine:
                for autocommit, statements in groups:
                    if autocommit:
                        _run(conn, statements)
                    else:
                        with conn.transaction():
                            _run(conn, statements)
        except BaseException as exc:  # reported below, after every thread ended
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(conn, jobs[i::connections]))
        for i, conn in enumerate(conns)
    ]
    try:
        for thread in threads:
            thread.start()
        start.wait()
        began, cpu_before = time.perf_counter(), time.process_time()
        for thread in threads:
            thread.join()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_before
    finally:
        for conn in conns:
            conn.close()
    if failures:
        raise failures[0]
    return {
        "connections": connections,
        "transactions": len(jobs),
        "seconds": round(elapsed, 2),
        "transactions_per_second": round(len(jobs) / elapsed, 1),
        "driver_cpu_ms_per_transaction": round(cpu * 1000 / len(jobs), 3),
    }
