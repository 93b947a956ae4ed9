"""Posting webhook deliveries, signed as Partner Center signs them, with retries and backoff.

Each delivery is a ``POST`` of its frozen JSON body to the registered URL with:

- ``Authorization: Signature <base64 RSA-SHA256 signature of the body bytes>`` (or the same value
  in ``x-ms-signature`` when the registration asked for ``SignatureTokenToMsSignatureHeader``);
- ``X-MS-Certificate-Url``: where the signing certificate is published, here the sandbox's
  ``/webhooks/certificates/{kid}.cer`` (a self-signed X.509 certificate, DER, over the same RSA key
  the JWKS publishes under ``kid``);
- ``X-MS-Signature-Algorithm: rsa-sha256``.

A 2xx answer delivers it. Anything else (or no answer) schedules the next attempt after
``base * 2^(attempt-1)`` seconds, capped; after ``webhook_max_attempts`` the delivery is parked.
Every attempt is kept in ``webhook_attempts``.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey

from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import webhooks
from tenantry_sandbox.store.webhooks import DELIVERED, PARKED, WebhookAttempt

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState

CERTIFICATE_SUBJECT = "pcnotifications-dispatch.sandbox.tenantry.local"
SIGNATURE_ALGORITHM = "rsa-sha256"


def _private_key(key: RSAKey) -> rsa.RSAPrivateKey:
    private = key.private_key
    if not isinstance(private, rsa.RSAPrivateKey):
        raise RuntimeError("the signing key holds no RSA private key")
    return private


def sign(key: RSAKey, body: bytes) -> str:
    signature = _private_key(key).sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


@cache
def _certificate(kid: str, public_der: bytes, private_pem: bytes) -> bytes:
    private = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERTIFICATE_SUBJECT)])
    # Fixed validity so the same key always yields the same certificate, in every process.
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(int.from_bytes(public_der[-16:], "big") | 1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2045, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(CERTIFICATE_SUBJECT)]), False)
        .sign(private, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def certificate(key: RSAKey) -> bytes:
    """The signing certificate (DER) for ``X-MS-Certificate-Url``."""
    private = _private_key(key)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _certificate(str(key.kid), public_der, private_pem)


def certificate_url(settings: SandboxSettings, key: RSAKey) -> str:
    return f"{settings.issuer_base}/webhooks/certificates/{key.kid}.cer"


def backoff(settings: SandboxSettings, attempts: int) -> timedelta:
    seconds = settings.webhook_retry_base_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_seconds))


@dataclass
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    parked: int = 0
    ids: list[str] = field(default_factory=list)


async def _post(
    http: httpx.AsyncClient, state: SandboxState, url: str, body: bytes, ms_header: bool
) -> tuple[int | None, str | None]:
    key = state.tokens.signing_key
    signature = f"Signature {sign(key, body)}"
    headers = {
        "Content-Type": "application/json",
        "X-MS-Certificate-Url": certificate_url(state.settings, key),
        "X-MS-Signature-Algorithm": SIGNATURE_ALGORITHM,
        "x-ms-signature" if ms_header else "Authorization": signature,
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    if response.is_success:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text[:500]}"


async def _attempt(
    http: httpx.AsyncClient, state: SandboxState, delivery_id: uuid.UUID, report: DeliveryReport
) -> None:
    settings, clock = state.settings, state.clock
    lease = timedelta(seconds=settings.webhook_timeout_seconds + 30)
    async with state.db.sessionmaker() as session, session.begin():
        now = clock.now()
        delivery = await webhooks.claim(session, delivery_id, now, now + lease)
        if delivery is None:
            return
        url, body, ms_header = delivery.url, delivery.body, delivery.signature_in_ms_header
    started = time.monotonic()
    status, error = await _post(http, state, url, body, ms_header)
    elapsed = int((time.monotonic() - started) * 1000)
    async with state.db.sessionmaker() as session, session.begin():
        now = clock.now()
        delivery = await session.get(webhooks.WebhookDelivery, delivery.seq)
        assert delivery is not None
        delivery.attempts += 1
        delivery.locked_until = None
        delivery.last_status_code = status
        delivery.last_error = error
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                attempted_at=now,
                status_code=status,
                error=error,
                duration_ms=elapsed,
            )
        )
        report.attempted += 1
        report.ids.append(str(delivery.id))
        if error is None:
            delivery.status = DELIVERED
            delivery.delivered_at = now
            report.delivered += 1
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = PARKED
            report.parked += 1
        else:
            delivery.next_attempt_at = now + backoff(settings, delivery.attempts)
            report.failed += 1


async def deliver(state: SandboxState, *, ignore_schedule: bool = False) -> DeliveryReport:
    """Attempt every due delivery once (every pending one with ``ignore_schedule``)."""
    report = DeliveryReport()
    async with state.db.sessionmaker() as session:
        due = await webhooks.due(session, state.clock.now(), ignore_schedule=ignore_schedule)
    if not due:
        return report
    timeout = httpx.Timeout(state.settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(
        transport=state.webhook_transport, timeout=timeout, follow_redirects=False
    ) as http:
        for delivery_id in due:
            await _attempt(http, state, delivery_id, report)
    return report
