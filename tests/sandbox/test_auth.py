"""The identity platform: tokens, keys, discovery; and bearer checks on Partner Center routes."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import PARTNER_CENTER_SCOPE, Sandbox


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def form(sandbox: Sandbox, **fields: str) -> dict[str, str]:
    return {
        "client_id": sandbox.settings.client_id,
        "client_secret": sandbox.settings.client_secret,
        **fields,
    }


async def test_client_credentials_give_an_app_only_token(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(
        f"/{sandbox.partner_id}/oauth2/v2.0/token",
        data=form(sandbox, grant_type="client_credentials", scope=PARTNER_CENTER_SCOPE),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == sandbox.settings.access_token_lifetime_seconds
    assert "refresh_token" not in body
    claims = claims_of(body["access_token"])
    assert claims["idtyp"] == "app"
    assert claims["tid"] == str(sandbox.partner_id)
    assert claims["appid"] == sandbox.settings.client_id
    assert claims["aud"] == "https://api.partnercenter.microsoft.com"
    assert claims["exp"] > claims["iat"]


async def test_refresh_token_gives_an_app_user_token_and_rotates(sandbox: Sandbox) -> None:
    url = f"/{sandbox.partner_id}/oauth2/v2.0/token"
    first = await sandbox.client.post(
        url,
        data=form(
            sandbox,
            grant_type="refresh_token",
            refresh_token=sandbox.settings.bootstrap_refresh_token,
            scope="https://api.partnercenter.microsoft.com/user_impersonation offline_access",
        ),
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["refresh_token"] != sandbox.settings.bootstrap_refresh_token
    claims = claims_of(body["access_token"])
    assert claims["idtyp"] == "user"
    assert claims["upn"] == sandbox.settings.partner_admin_upn
    again = await sandbox.client.post(
        url, data=form(sandbox, grant_type="refresh_token", refresh_token=body["refresh_token"])
    )
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] not in (body["refresh_token"], "")


async def test_the_token_is_a_signed_jwt_verifiable_with_the_published_keys(
    sandbox: Sandbox,
) -> None:
    token = await sandbox.token()
    configuration = (await sandbox.client.get("/.well-known/openid-configuration")).json()
    assert configuration["jwks_uri"].endswith("/common/discovery/v2.0/keys")
    assert configuration["token_endpoint"].endswith("/common/oauth2/v2.0/token")
    keys = (await sandbox.client.get(f"/{sandbox.partner_id}/discovery/v2.0/keys")).json()
    assert all("d" not in key for key in keys["keys"])
    decoded = jwt.decode(token, KeySet.import_key_set(keys), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    assert decoded.claims["tid"] == str(sandbox.partner_id)
    tenant_configuration = await sandbox.client.get(
        f"/{sandbox.partner_id}/v2.0/.well-known/openid-configuration"
    )
    assert tenant_configuration.json()["issuer"] == claims_of(token)["iss"]


@pytest.mark.parametrize(
    ("fields", "status", "error", "code"),
    [
        ({"grant_type": "client_credentials", "client_secret": "wrong"}, 401, "invalid_client", 7000215),
        ({"grant_type": "client_credentials", "client_id": "someone-else"}, 400, "unauthorized_client", 700016),
        ({"grant_type": "client_credentials", "scope": "https://api.partnercenter.microsoft.com/user_impersonation"}, 400, "invalid_scope", 1002012),
        ({"grant_type": "client_credentials", "scope": "https://unknown.example/.default"}, 400, "invalid_resource", 500011),
        ({"grant_type": "refresh_token", "refresh_token": "not-a-token"}, 400, "invalid_grant", 9002313),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
        ({}, 400, "invalid_request", 900144),
    ],
)  # fmt: skip
async def test_token_endpoint_errors_use_entra_ids_shape(
    sandbox: Sandbox, fields: dict[str, str], status: int, error: str, code: int
) -> None:
    data = form(sandbox, scope=PARTNER_CENTER_SCOPE)
    data.update(fields)
    response = await sandbox.client.post(f"/{sandbox.partner_id}/oauth2/v2.0/token", data=data)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith(f"AADSTS{code}:")
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)


async def test_unknown_tenant_is_refused(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(
        "/00000000-0000-0000-0000-000000000001/oauth2/v2.0/token",
        data=form(sandbox, grant_type="client_credentials", scope=PARTNER_CENTER_SCOPE),
    )
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]


async def test_client_secret_may_come_as_basic_authentication(sandbox: Sandbox) -> None:
    secret = f"{sandbox.settings.client_id}:{sandbox.settings.client_secret}"
    response = await sandbox.client.post(
        f"/{sandbox.settings.partner_domain}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": PARTNER_CENTER_SCOPE},
        headers={"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not.a.jwt", "Basic abc"],
)
async def test_partner_center_refuses_requests_without_a_valid_token(
    sandbox: Sandbox, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await sandbox.client.get("/v1/customers", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 400
    assert body["description"].startswith("Access denied")
    assert body["attributes"] == {"objectType": "ApiFault"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_token_signed_by_another_key_is_refused(sandbox: Sandbox) -> None:
    from joserfc.jwk import RSAKey

    token = await sandbox.token(app_only=True)
    forged = jwt.encode(
        {"alg": "RS256", "kid": "someone-elses"},
        claims_of(token),
        RSAKey.generate_key(2048, private=True),
    )
    response = await sandbox.client.get(
        "/v1/customers", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401


async def test_an_expired_token_is_refused(sandbox: Sandbox) -> None:
    headers = await sandbox.headers(app_only=True)
    assert (await sandbox.client.get("/v1/customers", headers=headers)).status_code == 200
    await sandbox.control("POST", "/clock", json={"advanceSeconds": 3600})
    response = await sandbox.client.get("/v1/customers", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["description"]


async def test_a_graph_token_does_not_open_partner_center(sandbox: Sandbox) -> None:
    response = await sandbox.client.post(
        f"/{sandbox.partner_id}/oauth2/v2.0/token",
        data=form(
            sandbox, grant_type="client_credentials", scope="https://graph.microsoft.com/.default"
        ),
    )
    token = response.json()["access_token"]
    refused = await sandbox.client.get(
        "/v1/customers", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401


async def test_tokens_survive_a_reset(sandbox: Sandbox) -> None:
    """The signing key outlives a reset, so a client's cached token stays valid."""
    headers = await sandbox.headers(app_only=True)
    await sandbox.control("POST", "/reset")
    assert (await sandbox.client.get("/v1/customers", headers=headers)).status_code == 200


