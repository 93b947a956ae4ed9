"""Is this callback from Partner Center? Checked as Microsoft documents it.

Partner Center signs the UTF-8 body of every callback with RSA-SHA256 and sends:

- ``Authorization: Signature <base64>`` (or the same in ``x-ms-signature`` when the registration
  asked for ``SignatureTokenToMsSignatureHeader``);
- ``X-MS-Certificate-Url``: where the signing certificate is published;
- ``X-MS-Signature-Algorithm: rsa-sha256``.

The receiver checks that the certificate URL is one of the allowed places (Microsoft's storage
account; the embedded sandbox's in development), downloads the certificate (kept for a bounded
time, by URL), checks that it is valid now and issued for an expected subject, then verifies the
signature of the exact bytes received. Any failure is :class:`Rejected` (401, nothing recorded);
a certificate that cannot be downloaded right now is :class:`CertificateUnavailable` (503, so
Partner Center tries again later).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tenantry.errors import TenantryError, Unauthorized

ALGORITHM = "rsa-sha256"
CERTIFICATE_TIMEOUT_SECONDS = 10.0
MAX_CERTIFICATE_BYTES = 64 * 1024
# Partner Center signs from a handful of certificate URLs; more distinct ones are not kept.
MAX_CACHED_CERTIFICATES = 16

Fetch = Callable[[str], Awaitable[bytes]]


class Rejected(Unauthorized):
    """The callback is not proven to come from Partner Center."""


class CertificateUnavailable(TenantryError):
    status = 503
    code = "certificate_unavailable"
    title = "Partner Center's signing certificate could not be downloaded"


@dataclass(frozen=True)
class TrustPolicy:
    """Where a signing certificate may come from and whom it must be issued for."""

    certificate_urls: Sequence[str]
    subjects: Sequence[str]

    def allows_url(self, url: str) -> bool:
        """Under one of the allowed prefixes (each taken as a folder), with nothing that could
        lead elsewhere: no query, fragment, credentials, ``..`` or percent-encoding."""
        parts = urlsplit(url)
        if parts.query or parts.fragment or parts.username or parts.password:
            return False
        if ".." in parts.path.split("/") or "%" in parts.path:
            return False
        prefixes = [p if p.endswith("/") else p + "/" for p in self.certificate_urls]
        return any(url.startswith(prefix) for prefix in prefixes)


@dataclass
class CertificateCache:
    """Downloaded certificates by URL, each trusted for ``ttl_seconds`` before a new download."""

    ttl_seconds: float
    _entries: dict[str, tuple[float, x509.Certificate]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, url: str, fetch: Fetch) -> x509.Certificate:
        entry = self._entries.get(url)
        if entry is not None and time.monotonic() - entry[0] < self.ttl_seconds:
            return entry[1]
        async with self._lock:
            certificate = _load(await fetch(url))
            self._entries.pop(url, None)
            while len(self._entries) >= MAX_CACHED_CERTIFICATES:
                self._entries.pop(next(iter(self._entries)))  # the oldest download
            self._entries[url] = (time.monotonic(), certificate)
            return certificate


def http_fetch(transport: httpx.AsyncBaseTransport | None) -> Fetch:
    """Download with the app's HTTP transport (the network; the sandbox's ASGI app in tests)."""

    async def fetch(url: str) -> bytes:
        try:
            async with httpx.AsyncClient(
                transport=transport, timeout=CERTIFICATE_TIMEOUT_SECONDS
            ) as http:
                response = await http.get(url)
        except httpx.HTTPError as exc:
            raise CertificateUnavailable(
                f"The signing certificate at {url} could not be downloaded "
                f"({type(exc).__name__}); Partner Center will deliver the event again."
            ) from exc
        if response.status_code in (404, 410):
            raise Rejected(f"There is no signing certificate at {url}.")
        if not response.is_success:
            raise CertificateUnavailable(
                f"The signing certificate at {url} could not be downloaded (HTTP "
                f"{response.status_code}); Partner Center will deliver the event again."
            )
        return response.content[: MAX_CERTIFICATE_BYTES + 1]

    return fetch


def _load(data: bytes) -> x509.Certificate:
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise Rejected("The signing certificate is too large to be one.")
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise Rejected("The signing certificate URL does not hold an X.509 certificate.") from exc


def signature_of(headers: Mapping[str, str]) -> bytes:
    """The signature from ``Authorization`` or ``x-ms-signature`` (``Signature <base64>``)."""
    value = headers.get("x-ms-signature") or headers.get("authorization") or ""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "signature" or not token.strip():
        raise Rejected(
            "The callback is not signed: an Authorization or x-ms-signature header "
            "'Signature <base64>' is required."
        )
    try:
        return base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected("The callback's signature is not base64.") from exc


def _subjects(certificate: x509.Certificate) -> set[str]:
    names = {
        str(attribute.value).lower()
        for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    }
    return names


def check_certificate(certificate: x509.Certificate, policy: TrustPolicy, now: datetime) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise Rejected(
            "The signing certificate is not valid now (valid from "
            f"{certificate.not_valid_before_utc:%Y-%m-%d} to "
            f"{certificate.not_valid_after_utc:%Y-%m-%d})."
        )
    expected = {subject.lower() for subject in policy.subjects}
    if not _subjects(certificate) & expected:
        raise Rejected(
            "The signing certificate is not issued for Partner Center "
            f"(expected the subject {', '.join(sorted(expected))})."
        )


async def verify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    policy: TrustPolicy,
    cache: CertificateCache,
    fetch: Fetch,
    now: datetime | None = None,
) -> None:
    """Raise :class:`Rejected` or :class:`CertificateUnavailable` unless Partner Center signed
    exactly ``body``. ``headers`` are looked up by lower-case name."""
    signature = signature_of(headers)
    algorithm = headers.get("x-ms-signature-algorithm", "").strip().lower()
    if algorithm != ALGORITHM:
        raise Rejected(
            f"The signature algorithm '{algorithm[:40]}' is not supported; "
            f"X-MS-Signature-Algorithm must be {ALGORITHM}."
        )
    url = headers.get("x-ms-certificate-url", "").strip()
    if not url:
        raise Rejected("The callback names no signing certificate (X-MS-Certificate-Url).")
    if not policy.allows_url(url):
        raise Rejected(
            f"The signing certificate URL {url[:200]} is not one of Partner Center's "
            "(TENANTRY_PARTNER_CENTER_WEBHOOK_CERTIFICATE_URLS)."
        )
    certificate = await cache.get(url, fetch)
    check_certificate(certificate, policy, now or datetime.now(UTC))
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Rejected("The signing certificate holds no RSA key.")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise Rejected("The callback's signature does not match its body and certificate.") from exc
