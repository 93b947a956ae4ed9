"""Signing people in through the sandbox's Microsoft identity platform (OpenID Connect)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

import authlib.deprecate  # noqa: F401 - its import-time "always" filter must precede the mark's
import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.sandbox.conftest import BASE_URL, Sandbox
from tests.sandbox.outside_world import Browser, Hosts, database_url, query_of  # noqa: F401

CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad"
APP = "http://app.test"
CALLBACK = f"{APP}/signin-oidc"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def authorize(
    sandbox: Sandbox, tenant: str, username: str, *, challenge: str, nonce: str = "n-0S6_WzA2Mj"
) -> dict[str, str]:
    """Open the sign-in page, pick ``username``, consent; the query the browser comes back with."""
    params = {
        "client_id": sandbox.settings.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid profile email",
        "state": "af0ifjsldkj",
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = await sandbox.client.get(f"/{tenant}/oauth2/v2.0/authorize", params=params)
    assert page.status_code == 200, page.text
    assert "Sign you in" in page.text and sandbox.settings.client_name in page.text
    answer = await Browser(sandbox.client).sign_in(page, username)
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"].startswith(CALLBACK + "?")
    return query_of(answer.headers["location"])


async def redeem(sandbox: Sandbox, tenant: str, code: str, verifier: str) -> httpx.Response:
    return await sandbox.client.post(
        f"/{tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "client_id": sandbox.settings.client_id,
            "client_secret": sandbox.settings.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )


async def verified_claims(sandbox: Sandbox, tenant: str, id_token: str) -> dict[str, Any]:
    """The ID token's claims, its signature checked against the published JWKS with joserfc."""
    metadata = (await sandbox.client.get(f"/{tenant}/v2.0/.well-known/openid-configuration")).json()
    jwks = (await sandbox.client.get(metadata["jwks_uri"])).json()
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert token.header["kid"] in {key["kid"] for key in jwks["keys"]}
    return dict(token.claims)


