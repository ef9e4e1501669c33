"""Settings come from OMS_* variables with safe defaults; production needs secrets."""

from __future__ import annotations

import pytest

from oms_dashboard.settings import Settings


def test_local_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("OMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("OMS_ENV", "development")
    first = Settings(var_dir=tmp_path)
    second = Settings(var_dir=tmp_path)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_to_sqlite_under_var(tmp_path, monkeypatch):
    monkeypatch.delenv("OMS_DATABASE_URL", raising=False)
    settings = Settings(var_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'oms.db'}"
    assert settings.is_sqlite


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("OMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("OMS_ENV", "production")
    with pytest.raises(RuntimeError, match="OMS_SECRET_KEY must be set"):
        Settings(var_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_needs_the_payment_webhook_secret_too(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_ENV", "production")
    monkeypatch.setenv("OMS_SECRET_KEY", "x" * 48)
    monkeypatch.delenv("OMS_PAYMENT_WEBHOOK_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="OMS_PAYMENT_WEBHOOK_SECRET"):
        Settings(var_dir=tmp_path)


def test_production_refuses_to_start_without_a_real_payment_provider(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_ENV", "production")
    monkeypatch.setenv("OMS_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("OMS_PAYMENT_WEBHOOK_SECRET", "whsec-real")
    monkeypatch.delenv("OMS_PAYMENT_PROVIDER_URL", raising=False)
    with pytest.raises(RuntimeError, match="OMS_PAYMENT_PROVIDER_URL must be set"):
        Settings(var_dir=tmp_path)
    monkeypatch.setenv("OMS_PAYMENT_PROVIDER_URL", "http://127.0.0.1:3000/sandbox/payments")
    with pytest.raises(RuntimeError, match="sandbox does not run in production"):
        Settings(var_dir=tmp_path)
    monkeypatch.setenv("OMS_PAYMENT_PROVIDER_URL", "https://payments.example/v1")
    settings = Settings(var_dir=tmp_path)
    assert not settings.sandboxes_enabled


def test_payment_retry_pauses_are_three_and_never_negative(tmp_path, monkeypatch):
    for bad in ("[10, 30]", "[10, 30, 90, 270]", "[10, -1, 90]"):
        monkeypatch.setenv("OMS_PAYMENT_RETRY_SECONDS", bad)
        with pytest.raises(ValueError, match="give 3 pauses"):
            Settings(var_dir=tmp_path)
    monkeypatch.setenv("OMS_PAYMENT_RETRY_SECONDS", "[0, 5, 60]")
    assert Settings(var_dir=tmp_path).payment_retry_seconds == [0, 5, 60]
