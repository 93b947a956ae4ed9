"""The Microsoft Customer Agreement as Partner Center knows it: status read and kept, an
attestation confirmed once even when retried, evidence never changed, and the purchase gate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tenantry.agreements import gate, microsoft
from tenantry.agreements.rules import checked_acceptance
from tenantry.db import Database
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    EvidenceIsImmutable,
    MicrosoftAgreementState,
    Organization,
)
from tenantry.partnercenter.client import PartnerCenterClient
from tests.agreements.conftest import linked_customer
from tests.factories import World
from tests.sandbox.conftest import Sandbox


def _attestation(day: date = date(2026, 11, 30)) -> microsoft.Attestation:
    person, moment = checked_acceptance(
        first_name="Anna", last_name="Hansen", email="anna@direct.example", phone=None,
        date_agreed=day, country="DK", now=datetime(2026, 12, 6, 12, tzinfo=UTC),
    )  # fmt: skip
    return microsoft.Attestation(person, moment)


async def _refresh(database: Database, client: PartnerCenterClient, org: Organization) -> str:
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        return (await microsoft.refresh(session, client, row)).state.value


@pytest.mark.parametrize(
    ("fields", "state", "route"),
    [({}, "missing", None), ({"mca_attested": True}, "accepted", "partner_center"),
     ({"mca_direct_signed": True}, "direct_signed", "direct_signed")],
)  # fmt: skip
async def test_the_status_is_what_partner_center_says(
    database: Database, world: World, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient, fields: dict[str, bool], state: str, route: str | None,
) -> None:  # fmt: skip
    org = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, org, **fields)
    assert await _refresh(database, partner_center, org) == state
    assert await _refresh(database, partner_center, org) == state, "asking twice changes nothing"
    async with database.transaction() as session:
        rows = list(await session.scalars(select(AgreementAcceptance)))
    assert [r.route.value for r in rows] == ([route] if route else [])


async def test_an_attestation_is_confirmed_once_even_when_retried(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    tenant = await linked_customer(database, sqlite_sandbox, org)
    for _ in range(2):
        async with database.transaction() as session:
            row = await session.get(Organization, org.id)
            assert row is not None
            acceptance = await microsoft.attest(
                session, partner_center, row, _attestation(),
                route=AcceptanceRoute.STAFF_ATTESTATION, actor=world.platform.actor,
            )  # fmt: skip
    confirmed = await partner_center.list_customer_agreements(str(tenant))
    assert len(confirmed) == 1, "Partner Center holds one attestation"
    assert acceptance.template_id and acceptance.response and acceptance.request
    assert acceptance.request["primaryContact"]["email"] == "anna@direct.example"
    assert await _refresh(database, partner_center, org) == "accepted"


async def test_evidence_is_never_changed(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, org, mca_attested=True)
    await _refresh(database, partner_center, org)

    async def change_the_evidence() -> None:
        async with database.transaction() as session:
            row = await session.scalar(select(AgreementAcceptance))
            assert row is not None
            row.email = "someone.else@example.com"

    with pytest.raises(EvidenceIsImmutable):
        await change_the_evidence()
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(AgreementAcceptance)) == 1


async def test_the_gate_asks_partner_center_again_before_refusing(
    database: Database, world: World, sqlite_sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    org = world.direct_customer.organization
    tenant = await linked_customer(database, sqlite_sandbox, org)
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        missing = await gate.missing_agreements(
            session, row, world.platform.actor, client=partner_center
        )
    assert [m.code for m in missing] == [gate.MCA_MISSING]
    assert "Attest" in (missing[0].link_label or "")
    # The customer signs in the Microsoft 365 admin center meanwhile.
    await sqlite_sandbox.control("PUT", f"/customers/{tenant}/mca", json={"direct_signed": True})
    async with database.transaction() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        assert (
            await gate.missing_agreements(session, row, world.platform.actor, client=partner_center)
            == []
        )
        status = await microsoft.status_row(session, row)
        assert status.state is MicrosoftAgreementState.DIRECT_SIGNED