APP_USER_ONLY = [
    ("GET", "/v1/customers/relationshiprequests"),
    ("GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"),
    ("GET", "/v1/customers/{customer}/relationships"),
    ("GET", "/v1/profiles/mpn?mpnId=4391507"),
    ("GET", "/v1/compliance/csp/agreementstatus?mpnId=4391507"),
    ("GET", "/v1/agreements"),
    ("GET", "/v1/customers/{customer}/agreements"),
    ("POST", "/v1/customers/{customer}/agreements"),
    ("GET", "/v1/customers/{customer}/directSignedMicrosoftCustomerAgreementStatus"),
    ("GET", "/v1/customers/{customer}/profiles/company"),
    ("GET", "/v1/customers/{customer}/users"),
    ("GET", "/v1/customers/{customer}/subscribedskus"),
    ("GET", "/v1/customers/{customer}/users/{customer}/licenses"),
    ("GET", "/v1/customers/{customer}/customDomains"),
    ("POST", "/v1/customers (for an indirect reseller)"),
    ("GET", "/v1/customers?filter=IndirectReseller"),
]


@pytest.mark.parametrize(("method", "path"), APP_USER_ONLY)
async def test_app_user_operations_refuse_app_only_tokens(
    sandbox: Sandbox, method: str, path: str
) -> None:
    customer = await sandbox.customer()
    reseller = await sandbox.reseller()
    body: Any = {}
    if path.startswith("/v1/customers (for"):
        path = "/v1/customers"
        body = {
            "CompanyProfile": {"Domain": "forreseller"},
            "BillingProfile": {
                "Email": "a@b.com",
                "Culture": "en-US",
                "Language": "en",
                "CompanyName": "For Reseller",
                "DefaultAddress": {
                    "FirstName": "A",
                    "LastName": "B",
                    "AddressLine1": "1 Main Street",
                    "City": "Redmond",
                    "State": "WA",
                    "PostalCode": "98052",
                    "Country": "US",
                },
            },
            "AssociatedPartnerId": reseller["tenantId"],
        }
    url = path.format(customer=customer["id"])
    if path.endswith("filter=IndirectReseller"):
        query = json.dumps({"Field": "IndirectReseller", "Value": reseller["tenantId"]})
        url = f"/v1/customers?filter={quote(query)}"
    response = await sandbox.call(
        method, url, app_only=True, json=body if method == "POST" else None
    )
    assert response.status_code == 403, response.text
    assert response.json()["code"] == 900329
    assert response.json()["description"] == (
        "This resource does not support application-only authentication."
    )


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers",
        "/v1/customers/{customer}",
        "/v1/customers/{customer}/profiles/billing",
        "/v1/validations/address",
    ],
)
async def test_operations_open_to_app_only_tokens_accept_them(sandbox: Sandbox, path: str) -> None:
    customer = await sandbox.customer()
    if path.endswith("address"):
        response = await sandbox.call(
            "POST",
            path,
            app_only=True,
            json={"AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "WA",
                  "PostalCode": "98052", "Country": "US"},
        )  # fmt: skip
    else:
        response = await sandbox.call("GET", path.format(customer=customer["id"]), app_only=True)
    assert response.status_code == 200, response.text
