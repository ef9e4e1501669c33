"""The command line, run as a user would: a fresh database, migrate, create users."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.db import get_engine
from oms_dashboard.models import AuditEntry, Customer, User
from tests.conftest import backends, drop_postgres_database, fresh_database_url


@pytest.fixture(params=backends())
def cli(request, tmp_path):
    url = fresh_database_url(request.param, "cli", tmp_path)
    env = dict(os.environ, OMS_DATABASE_URL=url, OMS_VAR_DIR=str(tmp_path / "var"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "oms_dashboard", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    run.url = url
    yield run
    get_engine(url).dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_migrate_then_create_users(cli):
    assert cli("migrate").returncode == 0
    made = cli(
        "create-user", "--email", "Ops@Example.com", "--password", "s3cret-pass", "--role", "admin"
    )
    assert made.returncode == 0, made.stderr
    assert "created admin Ops@Example.com" in made.stdout
    shopper = cli(
        "create-user", "--email", "c@example.com", "--password", "s3cret-pass", "--role", "customer"
    )
    assert shopper.returncode == 0, shopper.stderr
    with Session(get_engine(cli.url)) as session:
        admin = session.exec(select(User).where(User.email_lookup == "ops@example.com")).one()
        assert admin.role == "admin" and admin.password_hash.startswith("$argon2")
        assert session.exec(select(Customer)).one().email == "c@example.com"
        assert (
            len(session.exec(select(AuditEntry).where(AuditEntry.action == "user.create")).all())
            == 2
        )


def test_bad_user_input_is_refused_naming_the_field(cli):
    assert cli("migrate").returncode == 0
    short = cli(
        "create-user", "--email", "x@example.com", "--password", "short", "--role", "support"
    )
    assert short.returncode == 1
    assert "password: must be at least 8 characters" in short.stderr
    orphan = cli(
        "create-user", "--email", "s@example.com", "--password", "long-enough", "--role", "seller"
    )
    assert "seller_id: a seller account needs seller_id" in orphan.stderr
    with get_engine(cli.url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 0


def test_duplicate_email_is_refused(cli):
    cli("migrate")
    args = (
        "create-user",
        "--email",
        "a@example.com",
        "--password",
        "long-enough",
        "--role",
        "support",
    )
    assert cli(*args).returncode == 0
    again = cli(*args)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_audit_verify_reports_an_intact_chain_then_the_edited_row(cli):
    from tests.integration.audit_helpers import tamper

    assert cli("migrate").returncode == 0
    for email in ("a@example.com", "b@example.com"):
        made = cli("create-user", "--email", email, "--password", "s3cret-pass", "--role", "admin")
        assert made.returncode == 0, made.stderr
    intact = cli("audit", "verify")
    assert intact.returncode == 0 and intact.stdout.strip() == "audit chain intact: 2 rows"
    engine = get_engine(cli.url)
    with Session(engine) as session:
        first = session.exec(select(AuditEntry).where(AuditEntry.seq == 1)).one()
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=first.id)
    broken = cli("audit", "verify")
    assert broken.returncode == 1
    assert f"row {first.id} (seq 1): content edited" in broken.stdout


def test_audit_verify_since_the_checkpoint_walks_only_newer_rows(cli):
    assert cli("migrate").returncode == 0
    made = cli(
        "create-user", "--email", "a@example.com", "--password", "s3cret-pass", "--role", "admin"
    )
    assert made.returncode == 0, made.stderr
    assert cli("audit", "verify").returncode == 0  # the whole chain: the checkpoint is set
    made = cli(
        "create-user", "--email", "b@example.com", "--password", "s3cret-pass", "--role", "admin"
    )
    assert made.returncode == 0, made.stderr
    since = cli("audit", "verify", "--since-checkpoint")
    assert since.returncode == 0
    assert since.stdout.strip() == "audit chain intact: 1 rows since seq 1"
    whole = cli("audit", "verify")
    assert whole.stdout.strip() == "audit chain intact: 2 rows"


def test_migration_chains_the_rows_written_before_it(tmp_path, request):
    """Rows from before 0012 (full snapshots, no hash) come out diffed and chained."""
    from alembic import command

    from oms_dashboard.migrations import alembic_config, upgrade_to_head
    from oms_dashboard.services.audit import verify_chain

    backend = backends()[-1]
    url = fresh_database_url(backend, "audit_backfill", tmp_path)
    command.upgrade(alembic_config(url), "0008")
    engine = get_engine(url)
    with engine.begin() as conn:
        for n, (entity_type, before, after) in enumerate(
            [
                ("user", None, {"email": "x@example.com", "role": "admin"}),
                ("order", {"status": "paid", "total": 5}, {"status": "cancelled", "total": 5}),
                (
                    "refund",
                    {"order_id": "ord_9", "status": "requested"},
                    {"order_id": "ord_9", "status": "approved"},
                ),
            ]
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (id, at, actor_id, actor_role, action, entity_type,"
                    " entity_id, before, after) VALUES (:id, :at, NULL, 'system', 'x', :t,"
                    " :e, :b, :a)"
                ),
                {
                    "id": f"aud_{n}",
                    "at": f"2026-11-2{n} 10:00:00.000000{'+00' if backend == 'postgresql' else ''}",
                    "t": entity_type,
                    "e": f"ent_{n}",
                    "b": None if before is None else __import__("json").dumps(before),
                    "a": __import__("json").dumps(after),
                },
            )
    try:
        upgrade_to_head(url)
        with Session(engine) as session:
            report = verify_chain(session)
            rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert report.intact and report.rows == 3, report.describe()
        assert [r.id for r in rows] == ["aud_0", "aud_1", "aud_2"]
        assert (rows[1].before, rows[1].after, rows[1].order_id) == (
            {"status": "paid"},
            {"status": "cancelled"},
            "ent_1",
        )
        assert rows[2].order_id == "ord_9"
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_postgres_database(url)
