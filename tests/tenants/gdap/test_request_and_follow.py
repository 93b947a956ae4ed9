"""A seller asks a linked customer for GDAP, the customer approves, and the state follows."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select, update

from tenantry.bootstrap import find_platform
from tenantry.db import Database
from tenantry.models import AuditEvent, GdapRelationship, GdapStatus, Organization, utcnow
from tenantry.notifications import messages
from tenantry.tenants.gdap import events
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.tenants.gdap.conftest import (
    approve,
    emails,
    event,
    graph_relationships,
    request_gdap,
    stored,
)

SUPPORT_ROLES = [
    "Directory Readers", "Global Reader", "Helpdesk Administrator",
    "Service Support Administrator", "Security Reader",
]  # fmt: skip


async def handle(database: Database, name: str, relationship_id: str | None = None) -> str:
    async with database.transaction() as session:
        platform = await find_platform(session)
        assert platform is not None
        recorded = event(name, relationship_id, platform_id=platform.id)
        if name.startswith("dap-"):
            return await events.record_dap(session, recorded)
        return await events.follow_relationship(session, recorded)


async def test_request_emails_the_link_and_approval_makes_it_active(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    tenant: dict[str, Any],
) -> None:  # fmt: skip
    asked = await request_gdap(client, world)
    assert asked.status_code == 201, asked.text
    body = asked.json()
    assert body["status"] == "approvalPending" and body["template"] == "support"
    assert [r["name"] for r in body["roles"]] == SUPPORT_ROLES
    assert body["approval_url"].endswith(f"/granularAdminRelationships/{body['relationship_id']}")
    assert body["display_name"].startswith("Alpha Reseller - Support")
    assert len(body["display_name"]) <= 50

    again = await request_gdap(client, world)
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    at_microsoft = await graph_relationships(sqlite_sandbox)
    assert [r["id"] for r in at_microsoft] == [body["relationship_id"]]
    assert at_microsoft[0]["status"] == "approvalPending"

    [mail] = await emails(database, "gdap_approval")
    assert mail["recipients"] == [world.customer_a.organization.contact_email]
    rendered = messages.render("gdap_approval", mail["context"], base_url="http://tenantry.test")
    text = " ".join(rendered.text.split())
    assert body["approval_url"] in text and "Alpha Reseller" in text
    assert "Helpdesk Administrator" in text and "365 days" in text
    assert "Microsoft 365 admin center" in text and "password" in text

    await approve(sqlite_sandbox, tenant, body["approval_url"])
    said = await handle(database, "granular-admin-relationship-activated", body["relationship_id"])
    row = await stored(database, body["id"])
    assert row.status is GdapStatus.ACTIVE and row.activated_at is not None
    assert row.end_at is not None and 364 <= (row.end_at - utcnow()).days <= 365
    assert said.startswith("Alpha Customer's GDAP relationship") and "is now active" in said
    # The same event again changes nothing.
    repeated = await handle(
        database, "granular-admin-relationship-activated", body["relationship_id"]
    )
    assert "was already active" in repeated

    shown = await client.get(
        f"/api/v1/gdap-relationships/{body['id']}", headers=world.reseller_a.headers
    )
    assert shown.json()["status"] == "active"
    async with database.transaction(write=False) as session:
        actions = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_id == body["id"]))).all()  # fmt: skip
    assert "gdap.requested" in actions and "gdap.followed_event" in actions


async def active_relationship(
    client: httpx.AsyncClient, world: World, sandbox: Sandbox, tenant: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = (await request_gdap(client, world)).json()
    await approve(sandbox, tenant, body["approval_url"])
    return body


async def test_termination_and_expiry_follow_microsoft(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    tenant: dict[str, Any],
) -> None:  # fmt: skip
    first = await active_relationship(client, world, sqlite_sandbox, tenant)
    ended = await sqlite_sandbox.client.post(
        f"/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{first['relationship_id']}/requests",
        json={"action": "terminate"}, headers=await _graph(sqlite_sandbox),
    )  # fmt: skip
    assert ended.status_code == 201, ended.text
    said = await handle(
        database, "granular-admin-relationship-terminated", first["relationship_id"]
    )
    assert "is now terminated" in said
    assert (await stored(database, first["id"])).status is GdapStatus.TERMINATED

    second = (
        await request_gdap(client, world, template="licensing_and_users", duration_days=30)
    ).json()
    await approve(sqlite_sandbox, tenant, second["approval_url"])
    await sqlite_sandbox.control("POST", "/clock", json={"advanceSeconds": 31 * 86400})
    said = await handle(database, "granular-admin-relationship-expired", second["relationship_id"])
    assert "is now expired" in said
    assert (await stored(database, second["id"])).status is GdapStatus.EXPIRED


async def _graph(sandbox: Sandbox) -> dict[str, str]:
    from tests.sandbox.outside_world import graph_headers

    return await graph_headers(sandbox)


async def test_refresh_reads_the_state_from_microsoft(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    tenant: dict[str, Any],
) -> None:  # fmt: skip
    body = await active_relationship(client, world, sqlite_sandbox, tenant)
    refreshed = await client.post(
        f"/api/v1/gdap-relationships/{body['id']}/refresh", headers=world.reseller_a.headers
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["status"] == "active" and refreshed.json()["end_at"]


async def test_an_unknown_relationship_and_dap_events_are_kept_in_words(
    database: Database, world: World, tenant: dict[str, Any]
) -> None:
    said = await handle(
        database, "granular-admin-relationship-approved", f"{uuid.uuid4()}-{uuid.uuid4()}"
    )
    assert "was not requested through Tenantry" in said
    assert "did not say which tenant" in await handle(database, "dap-admin-relationship-approved")
    async with database.transaction() as session:
        dap = event(
            "dap-admin-relationship-terminated-by-microsoft",
            platform_id=world.platform.id, CustomerTenantId=tenant["id"],
        )  # fmt: skip
        said = await events.record_dap(session, dap)
    assert said.startswith("Alpha Customer lost delegated admin privileges (DAP)")
    async with database.transaction(write=False) as session:
        recorded = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.organization_id == world.customer_a.id,
                AuditEvent.action == "dap.terminated-by-microsoft",
            )
        )  # fmt: skip
    assert recorded == 1


async def test_refusals_name_the_field_and_the_rule(
    client: httpx.AsyncClient, world: World, database: Database, tenant: dict[str, Any]
) -> None:
    refused = await request_gdap(client, world, template="full_administration", auto_extend=True)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("auto_extend", "not_with_global_administrator")
    ]
    too_long = await request_gdap(client, world, duration_days=731)
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "duration_days"

    # Beta Customer (reseller B's) is not reseller A's to ask for, linked or not.
    foreign = await request_gdap(client, world, organization_id=world.customer_b.id)
    assert foreign.status_code == 404, foreign.text
    unlinked = await client.post(
        f"/api/v1/organizations/{world.customer_b.id}/gdap-relationships",
        json={"template": "support"}, headers=world.platform.headers,
    )  # fmt: skip
    assert unlinked.status_code == 409, unlinked.text
    assert unlinked.json()["code"] == "tenant_not_linked"
    assert "link the tenant first" in unlinked.json()["detail"]
    async with database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(GdapRelationship)) == 0


async def test_partner_center_down_answers_503_and_writes_nothing(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    tenant: dict[str, Any],
) -> None:  # fmt: skip
    await sqlite_sandbox.control(
        "PUT", "/faults", json={"rules": [{"kind": "disconnect", "path": "/graph/*"}]}
    )
    down = await request_gdap(client, world)
    assert down.status_code == 503, down.text
    assert "nothing was saved" in down.json()["detail"]
    async with database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(GdapRelationship)) == 0
        assert await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "gdap.requested")
        ) == 0  # fmt: skip
    assert await emails(database, "gdap_approval") == []
    await sqlite_sandbox.control("DELETE", "/faults")
    assert (await request_gdap(client, world)).status_code == 201


async def test_microsofts_refusal_is_said_in_its_words(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    """A tenant Microsoft does not know (linked, then gone): 409 with Microsoft's reason."""
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.customer_a.id)
            .values(tenant_id=uuid.uuid4())
        )
    refused = await request_gdap(client, world)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "gdap_refused_by_microsoft"
    assert "was not found" in refused.json()["detail"]
    async with database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(GdapRelationship)) == 0
