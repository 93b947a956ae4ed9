"""The scheduled refresh asks Partner Center about customers whose status is not known to be
accepted, never-checked first, and records why when Partner Center cannot be reached."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx
from sqlalchemy import select

from tenantry.agreements.compliance.refresh import refresh_due
from tenantry.db import Database
from tenantry.models import MicrosoftAgreementState, MicrosoftAgreementStatus
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.settings import Settings
from tests.agreements.conftest import linked_customer
from tests.factories import World
from tests.sandbox.conftest import Sandbox

DAY = timedelta(hours=24)


async def states(database: Database) -> dict[object, MicrosoftAgreementStatus]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(select(MicrosoftAgreementStatus))
        return {row.organization_id: row for row in rows}


async def test_unknown_statuses_become_what_partner_center_says_and_are_not_asked_again(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.customer_a.organization,
                          mca_attested=True)  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.customer_b.organization,
                          mca_direct_signed=True)  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.direct_customer.organization)

    first = await refresh_due(database, partner_center, recheck=DAY, limit=2)
    second = await refresh_due(database, partner_center, recheck=DAY, limit=2)
    third = await refresh_due(database, partner_center, recheck=DAY, limit=2)

    assert sum(first.values()) == 2, "the batch limit bounds one run"
    assert sum(second.values()) == 1 and third == {}, "known statuses wait for the recheck"
    found = {k: v.state for k, v in (await states(database)).items()}
    assert found == {
        world.customer_a.id: MicrosoftAgreementState.ACCEPTED,
        world.customer_b.id: MicrosoftAgreementState.DIRECT_SIGNED,
        world.direct_customer.id: MicrosoftAgreementState.MISSING,
    }
    later = await refresh_due(database, partner_center, recheck=timedelta(0), limit=10)
    assert later == {"missing": 1}, "only the missing one is asked again; accepted ones never"


async def test_an_unreachable_partner_center_is_recorded_and_stops_the_run(
    database: Database, world: World, sqlite_sandbox: Sandbox, settings: Settings,
) -> None:  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.customer_a.organization)
    await linked_customer(database, sqlite_sandbox, world.customer_b.organization)
    rule = {"kind": "error", "status": 503, "path": "/v1/customers/*"}
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [rule]})
    config = dataclasses.replace(PartnerCenterConfig.from_settings(settings), max_attempts=1)
    transport = httpx.ASGITransport(app=sqlite_sandbox.app)
    async with (
        httpx.AsyncClient(transport=transport, base_url=config.api_url) as http,
        PartnerCenterClient(config, http=http) as client,
    ):
        counts = await refresh_due(database, client, recheck=DAY, limit=10)

    assert counts == {"unreachable": 1}, "the rest waits for the next run"
    [status] = (await states(database)).values()
    assert status.state is MicrosoftAgreementState.UNKNOWN
    assert status.check_error == "Partner Center could not be reached"
