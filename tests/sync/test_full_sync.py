"""A full sync against the sandbox: resellers and customers become organizations, once."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationSource,
    PartnerCenterAccount,
    SyncRun,
    SyncRunStatus,
)
from tenantry.partnercenter import access
from tenantry.sync.engine import run_sync
from tenantry.sync.tasks import poll_audit_records
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.sandbox.test_rules import new_customer
from tests.sync.conftest import state, sync


async def test_full_sync_creates_resellers_and_customers_once(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    platform_id = network.platform.organization.id
    reseller_tenant = (await sqlite_sandbox.reseller("Gamma Partners", mpn_id="7654321"))[
        "tenantId"
    ]
    await sqlite_sandbox.customer(company_name="株式会社 サンプル", country="DE")
    await sqlite_sandbox.customer(company_name="Ελληνική Εταιρεία", country="FR",
                                  relationship="indirect", reseller_tenant_id=reseller_tenant)  # fmt: skip
    await sqlite_sandbox.customer(company_name="شركة العربية", country="GB")

    first = await sync(database, platform_id)
    assert first.status is SyncRunStatus.SUCCEEDED, first.error
    assert first.created >= 4 and first.failed == 0
    async with database.transaction(write=False) as session:
        gamma = await session.scalar(select(Organization).where(Organization.mpn_id == "7654321"))
        assert gamma is not None and gamma.kind is OrganizationKind.RESELLER
        assert str(gamma.tenant_id) == reseller_tenant
        greek = await session.scalar(
            select(Organization).where(Organization.legal_name == "Ελληνική Εταιρεία")
        )
        assert greek is not None and greek.parent_id == gamma.id
        assert greek.source is OrganizationSource.PARTNER_CENTER
        japanese = await session.scalar(
            select(Organization).where(Organization.legal_name == "株式会社 サンプル")
        )
        assert japanese is not None and japanese.parent_id == platform_id
        unlinked = await session.scalar(
            select(PartnerCenterAccount).where(
                PartnerCenterAccount.kind == "customer",
                PartnerCenterAccount.organization_id.is_(None),
            )
        )
        assert unlinked is None
    before = await state(database, platform_id)

    again = await sync(database, platform_id)
    assert again.status is SyncRunStatus.SUCCEEDED
    assert again.created == 0 and again.updated == 0
    assert await state(database, platform_id) == before


async def test_a_customer_added_in_partner_center_arrives_through_its_audit_record(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    platform_id = network.platform.organization.id
    assert (await sync(database, platform_id)).status is SyncRunStatus.SUCCEEDED
    created = await sqlite_sandbox.call("POST", "/v1/customers", json=new_customer("auditnew"))
    assert created.status_code == 201, created.text
    tenant = uuid.UUID(created.json()["id"])

    async with database.transaction() as session:
        assert await poll_audit_records(session) == 1
    async with database.transaction(write=False) as session:
        [queued] = await session.scalars(select(SyncRun).where(SyncRun.status == "queued"))
    assert queued.scope_tenant_id == tenant
    await run_sync(database, access.current(), queued.id)
    async with database.transaction(write=False) as session:
        arrived = await session.scalar(select(Organization).where(Organization.tenant_id == tenant))
        assert arrived is not None
        assert arrived.legal_name == created.json()["billingProfile"]["companyName"]
        assert arrived.source is OrganizationSource.PARTNER_CENTER
