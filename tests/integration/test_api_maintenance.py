"""Maintenance windows over the API: announced a day ahead (refused otherwise),
listed, cancelled (audited), and shown in the banner every signed-in page carries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_dashboard.models import AuditEntry, MaintenanceWindow
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.maintenance import forget_banner, maintenance_banner
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    audit_rows,
    count,
    world_fixture,
)

PATH = "/api/v1/maintenance-windows"


def _body(hours_ahead: float = 30, length: float = 2, message: str = "Checkout pauses.") -> dict:
    starts = (utcnow() + timedelta(hours=hours_ahead)).replace(microsecond=0)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=length)).isoformat(),
        "message": message,
    }


@pytest.fixture(autouse=True)
def _fresh_banner():
    forget_banner()
    yield
    forget_banner()


def test_an_admin_announces_lists_and_cancels_a_window(world, engine):
    body = _body()
    created = world.api.post(PATH, json=body, headers=world.headers("admin"))
    assert created.status_code == 201, created.text
    window = created.json()
    assert window["message"] == "Checkout pauses." and window["cancelled_at"] is None
    assert window["created_by"] == world.users["admin"].id
    [entry] = audit_rows(engine, "maintenance.announce")
    assert entry.entity_id == window["id"]

    banner = maintenance_banner(engine)
    assert banner is not None and banner.text.startswith("Scheduled maintenance on ")
    assert "(UTC). Checkout pauses." in banner.text

    listed = world.api.get(PATH, headers=world.headers("admin")).json()
    assert [w["id"] for w in listed] == [window["id"]]

    cancelled = world.api.delete(f"{PATH}/{window['id']}", headers=world.headers("admin"))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_at"] is not None
    assert maintenance_banner(engine) is None
    [entry] = audit_rows(engine, "maintenance.cancel")
    assert entry.before["cancelled_at"] is None and entry.after["cancelled_at"] is not None

    again = world.api.delete(f"{PATH}/{window['id']}", headers=world.headers("admin"))
    assert assert_problem(again, 409, "maintenance-refused")["reason"] == "already-cancelled"


@pytest.mark.parametrize(
    "body, reason",
    [
        (_body(hours_ahead=23), "too-short-notice"),
        (_body(hours_ahead=-1), "too-short-notice"),
        (_body(length=13), "too-long"),
        (_body(length=-1), "ends-before-start"),
    ],
)
def test_refused_announcements_name_the_rule_and_leave_nothing(world, engine, body, reason):
    response = world.api.post(PATH, json=body, headers=world.headers("admin"))
    assert assert_problem(response, 409, "maintenance-refused")["reason"] == reason
    assert count(engine, MaintenanceWindow) == 0 and count(engine, AuditEntry) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"starts_at": "2030-01-01T02:00:00"}, "starts_at"),  # no time zone
        ({"ends_at": "tomorrow"}, "ends_at"),
        ({"message": "x" * 501}, "message"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(world, engine, change, field):
    response = world.api.post(PATH, json={**_body(), **change}, headers=world.headers("admin"))
    body = assert_problem(response, 422, "validation-error")
    assert field in [e["field"] for e in body["errors"]]
    assert count(engine, MaintenanceWindow) == 0


@pytest.mark.parametrize("who", ["support", "seller_a", "alice"])
def test_only_admins_announce_list_or_cancel(world, engine, who):
    assert_problem(world.api.post(PATH, json=_body(), headers=world.headers(who)), 403, "forbidden")
    assert_problem(world.api.get(PATH, headers=world.headers(who)), 403, "forbidden")
    assert_problem(
        world.api.get("/api/v1/system-health", headers=world.headers(who)), 403, "forbidden"
    )
    assert count(engine, MaintenanceWindow) == 0


def test_cancelling_an_unknown_window_is_404(world):
    response = world.api.delete(f"{PATH}/mnt_nope", headers=world.headers("admin"))
    assert_problem(response, 404, "not-found")


def test_the_banner_is_cached_then_refreshed(world, engine, monkeypatch):
    from oms_dashboard.services import maintenance

    assert maintenance_banner(engine) is None
    world.api.post(PATH, json=_body(), headers=world.headers("admin")).raise_for_status()
    # announced in this process: shown at once
    assert maintenance_banner(engine) is not None
    # written by another process: shown once the short cache runs out
    with engine.begin() as conn:
        conn.execute(MaintenanceWindow.__table__.update().values(message="Changed elsewhere."))
    assert "Checkout pauses." in maintenance_banner(engine).text
    monkeypatch.setattr(maintenance, "BANNER_SECONDS", 0.0)
    assert "Changed elsewhere." in maintenance_banner(engine).text
