"""The Matches page and the merge wizard in HTML."""

from __future__ import annotations

import re

import httpx

from tenantry.db import Database
from tenantry.models import Organization, Role
from tests.factories import World
from tests.identity.factories import make_person, sign_in
from tests.sync.factories import proposed_twin


async def _staff(database: Database, world: World) -> dict[str, str]:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        user = await make_person(session, platform, Role.PLATFORM_STAFF)
        return await sign_in(session, user, platform)


async def test_staff_see_the_match_and_merge_it_in_the_wizard(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await proposed_twin(database, world)
    headers = await _staff(database, world)
    page = await client.get("/sync/matches", headers=headers)
    assert page.status_code == 200, page.text
    assert "Alpha Customer A/S" in page.text and "Same company name" in page.text
    assert '<a href="/sync/matches" aria-current="page">Matches</a>' in page.text
    wizard_url = re.search(r'href="(/organizations/merge\?[^"]+)"', page.text)
    assert wizard_url is not None
    wizard = await client.get(wizard_url.group(1).replace("&amp;", "&"), headers=headers)
    assert wizard.status_code == 200, wizard.text
    assert "Where they differ" in wizard.text and 'name="legal_name" value="merge"' in wizard.text
    version = re.search(r'name="version" value="(\d+)"', wizard.text)
    keep = re.search(r'name="keep" value="([^"]+)"', wizard.text)
    merge = re.search(r'name="merge" value="([^"]+)"', wizard.text)
    assert version and keep and merge
    done = await client.post(
        "/organizations/merge",
        data={"keep": keep.group(1), "merge": merge.group(1), "version": version.group(1),
              "legal_name": "merge", "csrf_token": headers["X-CSRF-Token"]},
        headers=headers,
    )  # fmt: skip
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/organizations/{keep.group(1)}?done=merged"
    away = await client.get(f"/organizations/{merge.group(1)}", headers=headers)
    assert away.status_code == 303
    assert away.headers["location"] == f"/organizations/{keep.group(1)}?done=merged_away"
    kept = await client.get(away.headers["location"], headers=headers)
    assert "was merged into this one" in kept.text
    assert "Alpha Customer A/S" in kept.text  # the merged one's legal name was chosen


async def test_the_wizard_says_why_two_cannot_merge(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await _staff(database, world)
    wizard = await client.get(
        "/organizations/merge",
        params={"keep": str(world.reseller_a.id), "merge": str(world.customer_a.id)},
        headers=headers,
    )
    assert wizard.status_code == 409
    assert "only organizations of one kind merge" in wizard.text
    assert "Merge Alpha Customer into" not in wizard.text.split("</h1>", 1)[1]
