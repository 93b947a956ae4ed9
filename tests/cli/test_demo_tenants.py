"""The demo's Microsoft tenants: Tailspin Toys, a prospect with an existing tenant ready in the
sandbox, and Contoso Retail, linked, the onboarding tracker's complete example; the sandbox seeds
the same tenants and the demo resellers with the same MPN IDs."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tenantry.agreements.compliance import overview
from tenantry.db import Database
from tenantry.demo import data, login_lines
from tenantry.models import LinkMethod, MicrosoftTenant, Organization
from tenantry.security import Actor
from tenantry.tenants.onboarding import facts, tracker
from tenantry.tenants.onboarding.model import StepState, Viewer
from tenantry_sandbox.seed_demo import (
    CONTOSO,
    CONTOSO_ACCEPTANCE,
    DEMO_RESELLERS,
    FOURTH_COFFEE,
    TAILSPIN,
    WOODGROVE,
    add_demo_tenants,
)
from tenantry_sandbox.services import accounts
from tenantry_sandbox.services.bootstrap import ensure_distributor
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.state import SandboxState
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.partners import NetworkLink, Partner
from tenantry_sandbox.store.relationships import CustomerRelationship
from tests.cli.conftest import Cli


async def by_name(database: Database, legal_name: str) -> Organization:
    async with database.transaction(write=False) as session:
        found = await session.scalar(
            sa.select(Organization).where(Organization.legal_name == legal_name)
        )
        assert found is not None
        return found


async def test_contoso_is_linked_and_tailspin_waits_for_its_service_details(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")
    contoso = await by_name(database, "Contoso Retail A/S")
    tailspin = await by_name(database, "Tailspin Toys ApS")
    platform = await by_name(database, data.PLATFORM_NAME)

    async with database.transaction(write=False) as session:
        tenant = await session.get(MicrosoftTenant, contoso.id)
        assert tenant is not None
        assert tenant.tenant_id == contoso.tenant_id == data.TENANTS[1].tenant_id
        assert tenant.link_method is LinkMethod.ENTERED
        assert (tenant.initial_domain, tenant.default_domain) == (
            "contosoretail.onmicrosoft.com", "contoso.example",
        )  # fmt: skip
        assert tailspin.tenant_id is None
        staff = Actor(platform.id, platform.id, platform.kind, data.LOGINS[0].role, "test")
        steps = {}
        for organization in (contoso, tailspin):
            found = await facts.read(session, staff, organization.id)
            onboarding = tracker.build(found, Viewer.of(staff, found))
            steps[organization.legal_name] = {s.key: s for s in onboarding.steps}
    linked = steps["Contoso Retail A/S"]
    assert linked["tenant"].state is StepState.DONE
    assert linked["tenant"].by == "Freja Madsen <admin@fabrikam.example>"
    assert linked["relationship"].state is StepState.DONE
    assert linked["reseller_mpn"].state is StepState.DONE
    prospect = steps["Tailspin Toys ApS"]
    assert prospect["tenant"].state is StepState.WAITING
    assert prospect["tenant"].action is not None


async def test_the_demo_customers_admin_and_the_global_administrator_are_printed(
    cli: Cli,
) -> None:
    result = await cli("demo", "load")

    assert "admin@tailspintoys.example" in result.output
    assert "admin@tailspintoys.onmicrosoft.com" in result.output
    assert login_lines()[-1].split()[0] == TAILSPIN.global_admin


def test_the_demo_and_the_sandbox_name_the_same_tenants_and_resellers() -> None:
    tenants = {t.initial_domain: t for t in data.TENANTS}
    for seeded in (TAILSPIN, CONTOSO):
        assert seeded.initial_domain in tenants
        assert seeded.custom_domain == tenants[seeded.initial_domain].custom_domain
    assert {(r.legal_name, r.mpn_id) for r in data.RESELLERS} == {
        (r.name, r.mpn_id) for r in DEMO_RESELLERS
    }
    assert CONTOSO.reseller_mpn_id == data.RESELLERS[0].mpn_id
    assert TAILSPIN.reseller_mpn_id is None


async def test_the_sandbox_seeds_the_demo_tenants_once_with_their_global_administrator(
    tmp_path: Path,
) -> None:
    settings = SandboxSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    state = SandboxState(settings)
    try:
        await state.ensure_started()
        async with state.db.sessionmaker() as session, session.begin():
            distributor = (await ensure_distributor(session, settings)).tenant_id
            first = await add_demo_tenants(session, distributor)
            again = await add_demo_tenants(session, distributor)
            expected = {t.initial_domain: t.tenant_id for t in data.TENANTS}
            assert first == again == expected
            assert await session.get(Domain, "tailspintoys.example") is not None
            served = set(
                (await session.execute(sa.select(CustomerRelationship.customer_id))).scalars()
            )
            assert first[TAILSPIN.initial_domain] not in served  # a prospect: no relationship
            assert first[CONTOSO.initial_domain] in served
            partners = {p.mpn_id: p for p in (await session.execute(sa.select(Partner))).scalars()}
            network = set(
                (await session.execute(sa.select(NetworkLink.reseller_tenant_id))).scalars()
            )
            for reseller in data.RESELLERS:
                assert reseller.mpn_id is not None
                partner = partners[reseller.mpn_id]
                assert partner.mpa_signed and partner.tenant_id in network
            admin = await accounts.find(session, settings, TAILSPIN.global_admin)
            assert admin is not None and admin.global_admin
            assert admin.tenant_id == first[TAILSPIN.initial_domain]
    finally:
        await state.close()


async def test_the_demo_has_a_customer_in_each_agreement_state(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")
    platform = await by_name(database, data.PLATFORM_NAME)
    staff = Actor(platform.id, platform.id, platform.kind, data.LOGINS[1].role, "test")
    async with database.transaction() as session:
        rows, _ = await overview.compliance_rows(session, staff, overview.ComplianceFilter())
    shown = {r.name: r for r in rows}
    contoso, woodgrove = shown["Contoso Retail A/S"], shown["Woodgrove Bank A/S"]
    fourth, tailspin = shown["Fourth Coffee GmbH"], shown["Tailspin Toys ApS"]
    assert (contoso.state.value, contoso.route and contoso.route.value) == (
        "accepted", "staff_attestation",
    )  # fmt: skip
    assert woodgrove.state.value == "direct_signed" and not woodgrove.at_risk
    assert fourth.state.value == "missing" and fourth.at_risk and fourth.renewals
    assert tailspin.state.value == "unknown" and tailspin.tenant_id is None
    assert [r.name for r in rows if r.at_risk] == ["Fourth Coffee GmbH"]


def test_the_sandbox_holds_contosos_confirmation_and_woodgroves_signature() -> None:
    assert CONTOSO_ACCEPTANCE == data.CONTOSO_ACCEPTANCE
    assert WOODGROVE.direct_signed and not FOURTH_COFFEE.direct_signed
    assert {WOODGROVE.initial_domain, FOURTH_COFFEE.initial_domain} <= {
        t.initial_domain for t in data.TENANTS if t.linked
    }
