"""Configuration from the application settings."""

from __future__ import annotations

import pytest

from tenantry.partnercenter import PartnerCenterConfig
from tenantry.partnercenter.config import MICROSOFT_GRAPH_URL
from tenantry.settings import Settings


def settings(**values: object) -> Settings:
    return Settings.model_validate(
        {f"partner_center_{key}": value for key, value in values.items()}
    )


def test_from_settings_maps_every_partner_center_setting() -> None:
    config = PartnerCenterConfig.from_settings(
        settings(
            api_url="https://api.partnercenter.microsoft.com/",
            login_url="https://login.microsoftonline.com",
            tenant_id="tenant",
            client_id="client",
            client_secret="secret",
            refresh_token="refresh",
            requests_per_minute=250,
        )
    )

    assert config.api_url == "https://api.partnercenter.microsoft.com"
    assert config.login_url == "https://login.microsoftonline.com"
    assert config.graph_url == MICROSOFT_GRAPH_URL
    assert (config.tenant_id, config.client_id) == ("tenant", "client")
    assert (config.client_secret, config.refresh_token) == ("secret", "refresh")
    assert config.requests_per_minute == 250
    assert config.token_url == "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"


def test_sandbox_serves_graph_under_its_own_host() -> None:
    config = PartnerCenterConfig.from_settings(settings(api_url="http://127.0.0.1:8001"))

    assert config.graph_url == "http://127.0.0.1:8001/graph"


def test_environment_variables_reach_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENANTRY_PARTNER_CENTER_TENANT_ID", "from-env")
    monkeypatch.setenv("TENANTRY_PARTNER_CENTER_REFRESH_TOKEN", "rt")

    config = PartnerCenterConfig.from_settings(Settings())

    assert config.tenant_id == "from-env"
    assert config.refresh_token == "rt"


def test_secrets_stay_out_of_repr() -> None:
    config = PartnerCenterConfig(client_secret="s3cret", refresh_token="r3fresh")

    assert "s3cret" not in repr(config)
    assert "r3fresh" not in repr(config)


def test_defaults_point_at_microsoft() -> None:
    config = PartnerCenterConfig()

    assert config.api_url == "https://api.partnercenter.microsoft.com"
    assert config.login_url == "https://login.microsoftonline.com"
    assert config.requests_per_minute == 500
    assert config.max_attempts == 5


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="requests_per_minute"):
        PartnerCenterConfig(requests_per_minute=0)
