"""Admins manage carrier integrations: sandbox or live, credentials sealed at rest,
every change audited without its secrets; production never uses a sandbox."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard import crypto
from oms_dashboard.models import AuditEntry, CarrierAccount
from oms_dashboard.services import carrier_accounts as carriers
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.settings import get_settings
from tests.factories import make_actor

FEDEX_KEYS = {"client_id": "l7xx-id", "client_secret": "s3cr3t-value", "account_number": "7401"}


def fields(raised) -> list[str]:
    return [e["field"] for e in raised.value.errors]


def test_every_carrier_starts_enabled_on_its_sandbox(session):
    views = carriers.list_carriers(session, actor=make_actor(session, "admin"))
    assert [v.carrier for v in views] == ["dhl", "fedex", "ups", "usps"]
    assert all(v.enabled and v.mode == "sandbox" and v.usable for v in views)
    with pytest.raises(Forbidden):
        carriers.list_carriers(session, actor=make_actor(session, "support"))


def test_going_live_needs_a_url_and_the_carriers_own_credentials(engine, session):
    admin = make_actor(session, "admin")
    with pytest.raises(ValidationFailed) as refused:
        carriers.configure_carrier(engine, actor=admin, carrier="fedex", mode="live")
    assert fields(refused) == ["base_url", "credentials"]
    with pytest.raises(ValidationFailed) as refused:
        carriers.configure_carrier(
            engine,
            actor=admin,
            carrier="fedex",
            mode="live",
            base_url="ftp://apis.fedex.com",
            new_credentials={"client_id": "x", "password": "y"},
        )
    assert fields(refused) == [
        "base_url",
        "credentials.client_secret",
        "credentials.account_number",
        "credentials.password",
    ]
    with pytest.raises(NotFound):
        carriers.configure_carrier(engine, actor=admin, carrier="pigeon", enabled=False)
    with session.connection() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_credentials_are_sealed_at_rest_and_never_audited(engine, session):
    admin = make_actor(session, "admin")
    view = carriers.configure_carrier(
        engine,
        actor=admin,
        carrier="fedex",
        mode="live",
        base_url="https://apis.fedex.com/",
        new_credentials=FEDEX_KEYS,
    )
    assert (view.mode, view.base_url, view.has_credentials, view.usable) == (
        "live",
        "https://apis.fedex.com",
        True,
        True,
    )
    session.rollback()
    raw = session.exec(select(CarrierAccount.credentials).where(CarrierAccount.carrier == "fedex"))
    sealed = raw.one()
    assert "s3cr3t-value" not in sealed and "l7xx-id" not in sealed
    assert carriers.credentials(session.get(CarrierAccount, "fedex")) == FEDEX_KEYS
    (entry,) = session.exec(select(AuditEntry)).all()
    assert entry.action == "carrier.configure" and entry.entity_id == "fedex"
    assert entry.before["mode"] == "sandbox" and entry.after["credentials"] == "replaced"
    assert "s3cr3t" not in str(entry.before) + str(entry.after)
    # Switched off and on again: the credentials stay.
    carriers.configure_carrier(engine, actor=admin, carrier="fedex", enabled=False)
    again = carriers.configure_carrier(engine, actor=admin, carrier="fedex", enabled=True)
    assert again.usable and again.has_credentials


def test_production_uses_no_sandbox(engine, session, monkeypatch):
    admin = make_actor(session, "admin")
    monkeypatch.setattr(get_settings(), "env", "production")
    views = {v.carrier: v for v in carriers.list_carriers(session, actor=admin)}
    assert not views["ups"].usable and "sandbox" in views["ups"].why_not
    session.commit()
    with pytest.raises(ValidationFailed) as refused:
        carriers.configure_carrier(
            engine,
            actor=admin,
            carrier="ups",
            mode="sandbox",
            base_url="http://127.0.0.1:9/ups",
        )
    assert fields(refused) == ["mode", "base_url"]


def test_a_secret_sealed_under_another_key_is_unreadable(monkeypatch):
    sealed = crypto.seal("hello")
    assert crypto.unseal(sealed) == "hello"
    monkeypatch.setattr(get_settings(), "secret_key", "another key entirely, 48 chars long....")
    with pytest.raises(crypto.Unreadable):
        crypto.unseal(sealed)
