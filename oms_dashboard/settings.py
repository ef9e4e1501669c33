"""Every setting of the OMS, read from ``OMS_*`` environment variables.

Defaults make a laptop work with nothing else running: a SQLite file and an
embedded Redis under ``var/``. Production mode refuses to start without a
real secret key.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from oms_dashboard.domain.payment import VERIFICATION_RETRIES

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    var_dir: Path = ROOT / "var"
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    payment_webhook_secret: str = ""
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    smtp_url: str = ""
    payment_provider_url: str = ""
    """Base URL of the payment provider's API; unset: the sandbox inside this process
    (outside production only)."""
    vapid_private_key: str = ""
    """The key that signs web pushes: a P-256 PEM, or the raw private key in base64url.
    Unset: generated once into ``var/vapid_private.pem`` (outside production only)."""
    vapid_subject: str = "mailto:ops@oms.example"
    """Who push services contact about our pushes (the VAPID ``sub`` claim)."""
    payment_retry_seconds: list[int] = [10, 30, 90]
    """Pause before each re-verification of a payment (three retries)."""
    outbox_lease_seconds: int = Field(default=300, ge=1)
    """How long a worker holds an outbox message it is delivering: a worker that dies
    mid-delivery leaves it to the sweep once this has passed. Keep it well above the
    longest delivery (each SMTP step may wait 15 s, and a new-order message emails
    every staff member of the seller in turn), or a slow delivery is taken over and
    sent twice."""
    outbox_sweep_seconds: int = Field(default=15, ge=1)
    """Seconds between the cron's outbox sweeps: how late a message whose after-commit
    enqueue was lost (Redis down) goes out."""
    tracking_sync_seconds: int = Field(default=600, ge=5)
    """How long after a carrier's last answer its package is asked about again (webhooks
    bring news sooner; the sync is what guarantees it within this time)."""
    sandbox_speed: float = Field(default=360.0, ge=0)
    """Sandbox seconds per real second for the sandbox carriers' own journeys (360: a
    package's hour passes in 10 s); 0 stops them, leaving only the harness's scans."""
    port: int = 3000
    sql_echo: bool = False
    sqlite_immediate: bool = True
    """SQLite only: take the write lock when a transaction begins. Several processes
    (app, worker) read then write; a deferred transaction that finds another
    writer committed since its read fails at once with "database is locked",
    where an immediate one waits its turn (busy_timeout)."""
    db_pool_size: int = Field(default=10, ge=1, le=500)
    """Connections each process keeps (and as many again at peaks)."""
    search_timeout_ms: int = Field(default=10_000, ge=100)
    """PostgreSQL only: the longest one statement of an order search or export page may
    run; past it the search fails (503) and its connection is free again."""

    @field_validator("payment_retry_seconds")
    @classmethod
    def _three_pauses(cls, value: list[int]) -> list[int]:
        if len(value) != VERIFICATION_RETRIES or any(pause < 0 for pause in value):
            raise ValueError(
                f"give {VERIFICATION_RETRIES} pauses in seconds, none negative, e.g. [10, 30, 90]"
            )
        return value

    @field_validator("var_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.resolve()

    def model_post_init(self, __context: object) -> None:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'oms.db'}"
        if not self.secret_key:
            if self.env == "production":
                raise RuntimeError("OMS_SECRET_KEY must be set when OMS_ENV=production")
            self.secret_key = _local_secret(self.var_dir / "secret_key")
        if not self.payment_webhook_secret:
            if self.env == "production":
                raise RuntimeError("OMS_PAYMENT_WEBHOOK_SECRET must be set when OMS_ENV=production")
            self.payment_webhook_secret = f"whsec-{self.secret_key[:24]}"
        if self.env == "production" and (
            not self.payment_provider_url or "/sandbox" in self.payment_provider_url
        ):
            raise RuntimeError(
                "OMS_PAYMENT_PROVIDER_URL must be set to the payment provider's API when "
                "OMS_ENV=production; the built-in sandbox does not run in production"
            )
        self._check_vapid()

    def _check_vapid(self) -> None:
        # Here rather than at the first push: a bad key would otherwise surface only as
        # every push failing, in the worker's log, hours after a deploy.
        from oms_dashboard.notifications.vapid import BadVapidKey, load_private_key, local_key

        if not self.vapid_private_key:
            if self.env == "production":
                raise RuntimeError(
                    "OMS_VAPID_PRIVATE_KEY must be set when OMS_ENV=production: browsers "
                    "subscribe to web push with its public half, so it must not change"
                )
            self.vapid_private_key = local_key(self.var_dir / "vapid_private.pem")
        try:
            load_private_key(self.vapid_private_key)
        except BadVapidKey as exc:
            raise RuntimeError(f"OMS_VAPID_PRIVATE_KEY: {exc}") from None
        if not self.vapid_subject.startswith(("mailto:", "https://")):
            raise RuntimeError(
                "OMS_VAPID_SUBJECT must be a mailto: or https: URL, e.g. mailto:ops@example.com"
            )

    @property
    def sandboxes_enabled(self) -> bool:
        """The built-in payment (and carrier) sandboxes exist outside production only."""
        return self.env != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded_redis_socket(self) -> Path:
        return self.var_dir / "redis" / "redis.sock"


def _local_secret(path: Path) -> str:
    """A secret generated once per checkout of the repo, kept under var/."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
