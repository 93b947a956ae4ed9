"""Reminders 30 and 7 days before a relationship ends, once each, and the state by date."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from tenantry.db import Database
from tenantry.jobs import registry as jobs_registry
from tenantry.models import GdapRelationship, GdapStatus, utcnow
from tenantry.tenants.gdap.tasks import follow_expiry
from tests.factories import World
from tests.tenants.gdap.conftest import emails, stored

START = utcnow()


async def relationship(database: Database, world: World, *, days: int, auto_extend: bool) -> str:
    async with database.transaction() as session:
        row = GdapRelationship(
            platform_id=world.platform.id, organization_id=world.customer_a.id,
            requested_by_organization_id=world.reseller_a.id,
            tenant_id=world.customer_a.id, relationship_id=f"rel-{days}-{auto_extend}",
            display_name=f"Alpha Reseller - Support {days}{auto_extend}", template="support",
            roles=[{"id": "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "name": "Global Reader"}],
            duration_days=days, auto_extend=auto_extend, status=GdapStatus.ACTIVE,
            activated_at=START, end_at=START + timedelta(days=days), reminders_sent=[],
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return str(row.id)


async def follow_expiry_on(database: Database, day: float) -> int:
    moment: datetime = START + timedelta(days=day)
    async with database.transaction() as session:
        return await follow_expiry(session, clock=lambda: moment)


async def run_on(database: Database, day: float) -> None:
    await follow_expiry_on(database, day)


def test_the_daily_job_is_declared() -> None:
    jobs_registry.discover()
    assert "tenants.gdap_expiry" in [p.name for p in jobs_registry.periodic_jobs()]


async def test_reminders_go_once_each_and_the_date_ends_it(
    database: Database, world: World
) -> None:
    ending = await relationship(database, world, days=40, auto_extend=False)
    extending = await relationship(database, world, days=41, auto_extend=True)

    assert await follow_expiry_on(database, 5) == 0
    assert await emails(database, "gdap_expiring") == []
    assert await follow_expiry_on(database, 10.5) == 1  # 29.5 days left
    assert await follow_expiry_on(database, 11) == 0
    [first] = await emails(database, "gdap_expiring")
    assert first["context"]["reminder_days"] == 30 and first["context"]["days_left"] == 29
    assert sorted(first["recipients"]) == sorted(
        [world.reseller_a.organization.contact_email, world.customer_a.organization.contact_email]
    )
    assert (await stored(database, ending)).status is GdapStatus.EXPIRING

    await run_on(database, 33.5)  # 6.5 days left
    await run_on(database, 34)
    reminders = await emails(database, "gdap_expiring")
    assert [m["context"]["reminder_days"] for m in reminders] == [30, 7]
    assert (await stored(database, ending)).reminders_sent == [30, 7]

    await run_on(database, 40.5)
    assert (await stored(database, ending)).status is GdapStatus.EXPIRED
    assert len(await emails(database, "gdap_expiring")) == 2
    # Microsoft extends the other one by itself: no reminder, no change by date.
    assert (await stored(database, extending)).status is GdapStatus.ACTIVE


async def test_a_missed_run_sends_only_the_nearest_reminder(
    database: Database, world: World
) -> None:
    ending = await relationship(database, world, days=40, auto_extend=False)
    await run_on(database, 35)
    [only] = await emails(database, "gdap_expiring")
    assert only["context"]["reminder_days"] == 7
    assert (await stored(database, ending)).reminders_sent == [30, 7]


async def test_staff_list_what_ends_within_30_days(
    database: Database, world: World, client: httpx.AsyncClient
) -> None:
    soon = await relationship(database, world, days=20, auto_extend=False)
    await relationship(database, world, days=21, auto_extend=True)
    await relationship(database, world, days=60, auto_extend=False)
    url = "/api/v1/gdap/relationships?expiring_within_days=30"
    listed = await client.get(url, headers=world.reseller_a.headers)
    assert [r["id"] for r in listed.json()] == [soon]
    assert (await client.get(url, headers=world.reseller_b.headers)).json() == []
    page = await client.get("/gdap/expiring", headers=world.platform.headers)
    assert page.status_code == 200, page.text
    assert "Alpha Customer" in page.text and "Alpha Reseller" in page.text
    other = await client.get("/gdap/expiring", headers=world.reseller_b.headers)
    assert "No GDAP relationship ends within 30 days" in other.text
