"""`tenantry demo load` fills an empty database with a demo distributor, once."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.fernet import Fernet

from tenantry.db import Database
from tenantry.demo import DEMO_PASSWORD, LOGINS
from tenantry.identity.passwords.hashing import verify_password
from tenantry.models import (
    AuditEvent,
    Base,
    CustomPropertyDefinition,
    MatchProposal,
    Membership,
    Organization,
    OrganizationStatus,
    PlatformModel,
    Segment,
    User,
    organization_segments,
)
from tenantry.models import OrganizationKind as Kind
from tests.cli.conftest import Cli

TABLES = (
    "organizations", "users", "memberships", "audit_events", "segments",
    "custom_property_definitions", "organization_segments",
)  # fmt: skip


async def row_counts(database: Database) -> dict[str, int]:
    async with database.transaction(write=False) as session:
        return {
            table: (
                await session.execute(
                    sa.select(sa.func.count()).select_from(Base.metadata.tables[table])
                )
            ).scalar_one()
            for table in TABLES
        }


async def organizations(database: Database) -> list[Organization]:
    async with database.transaction(write=False) as session:
        return list((await session.execute(sa.select(Organization))).scalars())


async def test_a_second_load_changes_nothing_and_says_so(cli: Cli, database: Database) -> None:
    first = await cli("demo", "load")
    counts = await row_counts(database)

    second = await cli("demo", "load")

    assert first.exit_code == 0, first.output
    assert "Loaded the demo data: 1 distributor, 3 resellers, 26 customers, 9 logins." in (
        first.output
    )
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "Demo data is loaded already; nothing changed."
    assert await row_counts(database) == counts
    assert counts["organizations"] == 30


async def test_the_demo_has_a_distributor_resellers_and_customers_in_every_state(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")

    rows = await organizations(database)
    (platform,) = [o for o in rows if o.kind is Kind.PLATFORM]
    resellers = [o for o in rows if o.kind is Kind.RESELLER]
    customers = [o for o in rows if o.kind is Kind.CUSTOMER]
    assert platform.platform_model is PlatformModel.INDIRECT_PROVIDER
    assert platform.mpn_id and platform.tenant_id
    assert len(resellers) == 3
    assert all(r.mpn_id and r.parent_id == platform.id for r in resellers)
    assert len(customers) == 26
    for reseller in resellers:
        assert sum(c.parent_id == reseller.id for c in customers) >= 5
    assert [c.legal_name for c in customers if c.parent_id == platform.id] == [
        "Contoso Pharmaceuticals SAS"
    ]
    pending = [c for c in customers if c.status is OrganizationStatus.PENDING_APPROVAL]
    blocked = [c for c in customers if c.status is OrganizationStatus.BLOCKED]
    assert len(pending) >= 3
    assert [b.legal_name for b in blocked] == ["City Power & Light Ltd"]
    assert blocked[0].status_reason and "unpaid" in blocked[0].status_reason.lower()
    assert len({c.address_country for c in customers}) >= 6
    assert all(c.contact_phone and c.contact_phone.startswith("+") for c in customers)
    assert sum(c.vat_id is not None for c in customers) >= 24
    assert all(c.custom_properties.get("account_manager") for c in customers)


async def test_segments_and_the_custom_property_are_defined_and_used(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")

    async with database.transaction(write=False) as session:
        names = set((await session.execute(sa.select(Segment.name))).scalars())
        keys = set((await session.execute(sa.select(CustomPropertyDefinition.key))).scalars())
        used = (
            await session.execute(sa.select(sa.func.count()).select_from(organization_segments))
        ).scalar_one()
    assert names == {"SMB", "Enterprise", "Education"}
    assert keys == {"account_manager"}
    assert used == 25


async def test_every_demo_login_signs_in_with_the_printed_password(
    cli: Cli, database: Database
) -> None:
    result = await cli("demo", "load")

    async with database.transaction(write=False) as session:
        users = {u.email: u for u in (await session.execute(sa.select(User))).scalars()}
        roles = {
            (email, role.value)
            for email, role in await session.execute(
                sa.select(User.email, Membership.role).join(Membership)
            )
        }
    assert f'"{DEMO_PASSWORD}"' in result.output
    for login in LOGINS:
        assert login.email in result.output
        assert verify_password(users[login.email].password_hash, DEMO_PASSWORD)
        assert (login.email, login.role.value) in roles
    assert {role for _, role in roles} == {
        "platform_admin", "platform_staff", "reseller_admin", "reseller_staff",
        "customer_admin", "customer_user",
    }  # fmt: skip


async def test_the_audit_trail_shows_who_created_each_organization(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")

    async with database.transaction(write=False) as session:
        events = list((await session.execute(sa.select(AuditEvent))).scalars())
    by_target = {str(e.target_id): e for e in events if e.action.startswith("organization.created")}
    rows = {str(o.id): o for o in await organizations(database)}
    created = [rows[target] for target in by_target]
    assert len(created) == 29
    coho = next(o for o in created if o.legal_name == "Coho Winery ApS")
    assert by_target[str(coho.id)].action == "organization.created"
    assert by_target[str(coho.id)].actor_label == "Mads Jensen <staff@fabrikam.example>"
    contoso = next(o for o in created if o.legal_name == "Contoso Retail A/S")
    assert by_target[str(contoso.id)].action == "organization.created_and_approved"
    assert by_target[str(contoso.id)].actor_label == "Freja Madsen <admin@fabrikam.example>"
    blocks = [e for e in events if e.action == "organization.block"]
    assert [e.actor_label for e in blocks] == ["Amelia Clarke <admin@adatum.example>"]
    assert any(e.action == "platform.created" for e in events)


async def test_the_demo_lists_a_duplicate_to_merge(cli: Cli, database: Database) -> None:
    await cli("demo", "load")

    async with database.transaction(write=False) as session:
        proposals = list((await session.execute(sa.select(MatchProposal))).scalars())
        names = {o.id: o.legal_name for o in await organizations(database)}
    assert [
        ({names[p.organization_id], names[p.other_organization_id or p.organization_id]},
         sorted(e["rule"] for e in p.evidence), p.status.value)
        for p in proposals
    ] == [({"Contoso Retail A/S", "Contoso Retail"}, ["domain", "name"], "open")]  # fmt: skip


async def test_demo_data_is_never_loaded_in_production(cli: Cli, database: Database) -> None:
    result = await cli(
        "demo",
        "load",
        TENANTRY_ENVIRONMENT="production",
        TENANTRY_SECRET_KEY="x" * 40,
        TENANTRY_CREDENTIALS_KEY=Fernet.generate_key().decode(),
    )

    assert result.exit_code == 1
    assert "demo data is not loaded in production" in result.output
    assert (await row_counts(database))["organizations"] == 0
