"""Settings come from OMS_* variables with safe defaults; production needs secrets."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from oms_dashboard.notifications.vapid import load_private_key, public_key_b64
from oms_dashboard.settings import Settings

# A P-256 private key as `vapid --gen` and web push guides print it: 32 bytes, base64url.
RAW_VAPID_KEY = "3DT3ZiK0V7GzBGB-LiSSv7Kdy25nrPbt2LNhVmIo6vE"


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
    monkeypatch.setenv("OMS_VAPID_PRIVATE_KEY", RAW_VAPID_KEY)
    settings = Settings(var_dir=tmp_path)
    assert not settings.sandboxes_enabled


def test_payment_retry_pauses_are_three_and_never_negative(tmp_path, monkeypatch):
    for bad in ("[10, 30]", "[10, 30, 90, 270]", "[10, -1, 90]"):
        monkeypatch.setenv("OMS_PAYMENT_RETRY_SECONDS", bad)
        with pytest.raises(ValueError, match="give 3 pauses"):
            Settings(var_dir=tmp_path)
    monkeypatch.setenv("OMS_PAYMENT_RETRY_SECONDS", "[0, 5, 60]")
    assert Settings(var_dir=tmp_path).payment_retry_seconds == [0, 5, 60]


def production(monkeypatch, **more: str) -> None:
    for name, value in {
        "OMS_ENV": "production",
        "OMS_SECRET_KEY": "x" * 48,
        "OMS_PAYMENT_WEBHOOK_SECRET": "whsec-real",
        "OMS_PAYMENT_PROVIDER_URL": "https://payments.example/v1",
        **more,
    }.items():
        monkeypatch.setenv(name, value)


def test_the_local_vapid_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("OMS_VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("OMS_ENV", "development")
    first, second = Settings(var_dir=tmp_path), Settings(var_dir=tmp_path)
    assert first.vapid_private_key == second.vapid_private_key
    assert first.vapid_private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o077 == 0
    assert first.vapid_subject == "mailto:ops@oms.example"


def test_production_refuses_to_start_without_a_vapid_key(tmp_path, monkeypatch):
    production(monkeypatch)
    monkeypatch.delenv("OMS_VAPID_PRIVATE_KEY", raising=False)
    with pytest.raises(RuntimeError, match="OMS_VAPID_PRIVATE_KEY must be set"):
        Settings(var_dir=tmp_path)
    assert not (tmp_path / "vapid_private.pem").exists()


def test_a_vapid_key_is_taken_as_pem_or_raw_base64url(tmp_path, monkeypatch):
    production(monkeypatch, OMS_VAPID_PRIVATE_KEY=RAW_VAPID_KEY)
    raw = Settings(var_dir=tmp_path)
    pem = load_private_key(RAW_VAPID_KEY).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # "BEGIN EC PRIVATE KEY", as openssl writes
        serialization.NoEncryption(),
    )
    monkeypatch.setenv("OMS_VAPID_PRIVATE_KEY", pem.decode())
    from_pem = Settings(var_dir=tmp_path)
    assert public_key_b64(load_private_key(raw.vapid_private_key)) == public_key_b64(
        load_private_key(from_pem.vapid_private_key)
    )


@pytest.mark.parametrize(
    "bad, why",
    [
        ("not a key", "neither a PEM nor a base64url raw key"),
        ("AAAA", "a raw key is 32 bytes"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a readable"),
    ],
)
def test_a_bad_vapid_key_stops_the_start_with_the_reason(tmp_path, monkeypatch, bad, why):
    production(monkeypatch, OMS_VAPID_PRIVATE_KEY=bad)
    with pytest.raises(RuntimeError, match=f"OMS_VAPID_PRIVATE_KEY: .*{why}"):
        Settings(var_dir=tmp_path)


def test_an_rsa_key_is_no_vapid_key(tmp_path, monkeypatch):
    rsa_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    production(monkeypatch, OMS_VAPID_PRIVATE_KEY=rsa_pem)
    with pytest.raises(RuntimeError, match="P-256"):
        Settings(var_dir=tmp_path)
