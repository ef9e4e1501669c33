"""Alembic builds the schema from empty, and it matches the models exactly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from oms_dashboard import models
from oms_dashboard.db import get_engine
from oms_dashboard.migrations import upgrade_to_head
from tests.conftest import backends, drop_postgres_database, fresh_database_url


@pytest.fixture(params=backends())
def migrated_url(request, tmp_path):
    url = fresh_database_url(request.param, "migrations", tmp_path)
    upgrade_to_head(url)
    yield url
    get_engine(url).dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_upgrade_from_empty_creates_every_table(migrated_url):
    tables = set(sa.inspect(get_engine(migrated_url)).get_table_names())
    assert set(models.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrated_schema_matches_the_models(migrated_url):
    with get_engine(migrated_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, models.metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(migrated_url):
    upgrade_to_head(migrated_url)


def test_downgrade_to_empty_and_back(migrated_url):
    from alembic import command

    from oms_dashboard.migrations import alembic_config

    command.downgrade(alembic_config(migrated_url), "base")
    assert set(sa.inspect(get_engine(migrated_url)).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(migrated_url)
    assert set(models.metadata.tables) <= set(
        sa.inspect(get_engine(migrated_url)).get_table_names()
    )


LIFECYCLE_CHECKS = {
    ("checkouts", "ck_checkouts_status"),
    ("checkouts", "ck_checkouts_payment_status"),
    ("orders", "ck_orders_status"),
    ("orders", "ck_orders_stock_status"),
    ("orders", "ck_orders_review_reason"),
    ("payment_events", "ck_payment_events_outcome"),
}


def _states(sqltext: str) -> set[str]:
    import re

    return set(re.findall(r"'([a-z_]+)'", str(sqltext)))


def test_lifecycle_checks_in_the_database_admit_exactly_the_enums_states(migrated_url):
    """The models write these constraints from the domain enums; the migrations must
    have put the same states in the database (a new state needs a migration)."""
    inspector = sa.inspect(get_engine(migrated_url))
    for table, name in sorted(LIFECYCLE_CHECKS):
        in_db = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        in_model = {
            c.name: c.sqltext
            for c in models.metadata.tables[table].constraints
            if isinstance(c, sa.CheckConstraint)
        }
        assert name in in_db, f"{table} lacks {name}"
        assert _states(in_db[name]) == _states(in_model[name]) != set(), name
