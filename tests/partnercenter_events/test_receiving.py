"""Partner Center posts signed events: only proven ones are recorded, each once."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import OutboxItem, PartnerCenterEvent
from tests.partnercenter_events.conftest import (
    ELSEWHERE,
    CertificateHost,
    Signer,
    event_body,
    post_event,
)


async def recorded(database: Database) -> tuple[int, int]:
    """How many events and event jobs are stored."""
    async with database.transaction(write=False) as session:
        events = await session.scalar(select(func.count()).select_from(PartnerCenterEvent))
        jobs = await session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.kind == "partnercenter_events.handle")
        )
    return int(events or 0), int(jobs or 0)


@pytest.mark.parametrize("header", ["Authorization", "x-ms-signature"])
async def test_a_signed_event_is_recorded_and_queued(
    client: httpx.AsyncClient, database: Database, signer: Signer, header: str
) -> None:
    body = event_body()
    response = await post_event(client, body, signer.headers(body, header=header))
    assert response.status_code == 202, response.text
    assert response.json()["event_name"] == "reseller-relationship-accepted-by-customer"
    assert response.json()["duplicate"] is False
    assert await recorded(database) == (1, 1)
    async with database.transaction(write=False) as session:
        event = (await session.execute(select(PartnerCenterEvent))).scalar_one()
    assert event.resource_name == "Customer" and event.outcome.value == "received"
    assert event.resource_change_utc == "2023-10-18T00:26:24.0159088+00:00"


async def test_a_replayed_delivery_is_acknowledged_and_recorded_once(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    body = event_body()
    first = await post_event(client, body, signer.headers(body))
    again = await post_event(client, body, signer.headers(body))
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json() | {"duplicate": True}
    assert await recorded(database) == (1, 1)
    assert signer.downloads == 1, "the certificate is downloaded once and kept"


async def refused(response: httpx.Response, database: Database, words: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]
    assert await recorded(database) == (0, 0)


async def test_an_unsigned_event_is_refused(client: httpx.AsyncClient, database: Database) -> None:
    response = await post_event(client, event_body(), {"Content-Type": "application/json"})
    await refused(response, database, "not signed")


async def test_a_forged_signature_is_refused(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    forger = Signer(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    body = event_body()
    headers = signer.headers(body) | {"Authorization": f"Signature {forger.signature(body)}"}
    await refused(await post_event(client, body, headers), database, "does not match")


async def test_a_changed_body_is_refused(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    headers = signer.headers(event_body())
    changed = event_body(ResourceUri="https://api.partnercenter.microsoft.com/v1/customers/other")
    await refused(await post_event(client, changed, headers), database, "does not match")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"host": ELSEWHERE}, "is not one of Partner Center's"),
        ({"certificate": "expired.cer"}, "not valid now"),
        ({"certificate": "someone-else.cer"}, "not issued for Partner Center"),
        ({"certificate": "missing.cer"}, "no signing certificate"),
        ({"algorithm": "hmac-sha1"}, "not supported"),
    ],
    ids=["url-not-allowed", "expired", "wrong-subject", "missing", "algorithm"],
)
async def test_an_untrusted_certificate_or_algorithm_is_refused(
    client: httpx.AsyncClient, database: Database, signer: Signer,
    options: dict[str, str], words: str,
) -> None:  # fmt: skip
    body = event_body()
    await refused(await post_event(client, body, signer.headers(body, **options)), database, words)


async def test_an_unreachable_certificate_is_503_so_partner_center_retries(
    client: httpx.AsyncClient, database: Database, signer: Signer, certificate_host: CertificateHost
) -> None:
    certificate_host.down = True
    body = event_body()
    response = await post_event(client, body, signer.headers(body))
    assert response.status_code == 503, response.text
    assert "deliver the event again" in response.json()["detail"]
    assert await recorded(database) == (0, 0)
    certificate_host.down = False
    assert (await post_event(client, body, signer.headers(body))).status_code == 202


async def test_a_signed_body_that_is_not_json_is_400(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    for body in (b"{not json", b"[1, 2]"):
        response = await post_event(client, body, signer.headers(body))
        assert response.status_code == 400, response.text
    assert await recorded(database) == (0, 0)


async def test_any_payload_shape_is_kept(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    """Missing and null fields, http:// URIs, unknown fields and names in any script."""
    bodies = [
        b'{"EventName": "dap-admin-relationship-approved", "ResourceName": "PartnerCustomerDap"}',
        event_body("invoice-ready", ResourceUri="http://api.partnercenter.microsoft.com/v1/x"),
        event_body("événement-日本語-новый", Extra={"nested": [1, 2]}, ResourceName=None),
        b'{"eventname": 42}',
    ]
    for body in bodies:
        response = await post_event(client, body, signer.headers(body))
        assert response.status_code == 202, response.text
    async with database.transaction(write=False) as session:
        rows = (await session.execute(select(PartnerCenterEvent))).scalars().all()
    names = {row.event_name: row for row in rows}
    assert set(names) == {
        "dap-admin-relationship-approved", "invoice-ready", "événement-日本語-новый", "42",
    }  # fmt: skip
    assert names["dap-admin-relationship-approved"].resource_uri is None
    assert names["événement-日本語-новый"].body["Extra"] == {"nested": [1, 2]}


async def test_an_oversized_body_is_refused_unread(
    client: httpx.AsyncClient, database: Database, signer: Signer
) -> None:
    body = event_body(Padding="x" * 300_000)
    response = await post_event(client, body, signer.headers(body))
    assert response.status_code == 413, response.text
    assert await recorded(database) == (0, 0)
