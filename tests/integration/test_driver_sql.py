"""The hot path's statements on the driver's cursor write and read exactly what
SQLAlchemy would, and fail the way SQLAlchemy would (services/driver_sql)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from oms_dashboard.models.base import utcnow
from oms_dashboard.services.driver_sql import DriverInsert, DriverStatement

_metadata = sa.MetaData()
_probe = sa.Table(
    "driver_sql_probe",
    _metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("key", sa.String, nullable=False),
    sa.Column("data", sa.JSON),
    sa.Column("status", sa.String, nullable=False, default="new"),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, default=utcnow),
    sa.Column("note", sa.String),
    sa.UniqueConstraint("owner", "key"),
)


@pytest.fixture
def probe(engine):
    _metadata.create_all(engine)
    yield engine
    _metadata.drop_all(engine)


def _row(id: str, owner: str = "cus_1", key: str | None = None, **extra) -> dict:
    return {"id": id, "owner": owner, "key": key or id, **extra}


def _written(engine) -> dict[str, dict]:
    with engine.connect() as connection:
        return {row.id: row._asdict() for row in connection.execute(sa.select(_probe))}


def test_rows_get_the_python_side_defaults_and_json_as_sqlalchemy_gives_them(probe):
    data = {"checkout_id": "chk_1", "nested": {"lines": [1, 2]}}
    with probe.begin() as connection:
        DriverInsert(_probe).run(connection, [_row("d1", data=data), _row("d2", data=None)])
        connection.execute(sa.insert(_probe), [_row("s1", data=data), _row("s2", data=None)])
    rows = _written(probe)
    for mine, theirs in ((rows["d1"], rows["s1"]), (rows["d2"], rows["s2"])):
        assert abs(mine.pop("at") - theirs.pop("at")).total_seconds() < 60
        for row in (mine, theirs):
            del row["id"], row["key"]
        assert mine == theirs
    assert rows["d1"]["data"] == data and rows["d1"]["status"] == "new"


def test_skip_taken_answers_the_ids_inserted_and_none_for_a_taken_key(probe):
    claim = DriverInsert(_probe, skip_taken=True)
    with probe.begin() as connection:
        assert claim.run(connection, [_row("c1", key="key-1")]) == ["c1"]
        assert claim.run(connection, [_row("c2", key="key-1")]) == []
    assert list(_written(probe)) == ["c1"]


def test_a_statement_reads_by_label_and_binds_its_own_constants(probe):
    with probe.begin() as connection:
        DriverInsert(_probe).run(connection, [_row("r1", note="lamp")])
    statement = DriverStatement(
        sa.select(_probe.c.note, sa.literal(41).label("answer"))
        .where(_probe.c.id == sa.bindparam("wanted"))
        .limit(1)
    )
    with probe.connect() as connection:
        row = statement.first(connection, {"wanted": "r1"})
        assert (row.note, row.answer) == ("lamp", 41)
        assert statement.first(connection, {"wanted": "nope"}) is None


def test_a_driver_error_comes_out_as_sqlalchemys_and_writes_nothing(probe):
    insert = DriverInsert(_probe)
    with probe.begin() as connection:
        insert.run(connection, [_row("e1")])
    with pytest.raises(sa_exc.IntegrityError), probe.begin() as connection:
        insert.run(connection, [_row("e2"), _row("e1", key="other")])
    assert list(_written(probe)) == ["e1"]
