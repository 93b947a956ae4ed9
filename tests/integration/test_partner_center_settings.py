"""Which Partner Center the settings point the client at: by default the embedded sandbox;
pointing it at Microsoft instead changes where it calls, nothing else."""

from __future__ import annotations

import dataclasses

from tenantry.partnercenter import PartnerCenterConfig
from tenantry.partnercenter.links import gdap_approval_url, reseller_invitation_url
from tenantry.settings import Settings

MICROSOFT = {
    "partner_center_api_url": "https://api.partnercenter.microsoft.com",
    "partner_center_login_url": "https://login.microsoftonline.com",
}
SANDBOX = {
    "partner_center_api_url": "http://127.0.0.1:8001",
    "partner_center_login_url": "http://127.0.0.1:8001",
}
IDENTITY = {
    "partner_center_tenant_id": "0c7d3d8a-5b2f-4c55-9d0e-1f2a3b4c5d6e",
    "partner_center_client_id": "app-id",
    "partner_center_client_secret": "app-secret",
    "partner_center_refresh_token": "refresh-token",
}
URL_FIELDS = {"api_url", "login_url", "graph_url", "admin_center_url"}


def config(urls: dict[str, str], **extra: str) -> PartnerCenterConfig:
    return PartnerCenterConfig.from_settings(Settings.model_validate({**urls, **IDENTITY, **extra}))


def test_only_the_urls_differ() -> None:
    microsoft, sandbox = config(MICROSOFT), config(SANDBOX)

    differing = {
        f.name
        for f in dataclasses.fields(PartnerCenterConfig)
        if getattr(microsoft, f.name) != getattr(sandbox, f.name)
    }

    assert differing == URL_FIELDS
    assert (microsoft.graph_url, microsoft.admin_center_url) == (
        "https://graph.microsoft.com",
        "https://admin.microsoft.com",
    )
    assert (sandbox.graph_url, sandbox.admin_center_url) == (
        "http://127.0.0.1:8001/graph",
        "http://127.0.0.1:8001",
    )


def test_admin_center_links_follow_the_configured_host() -> None:
    microsoft, sandbox = config(MICROSOFT), config(SANDBOX)

    assert gdap_approval_url("a-b", admin_center_url=microsoft.admin_center_url) == (
        "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/"
        "granularAdminRelationships/a-b"
    )
    assert gdap_approval_url("a-b", admin_center_url=sandbox.admin_center_url) == (
        "http://127.0.0.1:8001/AdminPortal/Home#/partners/invitation/granularAdminRelationships/a-b"
    )
    assert reseller_invitation_url("t", admin_center_url=sandbox.admin_center_url).startswith(
        "http://127.0.0.1:8001/Adminportal/Home?invType=ResellerRelationship&partnerId=t&"
    )


def test_a_settings_object_may_name_the_admin_center() -> None:
    class WithAdminCenter(Settings):
        partner_center_admin_center_url: str = "https://admin.example.test/"

    configured = PartnerCenterConfig.from_settings(WithAdminCenter.model_validate(SANDBOX))

    assert configured.admin_center_url == "https://admin.example.test"


def test_by_default_the_client_calls_the_sandbox_where_serve_runs_it() -> None:
    moved = PartnerCenterConfig.from_settings(Settings.model_validate({"sandbox_port": 9001}))
    on_an_interface = PartnerCenterConfig.from_settings(
        Settings.model_validate({"host": "10.1.2.3"})
    )
    all_interfaces = {"host": "0.0.0.0"}  # noqa: S104 - what serve would listen on
    everywhere = PartnerCenterConfig.from_settings(Settings.model_validate(all_interfaces))

    assert (moved.api_url, moved.login_url) == ("http://127.0.0.1:9001", "http://127.0.0.1:9001")
    assert moved.admin_center_url == "http://127.0.0.1:9001"
    assert on_an_interface.api_url == "http://10.1.2.3:8001"
    assert everywhere.api_url == "http://127.0.0.1:8001"


def test_urls_that_are_set_win_over_the_embedded_sandbox() -> None:
    configured = Settings.model_validate({**MICROSOFT, "sandbox_port": 9001})

    assert configured.partner_center_api_url == MICROSOFT["partner_center_api_url"]
    assert configured.partner_center_login_url == MICROSOFT["partner_center_login_url"]
