"""Editing audit rows behind the application's back, as an intruder with database
access would: the append-only trigger is lifted for that one statement."""

from __future__ import annotations

import sqlalchemy as sa

from oms_dashboard.models.system import APPEND_ONLY_SQLITE


def tamper(engine: sa.Engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            conn.execute(sa.text(statement), params)
            conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_append_only"))
            conn.execute(sa.text(statement), params)
            for ddl in APPEND_ONLY_SQLITE:
                conn.execute(sa.text(ddl))
