"""Configuration of the Partner Center client: where to call, who we are, how hard to retry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

MICROSOFT_API_URL = "https://api.partnercenter.microsoft.com"
MICROSOFT_LOGIN_URL = "https://login.microsoftonline.com"
MICROSOFT_GRAPH_URL = "https://graph.microsoft.com"
MICROSOFT_ADMIN_CENTER_URL = "https://admin.microsoft.com"

PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class PartnerCenterSettings(Protocol):
    """The slice of the application settings the client reads (``TENANTRY_PARTNER_CENTER_*``)."""

    @property
    def partner_center_api_url(self) -> str: ...
    @property
    def partner_center_login_url(self) -> str: ...
    @property
    def partner_center_tenant_id(self) -> str: ...
    @property
    def partner_center_client_id(self) -> str: ...
    @property
    def partner_center_client_secret(self) -> str: ...
    @property
    def partner_center_refresh_token(self) -> str: ...
    @property
    def partner_center_requests_per_minute(self) -> int: ...


@dataclass(frozen=True, slots=True)
class PartnerCenterConfig:
    """Everything the client needs; only the URLs differ between Microsoft and the sandbox.

    ``graph_url`` is the Microsoft Graph root (without ``/v1.0``) used for GDAP relationships;
    ``admin_center_url`` the Microsoft 365 admin center customers open links in.
    ``client_secret`` and ``refresh_token`` are kept out of ``repr`` so they never reach a log.
    """

    api_url: str = MICROSOFT_API_URL
    login_url: str = MICROSOFT_LOGIN_URL
    graph_url: str = MICROSOFT_GRAPH_URL
    admin_center_url: str = MICROSOFT_ADMIN_CENTER_URL
    tenant_id: str = ""
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    requests_per_minute: int = 500
    # Attempts for one call when the failure is a 5xx, a timeout or a dropped connection.
    max_attempts: int = 5
    # First backoff delay in seconds; doubles per failed attempt up to backoff_max (with jitter).
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # How many 429 answers one call sits out before it gives up with Throttled.
    max_throttle_retries: int = 5
    # A Retry-After longer than this is not waited for: the call raises Throttled at once.
    max_retry_after: float = 900.0
    timeout: float = 30.0
    # A cached token is renewed this many seconds before it expires.
    token_refresh_margin: float = 300.0
    # Operations that accept both token kinds use the app-only token when a client secret is
    # configured: it does not lapse the way a user's refresh token does.
    prefer_app_only: bool = True
    locale: str = "en-US"
    application_name: str = "Tenantry"

    def __post_init__(self) -> None:
        for name in ("api_url", "login_url", "graph_url", "admin_center_url"):
            object.__setattr__(self, name, getattr(self, name).rstrip("/"))
        if self.requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @property
    def token_url(self) -> str:
        """The v2 token endpoint of the partner's own Microsoft Entra tenant."""
        return f"{self.login_url}/{self.tenant_id}/oauth2/v2.0/token"

    @classmethod
    def from_settings(cls, settings: PartnerCenterSettings) -> PartnerCenterConfig:
        """Map ``TENANTRY_PARTNER_CENTER_*`` settings onto a config.

        Microsoft Graph and the Microsoft 365 admin center live on hosts of their own in
        production. Any other API URL is taken to be the sandbox, which serves Graph under
        ``{api_url}/graph`` and the admin center at its root. A settings object that defines
        ``partner_center_graph_url`` or ``partner_center_admin_center_url`` overrides them.
        """
        api_url = settings.partner_center_api_url.rstrip("/")
        microsoft = _is_microsoft(api_url)
        return cls(
            api_url=api_url,
            login_url=settings.partner_center_login_url,
            graph_url=_override(settings, "partner_center_graph_url")
            or (MICROSOFT_GRAPH_URL if microsoft else f"{api_url}/graph"),
            admin_center_url=_override(settings, "partner_center_admin_center_url")
            or (MICROSOFT_ADMIN_CENTER_URL if microsoft else api_url),
            tenant_id=settings.partner_center_tenant_id,
            client_id=settings.partner_center_client_id,
            client_secret=settings.partner_center_client_secret,
            refresh_token=settings.partner_center_refresh_token,
            requests_per_minute=settings.partner_center_requests_per_minute,
        )


def _override(settings: PartnerCenterSettings, name: str) -> str:
    """An optional URL setting the protocol does not require (empty when absent)."""
    return str(getattr(settings, name, "") or "")


def _is_microsoft(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith(".microsoft.com") or host.endswith(".microsoftonline.cn")
