"""The onboarding tracker's agreement step in each state: accepted (date, route in words),
signed directly, pending for a new tenant, missing (with the viewer's way to act), unknown."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import (
    AcceptanceRoute,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    Organization,
)
from tests.agreements.accepted import agreement_accepted
from tests.factories import World, give_tenant
from tests.onboarding.test_tracker import onboarding, step

DAY = datetime(2026, 11, 30, tzinfo=UTC)


async def with_status(database: Database, world: World, **values: object) -> None:
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        tenant = await give_tenant(session, organization)
        session.add(
            MicrosoftAgreementStatus(
                organization_id=organization.id,
                platform_id=world.platform.id,
                tenant_id=tenant,
                **values,
            )
        )


@pytest.mark.parametrize(
    ("values", "detail"),
    [
        ({"state": MicrosoftAgreementState.ACCEPTED, "date_agreed": DAY,
          "route": AcceptanceRoute.STAFF_ATTESTATION},
         "Microsoft Customer Agreement attested by staff on 2026-11-30"),
        ({"state": MicrosoftAgreementState.DIRECT_SIGNED},
         "Signed directly by the customer in the Microsoft 365 admin center"),
    ],
)  # fmt: skip
async def test_an_accepted_agreement_is_done(
    client: httpx.AsyncClient, database: Database, world: World, values: dict[str, object],
    detail: str,
) -> None:  # fmt: skip
    await with_status(database, world, **values)
    agreement = step(await onboarding(client, world.reseller_a, world.customer_a), "agreement")
    assert (agreement["state"], agreement["detail"]) == ("done", detail)


async def test_a_missing_agreement_says_what_each_viewer_does(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await with_status(database, world, state=MicrosoftAgreementState.MISSING)
    own = step(await onboarding(client, world.customer_a, world.customer_a), "agreement")
    assert own["next_action"] == {
        "label": "Accept the Microsoft Customer Agreement",
        "href": "/agreements/microsoft-customer-agreement",
    }
    reseller = step(await onboarding(client, world.reseller_a, world.customer_a), "agreement")
    assert "Send the customer the acceptance request" in reseller["detail"]
    assert reseller["next_action"]["href"] == f"/organizations/{world.customer_a.id}/agreements"
    platform = step(await onboarding(client, world.platform, world.customer_a), "agreement")
    assert platform["next_action"]["label"] == "Attest the acceptance"


async def test_an_unknown_status_says_why(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await with_status(
        database, world, state=MicrosoftAgreementState.UNKNOWN,
        check_error="Partner Center could not be reached",
    )  # fmt: skip
    agreement = step(await onboarding(client, world.reseller_a, world.customer_a), "agreement")
    assert agreement["state"] == "waiting"
    assert agreement["detail"] == "Not known yet: Partner Center could not be reached"


async def test_a_new_tenants_acceptance_is_pending(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await agreement_accepted(database, world.customer_a.id)
    agreement = step(await onboarding(client, world.reseller_a, world.customer_a), "agreement")
    assert agreement["state"] == "waiting"
    assert "confirmed to Microsoft when the new tenant is created" in agreement["detail"]


def test_the_tracker_links_where_the_gate_does() -> None:
    from tenantry.agreements import gate
    from tenantry.tenants.onboarding import model

    assert model.ACCEPTANCE_URL == gate.CUSTOMER_ACCEPTANCE_PATH
    assert model.agreements_url(uuid.UUID(int=1)) == gate.organization_agreements_path(
        uuid.UUID(int=1)
    )
