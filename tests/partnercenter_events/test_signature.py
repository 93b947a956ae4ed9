"""Which certificate URLs are trusted, and how long a downloaded certificate is kept."""

from __future__ import annotations

import pytest

from tenantry.partnercenter_events import signature
from tenantry.settings import MICROSOFT_WEBHOOK_CERTIFICATE_URL as MICROSOFT
from tests.partnercenter_events.conftest import CERTS, Signer

POLICY = signature.TrustPolicy([MICROSOFT.rstrip("/")], ["pcnotifications-dispatch.microsoft.com"])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{MICROSOFT}pcnotifications-dispatch.microsoft.com.cer", True),
        ("https://3psostorageacct.blob.core.windows.net/certificates/x.cer", False),
        ("https://3psostorageacct.blob.core.windows.net.evil.example/cert/x.cer", False),
        (f"{MICROSOFT}../other/x.cer", False),
        (f"{MICROSOFT}%2e%2e/other/x.cer", False),
        (f"{MICROSOFT}x.cer?redirect=https://evil.example", False),
        ("http://3psostorageacct.blob.core.windows.net/cert/x.cer", False),
    ],
)
def test_only_certificates_under_an_allowed_folder_are_trusted(url: str, allowed: bool) -> None:
    assert POLICY.allows_url(url) is allowed


async def test_certificates_are_kept_for_their_time_and_few_are_kept() -> None:
    signer = Signer()
    good = signer.published[f"{CERTS}partner-center.cer"]
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        return good

    kept = signature.CertificateCache(ttl_seconds=3600)
    for _ in range(3):
        await kept.get("https://a.test/cert/1.cer", fetch)
    assert fetched == ["https://a.test/cert/1.cer"]
    for n in range(signature.MAX_CACHED_CERTIFICATES + 5):
        await kept.get(f"https://a.test/cert/{n}.cer", fetch)
    assert len(kept._entries) == signature.MAX_CACHED_CERTIFICATES

    every_time = signature.CertificateCache(ttl_seconds=0)
    fetched.clear()
    for _ in range(2):
        await every_time.get("https://a.test/cert/1.cer", fetch)
    assert len(fetched) == 2
