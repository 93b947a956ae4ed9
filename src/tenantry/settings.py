"""Settings from the environment (prefix ``TENANTRY_``); every one is listed in docs/configuration.md."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CARD_DEMO_SECRET_NAMES = frozenset({"card_secret_key", "card_webhook_secret"})
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105
# Seals new tenants' first administrator credentials in development and tests only (a Fernet key:
# 32 bytes, URL-safe base64); production refuses it (docs/configuration.md).
DEVELOPMENT_CREDENTIALS_KEY = "Z-aFPUzkoKMIt2sGCbytxdgkqaIeNm1Rtv4lthHdIrE="
# Where Microsoft publishes the certificate that signs Partner Center's webhook callbacks, and
# the subject it is issued for (docs/partner-center.md, "Partner Center webhooks").
MICROSOFT_WEBHOOK_CERTIFICATE_URL = "https://3psostorageacct.blob.core.windows.net/cert/"
MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT = "pcnotifications-dispatch.microsoft.com"
# The embedded sandbox's: it publishes its certificate under /webhooks/certificates/.
SANDBOX_WEBHOOK_CERTIFICATE_PATH = "/webhooks/certificates/"
SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT = "pcnotifications-dispatch.sandbox.tenantry.local"
WEBHOOK_PATH = "/api/v1/partner-center/events"
# Where a card service posts its events (the payments webhook route, provider "card").
CARD_WEBHOOK_PATH = "/api/v1/payments/card/webhook"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TENANTRY_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///var/tenantry.db"
    queue_url: str = "sqlite:///var/queue.db"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True
    # `tenantry serve`: processes serving the app behind the one port (docs/running.md), and the
    # event loop each runs: auto (uvloop when installed), asyncio or uvloop.
    workers: int = Field(default=1, ge=1, le=64)
    event_loop: Literal["auto", "asyncio", "uvloop"] = "auto"

    # How many huey worker threads `serve` runs in-process (SQLite queue) and `worker` runs per process.
    worker_threads: int = Field(default=2, ge=1, le=64)
    # A running outbox row is handed to the queue again once its lease has not been renewed for
    # this many seconds (its worker died); a live worker renews it every heartbeat while the job
    # runs (default: a third of the lease).
    outbox_lease_seconds: int = Field(default=60, ge=5)
    outbox_heartbeat_seconds: float | None = Field(default=None, gt=0)
    outbox_sweep_interval_seconds: int = Field(default=60, ge=1)
    # How often the consumer that schedules periodic jobs looks for due ones. The schedules count
    # in minutes, so anything but 60 runs an every-minute job on every look: for tests.
    periodic_check_seconds: int = Field(default=60, ge=1, le=60)

    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    cookie_secure: bool = False
    # Failed sign-ins allowed per account, and per client address, in any hour.
    login_attempts_per_hour: int = Field(default=100, ge=1)
    login_attempts_per_hour_per_address: int = Field(default=500, ge=1)
    # How long staff act for a customer (login on behalf) before it ends by itself.
    on_behalf_minutes: int = Field(default=30, ge=1, le=480)

    # Unless set, the embedded sandbox's mailbox (TENANTRY_SANDBOX_SMTP_PORT on this machine).
    smtp_url: str = "smtp://127.0.0.1:8025"
    mail_from: str = "Tenantry <no-reply@tenantry.local>"
    # An SMTP delivery gives up when a step (connecting, any command) takes longer; retried later.
    # Short: on SQLite the job holds the database's write lock while it sends.
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # How customers pay for orders (docs/orders.md, "Payment providers"), comma-separated: the
    # enabled providers ("manual": the seller invoices, its staff mark orders paid; "card": card
    # payments, docs/payments.md), and the modules that register providers not shipped with
    # Tenantry. Unset, "manual", plus "card" in development when card payments go to the
    # embedded sandbox.
    payment_providers: str = "manual"
    payment_provider_modules: str = ""

    # Card payments (docs/payments.md): Stripe's API (Checkout Sessions and signed webhooks).
    # The defaults are the embedded sandbox's stand-in and its well-known demo keys; for Stripe
    # set https://api.stripe.com, the account's secret key and the webhook endpoint's secret.
    card_api_url: str = "http://127.0.0.1:8001"
    card_secret_key: str = "sk_test_tenantry_sandbox"  # noqa: S105 - the sandbox's demo key
    card_webhook_secret: str = "whsec_tenantry_sandbox"  # noqa: S105 - the sandbox's demo secret
    # How old a webhook's signature may be (Stripe's own libraries allow 300 seconds).
    card_webhook_tolerance_seconds: int = Field(default=300, ge=1, le=86400)
    card_timeout_seconds: float = Field(default=20.0, gt=0, le=120)

    # The defaults are the embedded sandbox: where `tenantry serve` runs it (the two URLs follow
    # TENANTRY_HOST and TENANTRY_SANDBOX_PORT unless set) and its well-known partner identity (the
    # TENANTRY_SANDBOX_PARTNER_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET, _BOOTSTRAP_REFRESH_TOKEN
    # defaults), so `make run` has a working client with no configuration. They mean nothing to
    # Microsoft: set all of them when pointing at a real account (docs/partner-center.md).
    partner_center_api_url: str = "http://127.0.0.1:8001"
    partner_center_login_url: str = "http://127.0.0.1:8001"
    partner_center_tenant_id: str = "3b33e682-00c3-41ee-9dd2-a548adf56438"
    partner_center_client_id: str = "9e1b5d2c-7f4a-4c51-8c8e-0f3d1a6b2e77"
    partner_center_client_secret: str = "sandbox-client-secret"  # noqa: S105
    partner_center_refresh_token: str = "sandbox-refresh-token"  # noqa: S105
    partner_center_requests_per_minute: int = Field(default=500, ge=1)

    # Partner Center's webhook callbacks (docs/partner-center.md, "Partner Center webhooks"): the
    # URL Partner Center posts to (default: TENANTRY_BASE_URL + /api/v1/partner-center/events),
    # the certificate URL prefixes and subjects a callback's signing certificate must have (comma
    # separated; with the embedded sandbox its own are added), how long a downloaded certificate
    # is trusted before it is fetched again, and whether serving registers the subscription at
    # start (default: only with the embedded sandbox).
    partner_center_webhook_url: str = ""
    partner_center_webhook_certificate_urls: str = MICROSOFT_WEBHOOK_CERTIFICATE_URL
    partner_center_webhook_certificate_subjects: str = MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT
    partner_center_webhook_certificate_cache_seconds: int = Field(default=3600, ge=0, le=86400)
    partner_center_webhook_register_on_start: bool | None = None
    # How many days handled and ignored Partner Center events are kept before the daily clean-up
    # deletes them (failed ones are kept for staff to look into).
    partner_center_event_retention_days: int = Field(default=90, ge=1, le=3650)

    # Sync with Partner Center (docs/sync.md): the full sync's schedule (cron: minute hour day
    # month weekday, UTC), how often the audit records are polled, and how many per-customer
    # calls a run has in flight at once.
    sync_schedule: str = "0 2 * * *"
    sync_audit_poll_minutes: int = Field(default=5, ge=1, le=1440)
    sync_concurrency: int = Field(default=8, ge=1, le=64)
    # Importing linked customers' directories (users, domains, licenses): see docs/tenant-import.md.
    directory_import_page_size: int = Field(default=100, ge=1, le=500)
    directory_reimport_hours: int = Field(default=24, ge=0, le=8760)

    # Agreements (docs/agreements.md): when the daily digest of customers at risk goes out (cron,
    # UTC), how many customers' Microsoft Customer Agreement statuses one run of the refresh job
    # asks Partner Center for (it runs every minute), and after how many hours a missing or
    # unknown status is asked again.
    agreements_digest_schedule: str = "0 7 * * *"
    agreements_refresh_batch: int = Field(default=20, ge=1, le=500)
    agreements_recheck_hours: int = Field(default=24, ge=1, le=24 * 30)

    # New tenants (docs/tenants.md): the key(s) sealing a new tenant's first administrator
    # credentials until the one-time link is opened (Fernet keys, comma-separated: the first
    # seals, every one opens, so a key can be rotated), and how long the emailed link works.
    credentials_key: str = DEVELOPMENT_CREDENTIALS_KEY
    credentials_link_hours: int = Field(default=72, ge=1, le=24 * 14)

    # Provisioning paid orders in Partner Center (docs/provisioning.md): seconds between two looks
    # at an order's provisioning status, how long a new tenant may stay unknown to Partner Center
    # before the order fails, and how long Partner Center may stay unreachable or throttling.
    provisioning_poll_seconds: int = Field(default=30, ge=1, le=3600)
    provisioning_tenant_ready_minutes: int = Field(default=30, ge=1, le=24 * 60)
    provisioning_give_up_hours: int = Field(default=24, ge=1, le=24 * 14)
    # The catalog (docs/catalog.md): when it is read again from Partner Center (cron, UTC; daily
    # by default). Staff refresh it at any time too.
    catalog_refresh_schedule: str = "30 3 * * *"

    # Signing people in with a Microsoft account (OpenID Connect), through an app registration that
    # admits personal and work accounts. The defaults are the embedded sandbox (the URL follows it
    # as above) and its well-known app; in production the sign-in is offered only once the client
    # id and secret are a real registration's (docs/identity.md).
    microsoft_login_url: str = "http://127.0.0.1:8001"
    microsoft_client_id: str = "9e1b5d2c-7f4a-4c51-8c8e-0f3d1a6b2e77"
    microsoft_client_secret: str = "sandbox-client-secret"  # noqa: S105

    sandbox_port: int = Field(default=8001, ge=1, le=65535)
    # The embedded sandbox's mailbox (SMTP) port; the default TENANTRY_SMTP_URL follows it.
    sandbox_smtp_port: int = Field(default=8025, ge=0, le=65535)
    sandbox_database_url: str = "sqlite+aiosqlite:///var/sandbox.db"
    run_sandbox: bool = True

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept plain URLs as operators write them and pick the async driver."""
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        return value

    @field_validator("event_loop")
    @classmethod
    def _uvloop_is_installed(cls, value: str) -> str:
        if value == "uvloop" and importlib.util.find_spec("uvloop") is None:
            raise ValueError(
                "uvloop is not installed (uvicorn[standard] brings it); choose auto or asyncio"
            )
        return value

    def local_host(self) -> str:
        """This machine as a URL names it: a wildcard bind address becomes the loopback one."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"[{host}]" if ":" in host else host  # an IPv6 address is bracketed in a URL

    @model_validator(mode="after")
    def _base_url_follows_the_port(self) -> Settings:
        """Unless set, links (emails, Microsoft's way back) point where `tenantry serve` listens."""
        if "base_url" not in self.model_fields_set:
            self.base_url = f"http://{self.local_host()}:{self.port}"
            self.model_fields_set.discard("base_url")
        return self

    @model_validator(mode="after")
    def _partner_center_defaults_to_the_embedded_sandbox(self) -> Settings:
        """Unless set, the client calls the sandbox where `tenantry serve` runs it."""
        embedded = f"http://{self.local_host()}:{self.sandbox_port}"
        for name in (
            "partner_center_api_url",
            "partner_center_login_url",
            "microsoft_login_url",
            "card_api_url",
        ):
            if name not in self.model_fields_set:
                setattr(self, name, embedded)
                self.model_fields_set.discard(name)  # still a default, not the operator's choice
        if self.partner_center_is_embedded_sandbox:
            # Its webhook callbacks are signed with its own certificate, published by itself.
            self.partner_center_webhook_certificate_urls += (
                f",{embedded}{SANDBOX_WEBHOOK_CERTIFICATE_PATH}"
            )
            self.partner_center_webhook_certificate_subjects += (
                f",{SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT}"
            )
            for name in (
                "partner_center_webhook_certificate_urls",
                "partner_center_webhook_certificate_subjects",
            ):
                self.model_fields_set.discard(name)
        return self

    @model_validator(mode="after")
    def _card_payments_with_the_embedded_sandbox(self) -> Settings:
        """Unless set, development offers card payments against the sandbox (its demo keys);
        production refuses those keys for a card provider it enables."""
        if (
            "payment_providers" not in self.model_fields_set
            and self.environment == "development"
            and self.card_is_embedded_sandbox
        ):
            self.payment_providers = "manual,card"
            self.model_fields_set.discard("payment_providers")
        if (
            self.environment == "production"
            and "card" in self.enabled_payment_providers
            and CARD_DEMO_SECRET_NAMES & self.model_fields_set != CARD_DEMO_SECRET_NAMES
        ):
            raise ValueError(
                "the card provider is enabled with the sandbox's demo keys: set "
                "TENANTRY_CARD_SECRET_KEY and TENANTRY_CARD_WEBHOOK_SECRET (docs/payments.md)"
            )
        return self

    @model_validator(mode="after")
    def _webhook_url_follows_the_base_url(self) -> Settings:
        """Unless set, Partner Center posts its callbacks to this app's public address."""
        if not self.partner_center_webhook_url:
            self.partner_center_webhook_url = self.base_url.rstrip("/") + WEBHOOK_PATH
            self.model_fields_set.discard("partner_center_webhook_url")
        if self.partner_center_webhook_register_on_start is None:
            self.partner_center_webhook_register_on_start = self.partner_center_is_embedded_sandbox
            self.model_fields_set.discard("partner_center_webhook_register_on_start")
        return self

    @model_validator(mode="after")
    def _mail_defaults_to_the_embedded_mailbox(self) -> Settings:
        """Unless set, mail goes to the sandbox's mailbox where `tenantry serve` runs it."""
        if "smtp_url" not in self.model_fields_set and self.sandbox_smtp_port:
            self.smtp_url = f"smtp://{self.local_host()}:{self.sandbox_smtp_port}"
            self.model_fields_set.discard("smtp_url")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_its_heartbeat(self) -> Settings:
        heartbeat = self.outbox_heartbeat_seconds
        if heartbeat is not None and heartbeat >= self.outbox_lease_seconds:
            raise ValueError(
                "TENANTRY_OUTBOX_HEARTBEAT_SECONDS must be shorter than "
                "TENANTRY_OUTBOX_LEASE_SECONDS (a third of it is the default), or a running "
                "job's lease runs out between two renewals"
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError(
                "TENANTRY_SECRET_KEY is the built-in development key; outside development mode "
                "set TENANTRY_SECRET_KEY to a long random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("TENANTRY_SECRET_KEY must be at least 32 characters long")
        if self.environment == "production" and DEVELOPMENT_CREDENTIALS_KEY in _comma_separated(
            self.credentials_key
        ):
            raise ValueError(
                "TENANTRY_CREDENTIALS_KEY is the built-in development key; outside development "
                "mode set it to a key of your own (the output of `python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            )
        return self

    @field_validator("credentials_key")
    @classmethod
    def _credentials_keys_are_fernet_keys(cls, value: str) -> str:
        keys = _comma_separated(value)
        if not keys:
            raise ValueError("TENANTRY_CREDENTIALS_KEY needs at least one key")
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    "TENANTRY_CREDENTIALS_KEY holds something that is not a Fernet key (32 bytes "
                    "in URL-safe base64, as Fernet.generate_key() makes)"
                ) from None
        return value

    @property
    def credentials_keys(self) -> list[str]:
        """TENANTRY_CREDENTIALS_KEY, one key a comma: the first seals, all open."""
        return _comma_separated(self.credentials_key)

    @property
    def partner_center_is_embedded_sandbox(self) -> bool:
        """The client calls the sandbox `tenantry serve` runs (no Partner Center URL was set)."""
        return "partner_center_api_url" not in self.model_fields_set

    @property
    def webhook_certificate_urls(self) -> list[str]:
        """TENANTRY_PARTNER_CENTER_WEBHOOK_CERTIFICATE_URLS, one prefix a line."""
        return _comma_separated(self.partner_center_webhook_certificate_urls)

    @property
    def webhook_certificate_subjects(self) -> list[str]:
        return _comma_separated(self.partner_center_webhook_certificate_subjects)

    @property
    def card_is_embedded_sandbox(self) -> bool:
        """Card payments go to the sandbox `tenantry serve` runs (no card API URL was set)."""
        return "card_api_url" not in self.model_fields_set

    @property
    def enabled_payment_providers(self) -> list[str]:
        return _comma_separated(self.payment_providers)

    @property
    def payment_provider_module_names(self) -> list[str]:
        return _comma_separated(self.payment_provider_modules)

    @property
    def outbox_heartbeat_interval(self) -> float:
        """Seconds between two renewals of a running job's lease."""
        return self.outbox_heartbeat_seconds or self.outbox_lease_seconds / 3

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.split(":///", 1)[1])


def _comma_separated(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
