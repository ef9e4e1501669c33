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