async def test_discovery_answers_for_every_kind_of_tenant(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Fabrikam Dental", domain="fabrikamdental")

    documents = {}
    for tenant in ("common", "organizations", "consumers", customer["id"], customer["domain"]):
        response = await sandbox.client.get(f"/{tenant}/v2.0/.well-known/openid-configuration")
        assert response.status_code == 200, response.text
        documents[tenant] = response.json()

    assert documents["common"]["issuer"] == f"{BASE_URL}/{{tenantid}}/v2.0"
    assert documents["organizations"]["issuer"] == f"{BASE_URL}/{{tenantid}}/v2.0"
    assert documents["consumers"]["issuer"] == f"{BASE_URL}/{CONSUMERS}/v2.0"
    assert documents[customer["domain"]]["issuer"] == f"{BASE_URL}/{customer['id']}/v2.0"
    assert documents[customer["id"]]["authorization_endpoint"] == (
        f"{BASE_URL}/{customer['id']}/oauth2/v2.0/authorize"
    )
    assert "authorization_code" in documents["common"]["grant_types_supported"]
    assert "S256" in documents["common"]["code_challenge_methods_supported"]
    root = await sandbox.client.get("/.well-known/openid-configuration")
    assert root.json()["token_endpoint"] == f"{BASE_URL}/common/oauth2/v2.0/token"
    unknown = await sandbox.client.get(
        "/nosuchtenant.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_tenant"


async def test_code_flow_gives_a_verifiable_id_token(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 0})
    verifier, challenge = pkce()

    answer = await authorize(sandbox, "consumers", "avery.jensen@outlook.com", challenge=challenge)
    assert answer["state"] == "af0ifjsldkj"
    token = await redeem(sandbox, "consumers", answer["code"], verifier)

    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"] == "Bearer" and body["access_token"]
    claims = await verified_claims(sandbox, "consumers", body["id_token"])
    assert claims["iss"] == f"{BASE_URL}/{CONSUMERS}/v2.0"
    assert claims["aud"] == sandbox.settings.client_id
    assert claims["tid"] == CONSUMERS
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["email"] == claims["preferred_username"] == "avery.jensen@outlook.com"
    assert claims["name"] == "Avery Jensen"
    account = await sandbox.control("GET", "/accounts/avery.jensen@outlook.com")
    assert claims["oid"] == account["objectId"]
    userinfo = await sandbox.client.get(
        "/graph/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert userinfo.json()["sub"] == claims["sub"]


async def test_pkce_verifier_is_checked_and_a_code_is_spent_once(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Northwind Legal", domain="northwindlegal")
    verifier, challenge = pkce()
    answer = await authorize(
        sandbox, "organizations", customer["adminUserPrincipalName"], challenge=challenge
    )

    wrong = await redeem(sandbox, "organizations", answer["code"], pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert wrong.json()["error_codes"] == [501481]

    right = await redeem(sandbox, "organizations", answer["code"], verifier)
    assert right.status_code == 200, right.text
    claims = await verified_claims(sandbox, customer["id"], right.json()["id_token"])
    assert claims["tid"] == customer["id"]
    assert claims["preferred_username"] == customer["adminUserPrincipalName"]

    again = await redeem(sandbox, "organizations", answer["code"], verifier)
    assert again.status_code == 400
    assert again.json()["error_codes"] == [54005]


async def test_sign_in_page_refuses_what_the_tenant_does_not_admit(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 0})
    customer = await sandbox.customer(company_name="Contoso Bakery", domain="contosobakery")
    browser = Browser(sandbox.client)
    _, challenge = pkce()
    params = {
        "client_id": sandbox.settings.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = await sandbox.client.get("/consumers/oauth2/v2.0/authorize", params=params)

    work = await browser.sign_in(page, customer["adminUserPrincipalName"])
    assert work.status_code == 400
    assert "work or school account" in work.text
    unknown = await browser.sign_in(page, "nobody@outlook.com")
    assert unknown.status_code == 400 and "AADSTS50034" in unknown.text
    cancelled = await browser.sign_in(page, "avery.jensen@outlook.com", action="cancel")
    assert cancelled.status_code == 302
    assert query_of(cancelled.headers["location"]) | {"error_description": ""} == {
        "error": "access_denied",
        "error_description": "",
        "state": "s1",
    }
    foreign = await sandbox.client.get(
        "/common/oauth2/v2.0/authorize", params={**params, "redirect_uri": "javascript:alert(1)"}
    )
    assert foreign.status_code == 400 and "AADSTS50011" in foreign.text
    unknown_app = await sandbox.client.get(
        "/common/oauth2/v2.0/authorize", params={**params, "client_id": "someone-else"}
    )
    assert unknown_app.status_code == 400 and "AADSTS700016" in unknown_app.text


def relying_party(sandbox: Sandbox, tenant: str) -> Starlette:
    """A web app signing people in with Authlib's Starlette client, as the product would."""
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "microsoft",
        client_id=sandbox.settings.client_id,
        client_secret=sandbox.settings.client_secret,
        server_metadata_url=f"{BASE_URL}/{tenant}/v2.0/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile email",
            "code_challenge_method": "S256",
            "transport": httpx.ASGITransport(app=sandbox.app),
        },
    )

    async def login(request: Request) -> Response:
        response: Response = await oauth.microsoft.authorize_redirect(request, CALLBACK)
        return response

    async def callback(request: Request) -> Response:
        token = await oauth.microsoft.authorize_access_token(request)
        return JSONResponse(dict(token["userinfo"]))

    return Starlette(
        routes=[Route("/login", login), Route("/signin-oidc", callback)],
        middleware=[Middleware(SessionMiddleware, secret_key="relying-party-secret")],
    )


@pytest.mark.filterwarnings("ignore:The httpx module is deprecated")
async def test_authlib_relying_party_signs_a_work_account_in(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Woodgrove Clinic", domain="woodgroveclinic")
    app = relying_party(sandbox, customer["id"])
    hosts = Hosts({"app.test": app, "sandbox.test": sandbox.app})
    async with httpx.AsyncClient(transport=hosts) as client:
        done = await Browser(client).open(
            f"{APP}/login", sign_in_as=customer["adminUserPrincipalName"]
        )

    assert done.status_code == 200, done.text
    userinfo = done.json()
    assert userinfo["tid"] == customer["id"]
    assert userinfo["preferred_username"] == customer["adminUserPrincipalName"]
    assert userinfo["iss"] == f"{BASE_URL}/{customer['id']}/v2.0"
