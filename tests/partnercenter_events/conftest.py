"""Partner Center's webhook callbacks as the app receives them.

``Signer`` plays Partner Center: an RSA key and certificates (valid, expired, issued for someone
else) published by a certificate host the app's HTTP transport reaches (``CERTS``); anything else
the app fetches goes to the in-process sandbox. Jobs run when a test says so (``run_queued``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.partnercenter_events import tasks as _tasks  # noqa: F401  (registers the job)
from tenantry.settings import (
    MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT,
    SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT,
    WEBHOOK_PATH,
    Settings,
)
from tests.factories import World
from tests.jobs.conftest import clock, job_queue  # noqa: F401  (fixtures used here)
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)

CERTS = "https://certs.test/cert/"
ELSEWHERE = "https://elsewhere.test/cert/"


def _certificate(
    key: rsa.RSAPrivateKey, subject: str, *, not_after: datetime | None = None
) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(not_after or now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class Signer:
    """Partner Center's signing side, with certificates at ``CERTS`` and ``ELSEWHERE``."""

    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    published: dict[str, bytes] = field(default_factory=dict)
    downloads: int = 0

    def __post_init__(self) -> None:
        good = _certificate(self.key, MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT)
        self.published = {
            f"{CERTS}partner-center.cer": good,
            f"{ELSEWHERE}partner-center.cer": good,
            f"{CERTS}expired.cer": _certificate(
                self.key,
                MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT,
                not_after=datetime.now(UTC) - timedelta(days=1),
            ),
            f"{CERTS}someone-else.cer": _certificate(self.key, "attacker.example"),
        }

    def signature(self, body: bytes) -> str:
        raw = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode()

    def headers(
        self,
        body: bytes,
        *,
        certificate: str = "partner-center.cer",
        host: str = CERTS,
        header: str = "Authorization",
        algorithm: str = "rsa-sha256",
    ) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            header: f"Signature {self.signature(body)}",
            "X-MS-Certificate-Url": f"{host}{certificate}",
            "X-MS-Signature-Algorithm": algorithm,
        }


class CertificateHost(httpx.AsyncBaseTransport):
    """Serves the signer's certificates; every other request goes to the sandbox."""

    def __init__(self, signer: Signer, sandbox: FastAPI) -> None:
        self.signer = signer
        self.sandbox = httpx.ASGITransport(app=sandbox)
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url.startswith((CERTS, ELSEWHERE)):
            if self.down:
                raise httpx.ConnectError("certificate host unreachable", request=request)
            self.signer.downloads += 1
            if url not in self.signer.published:
                return httpx.Response(404)
            return httpx.Response(200, content=self.signer.published[url])
        return await self.sandbox.handle_async_request(request)


def event_body(name: str = "reseller-relationship-accepted-by-customer", **fields: Any) -> bytes:
    payload: dict[str, Any] = {
        "EventName": name,
        "ResourceUri": "https://api.partnercenter.microsoft.com/v1/customers/4b2a6e33",
        "ResourceName": "Customer",
        "AuditUri": None,
        "ResourceChangeUtcDate": "2023-10-18T00:26:24.0159088+00:00",
    } | fields
    return json.dumps(payload).encode()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "partner_center_api_url": SANDBOX_URL,
        "partner_center_login_url": SANDBOX_URL,
        "base_url": "http://testserver",
        "partner_center_webhook_certificate_urls": f"{CERTS},{SANDBOX_URL}/webhooks/certificates/",
        "partner_center_webhook_certificate_subjects": (
            f"{MICROSOFT_WEBHOOK_CERTIFICATE_SUBJECT},{SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT}"
        ),
    }  # fmt: skip


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def certificate_host(signer: Signer, sqlite_sandbox: Sandbox) -> CertificateHost:  # noqa: F811
    return CertificateHost(signer, sqlite_sandbox.app)


@pytest.fixture
def app(
    settings: Settings,
    database: Database,
    job_queue: JobQueue,  # noqa: F811
    certificate_host: CertificateHost,
    world: World,
) -> FastAPI:
    """The app, with a platform (the world's) to receive the events."""
    return create_app(settings, database=database, queue=job_queue, http_transport=certificate_host)


async def post_event(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    return await client.post(WEBHOOK_PATH, content=body, headers=headers)
