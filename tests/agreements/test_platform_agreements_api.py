"""The platform's own agreements through the API: versions only its admins publish and nobody
edits, re-acceptance when a new version applies, professional secrecy for marked segments and
customers, and the purchase gate naming what is missing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from tenantry.agreements.gate import MCA_MISSING
from tenantry.agreements.platform import versions
from tenantry.agreements.platform.missing import SECRECY_MISSING, TERMS_MISSING
from tenantry.db import Database
from tenantry.models import (
    AgreementKind,
    AgreementVersion,
    OrganizationKind,
    PublishedVersionIsFinal,
    Role,
)
from tenantry.security import Actor
from tests.agreements.platform_helpers import (
    SECRECY,
    TERMS,
    accept,
    missing,
    missing_entries,
    publish,
)
from tests.factories import Party, World, make_token

PLATFORM = (TERMS_MISSING, SECRECY_MISSING)


def platform_codes(codes: list[str]) -> list[str]:
    return [c for c in codes if c in PLATFORM]


async def _party(database: Database, party: Party, role: Role) -> Party:
    async with database.transaction() as session:
        return Party(party.organization, await make_token(session, party.organization, role))


@pytest.mark.parametrize(
    ("who", "role"),
    [("platform", Role.PLATFORM_STAFF), ("reseller_a", Role.RESELLER_ADMIN),
     ("customer_a", Role.CUSTOMER_ADMIN)],
)  # fmt: skip
async def test_only_the_platforms_admins_publish(
    client: httpx.AsyncClient, database: Database, world: World, who: str, role: Role
) -> None:
    caller = await _party(database, getattr(world, who), role)
    refused = await publish(client, caller)
    assert refused.status_code == 403, refused.text
    assert "platform.configure" in refused.json()["detail"]
    listed = await client.get(TERMS, headers=caller.headers)
    assert listed.status_code == 200 and listed.json() == [], "nothing was published"


async def test_a_published_version_is_never_edited(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    first = await publish(client, world.platform)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    again = await publish(client, world.platform)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"], "retried"
    url = f"{TERMS}/1"
    for method in ("PUT", "PATCH"):
        edit = await client.request(method, url, json={"title": "Changed"},
                                    headers=world.platform.headers)  # fmt: skip
        assert edit.status_code == 405, edit.text
    changed = await publish(client, world.platform, body="1. Scope\nEvery order, and more.")
    assert changed.status_code == 201 and changed.json()["version"] == 2
    kept = await client.get(url, headers=world.customer_a.headers)
    assert kept.json()["body"] == "1. Scope\nEvery order.", "version 1 is as published"
    with pytest.raises(PublishedVersionIsFinal):
        await _rewrite(database, uuid.UUID(first.json()["id"]))


async def _rewrite(database: Database, version_id: uuid.UUID) -> None:
    async with database.transaction() as session:
        row = await session.get_one(AgreementVersion, version_id)
        row.title = "Rewritten"


async def test_the_effective_date_is_today_or_later(
    client: httpx.AsyncClient, world: World
) -> None:
    yesterday = (versions.today() - timedelta(days=1)).isoformat()
    refused = await publish(client, world.platform, effective_on=yesterday)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "effective_on"
    assert refused.json()["errors"][0]["rule"] == "date_in_past"
    later = (versions.today() + timedelta(days=30)).isoformat()
    assert (await publish(client, world.platform, effective_on=later)).status_code == 201
    earlier = (versions.today() + timedelta(days=3)).isoformat()
    between = await publish(client, world.platform, body="Other", effective_on=earlier)
    assert between.json()["errors"][0]["rule"] == "before_previous_version"


async def test_a_new_version_is_accepted_again(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    customer = world.customer_a
    assert platform_codes(await missing(database, customer)) == [], "no terms: nothing to accept"
    await publish(client, world.platform)
    codes = await missing(database, customer)
    assert codes == [MCA_MISSING, TERMS_MISSING], "Microsoft's agreement stays first"
    await accept(database, customer, AgreementKind.PLATFORM_TERMS, 1)
    assert platform_codes(await missing(database, customer)) == []
    await publish(client, world.platform, body="1. Scope\nEvery order, version two.")
    entries = [e for e in await missing_entries(database, customer) if e.code == TERMS_MISSING]
    assert len(entries) == 1 and "new version" in entries[0].message
    assert entries[0].link == "/agreements/platform-terms"
    await accept(database, customer, AgreementKind.PLATFORM_TERMS, 2)
    assert platform_codes(await missing(database, customer)) == []
    status = await client.get(f"/api/v1/organizations/{customer.id}/platform-agreements",
                              headers=world.reseller_a.headers)  # fmt: skip
    terms = status.json()["agreements"][0]
    assert terms["current_version"] == 2 and terms["accepted"]["version"] == 2
    assert terms["satisfied"] is True


async def test_a_version_for_a_later_day_waits(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await publish(client, world.platform)
    await accept(database, world.customer_a, AgreementKind.PLATFORM_TERMS, 1)
    later = (versions.today() + timedelta(days=10)).isoformat()
    await publish(client, world.platform, body="Version two", effective_on=later)
    assert platform_codes(await missing(database, world.customer_a)) == [], "v1 applies still"


async def _secrecy_published(client: httpx.AsyncClient, world: World) -> None:
    answer = await publish(client, world.platform, SECRECY, title="Professional secrecy")
    assert answer.status_code == 201, answer.text


async def test_a_marked_segment_needs_the_secrecy_agreement(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _secrecy_published(client, world)
    headers = world.platform.headers
    segment = (await client.post("/api/v1/segments", json={"name": "Tax advisers"},
                                 headers=headers)).json()  # fmt: skip
    customer_url = f"/api/v1/organizations/{world.customer_a.id}"
    etag = (await client.get(customer_url, headers=headers)).headers["ETag"]
    tagged = await client.patch(customer_url, json={"segment_ids": [segment["id"]]},
                                headers=headers | {"If-Match": etag})  # fmt: skip
    assert tagged.status_code == 200, tagged.text
    assert platform_codes(await missing(database, world.customer_a)) == [], "not marked yet"
    marked = await client.put("/api/v1/platform-agreements/professional_secrecy/segments",
                              json={"segment_ids": [segment["id"]]}, headers=headers)  # fmt: skip
    assert marked.status_code == 200 and marked.json() == {"segment_ids": [segment["id"]]}
    assert platform_codes(await missing(database, world.customer_a)) == [SECRECY_MISSING]
    assert platform_codes(await missing(database, world.direct_customer)) == [], "unmarked"
    status = (await client.get(f"{customer_url}/platform-agreements", headers=headers)).json()
    assert status["agreements"][1]["required_because"] == ["Tax advisers"]
    await accept(database, world.customer_a, AgreementKind.PROFESSIONAL_SECRECY, 1)
    assert platform_codes(await missing(database, world.customer_a)) == []


async def test_only_platform_admins_mark_segments(client: httpx.AsyncClient, world: World) -> None:
    url = "/api/v1/platform-agreements/professional_secrecy/segments"
    refused = await client.put(url, json={"segment_ids": []}, headers=world.reseller_a.headers)
    assert refused.status_code == 403
    unknown = await client.put(url, json={"segment_ids": [str(world.customer_a.id)]},
                               headers=world.platform.headers)  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] == {
        "field": "segment_ids.0", "rule": "unknown_segment",
        "message": f"the platform has no segment {world.customer_a.id}",
    }  # fmt: skip


async def test_a_marked_customer_needs_the_secrecy_agreement(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    url = f"/api/v1/organizations/{world.customer_a.id}/professional-secrecy"
    marked = await client.put(url, json={"required": True}, headers=world.reseller_a.headers)
    assert marked.status_code == 200, marked.text
    assert marked.json()["requires_professional_secrecy"] is True
    entries = await missing_entries(database, world.customer_a)
    secrecy = [e for e in entries if e.code == SECRECY_MISSING]
    assert secrecy and "none is published yet" in secrecy[0].message, "ordering waits for it"
    await _secrecy_published(client, world)
    assert platform_codes(await missing(database, world.customer_a)) == [SECRECY_MISSING]
    assert platform_codes(await missing(database, world.customer_b)) == [], "unmarked passes"
    await accept(database, world.customer_a, AgreementKind.PROFESSIONAL_SECRECY, 1)
    assert platform_codes(await missing(database, world.customer_a)) == []


async def test_a_reseller_marks_only_its_own_customers(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/organizations/{world.customer_a.id}/professional-secrecy"
    foreign = await client.put(url, json={"required": True}, headers=world.reseller_b.headers)
    assert foreign.status_code == 404, foreign.text
    itself = await client.put(url, json={"required": True}, headers=world.customer_a.headers)
    assert itself.status_code == 403, "a customer does not mark itself"
    reseller = f"/api/v1/organizations/{world.reseller_a.id}/professional-secrecy"
    answer = await client.put(reseller, json={"required": True}, headers=world.platform.headers)
    assert answer.status_code == 409 and answer.json()["errors"][0]["rule"] == "customers_only"


def _viewer(party: Party, kind: OrganizationKind, role: Role, **extra: object) -> Actor:
    o = party.organization
    return Actor(platform_id=o.platform_id, organization_id=o.id, organization_kind=kind,
                 role=role, label="viewer", **extra)  # type: ignore[arg-type]  # fmt: skip


async def test_the_gate_says_what_each_viewer_does(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await publish(client, world.platform)
    customer = world.customer_a

    async def entry(viewer: Actor) -> tuple[str, str | None]:
        found = [e for e in await missing_entries(database, customer, viewer)
                 if e.code == TERMS_MISSING]  # fmt: skip
        return found[0].message, found[0].link

    user = _viewer(customer, OrganizationKind.CUSTOMER, Role.CUSTOMER_USER)
    message, link = await entry(user)
    assert "An administrator of the organization accepts it" in message and link is None
    acting = _viewer(customer, OrganizationKind.CUSTOMER, Role.CUSTOMER_ADMIN,
                     on_behalf_of_label="Staff")  # fmt: skip
    assert (await entry(acting))[1] is None, "staff acting for the customer do not accept"
    reseller = _viewer(world.reseller_a, OrganizationKind.RESELLER, Role.RESELLER_ADMIN)
    message, link = await entry(reseller)
    assert "An administrator of the customer accepts it" in message
    assert link == f"/organizations/{customer.id}/platform-agreements"
