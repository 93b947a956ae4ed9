"""Sandbox settings from the environment (prefix ``TENANTRY_SANDBOX_``).

The sandbox plays two Microsoft services at once: the identity platform (token endpoint, keys) and
Partner Center. The distributor it stands in for, and the one app registration it accepts, are
configured here so the product can be pointed at it with the same settings it would use for
Microsoft.
"""

from __future__ import annotations

import uuid

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PARTNER_TENANT_ID = uuid.UUID("3b33e682-00c3-41ee-9dd2-a548adf56438")
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TENANTRY_SANDBOX_", env_file=None, extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/sandbox.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=1, le=65535)
    # Where clients reach the sandbox; used for token issuers, discovery documents and the
    # relationship invitation links customers open.
    base_url: str = "http://127.0.0.1:8001"

    # The distributor (indirect provider) the sandbox's Partner Center account belongs to.
    partner_tenant_id: uuid.UUID = DEFAULT_PARTNER_TENANT_ID
    partner_mpn_id: str = "4391507"
    partner_name: str = "Tenantry Sandbox Distribution"
    partner_domain: str = "tenantrysandboxdist.onmicrosoft.com"
    partner_location: str = "US"
    partner_admin_upn: str = "admin@tenantrysandboxdist.onmicrosoft.com"

    # The one app registration the token endpoint accepts (client credentials or refresh token).
    client_id: str = "9e1b5d2c-7f4a-4c51-8c8e-0f3d1a6b2e77"
    client_secret: str = "sandbox-client-secret"  # noqa: S105 - a stand-in's well-known secret
    # A refresh token registered at startup for the partner admin, so an App+User client can be
    # configured without an interactive sign-in. Empty disables it.
    bootstrap_refresh_token: str = "sandbox-refresh-token"  # noqa: S105
    access_token_lifetime_seconds: int = Field(default=3599, ge=60)
    refresh_token_lifetime_days: int = Field(default=90, ge=1)
    # Signing people in (authorization code flow) to that app: the name its consent page shows
    # and its registered redirect URIs (JSON list; empty accepts any http(s) URL).
    client_name: str = "Tenantry"
    redirect_uris: list[str] = Field(default_factory=list)

    # The mailbox's SMTP server, on ``host`` (0 turns it off).
    smtp_port: int = Field(default=8025, ge=0, le=65535)
    # Webhook delivery: attempts before a delivery is parked, and the backoff between them
    # (base * 2^(attempt-1), capped).
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # How often the background task delivers due webhooks and moves GDAP relationships on.
    background_interval_seconds: float = Field(default=1.0, gt=0)

    # The card payment stand-in (Stripe's Checkout Sessions and webhooks, docs/payments.md): the
    # secret key it accepts, the merchant's webhook endpoint and that endpoint's signing secret
    # (empty URL: events are kept, never posted). `tenantry serve` sets all three to Tenantry's.
    card_secret_key: str = "sk_test_tenantry_sandbox"  # noqa: S105 - a stand-in's demo key
    card_webhook_url: str = ""
    card_webhook_secret: str = "whsec_tenantry_sandbox"  # noqa: S105

    # Partner Center's published limit: 500 requests per minute per tenant identifier (0: none).
    requests_per_minute: int = Field(default=500, ge=0)
    # Seek paging: page size when the caller sends none (or size=0) and the largest accepted.
    default_page_size: int = Field(default=100, ge=1)
    max_page_size: int = Field(default=500, ge=1)
    # Catalog listings (products, SKUs, availabilities) come in pages of this many items,
    # followed with a continuation token; ``PUT /_sandbox/catalog`` changes it at run time.
    catalog_page_size: int = Field(default=100, ge=1)
    # Signs continuation tokens so a client cannot forge a cursor into another partner's data.
    secret_key: str = "sandbox-development-secret"  # noqa: S105
    server_id: str = "201022015"
    # How long a write's response is kept for replay under the same MS-RequestId.
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=1)
    # Where relationship invitation links point; defaults to the sandbox's own admin portal.
    admin_portal_url: str | None = None

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

    @property
    def portal_url(self) -> str:
        return self.admin_portal_url or f"{self.base_url.rstrip('/')}/Adminportal/Home"

    @property
    def issuer_base(self) -> str:
        return self.base_url.rstrip("/")
