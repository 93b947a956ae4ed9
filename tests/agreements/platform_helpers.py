"""Publishing and accepting the platform's own agreements in tests."""

from __future__ import annotations

from typing import Any

import httpx

from tenantry.agreements import gate
from tenantry.agreements.platform import acceptance
from tenantry.agreements.rules import AcceptingPerson
from tenantry.db import Database
from tenantry.models import AgreementKind, Organization
from tenantry.security import Actor
from tests.factories import Party

TERMS = "/api/v1/platform-agreements/platform_terms/versions"
SECRECY = "/api/v1/platform-agreements/professional_secrecy/versions"


async def publish(
    client: httpx.AsyncClient, caller: Party, url: str = TERMS, **fields: Any
) -> httpx.Response:
    body = {"title": "Terms of business", "body": "1. Scope\nEvery order."} | fields
    return await client.post(url, json=body, headers=caller.headers)


async def accept(database: Database, party: Party, kind: AgreementKind, version: int) -> None:
    """The customer's admin accepts ``version`` (as the page does)."""
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.id)
        person = AcceptingPerson("Anna", "Hansen", "anna@example.com", None)
        await acceptance.accept(
            session, party.actor, organization, kind, version_number=version,
            signatory=acceptance.Signatory(person, "Partner"),
        )  # fmt: skip


async def missing(database: Database, party: Party, viewer: Actor | None = None) -> list[str]:
    """The codes the purchase gate names for ``party``'s organization, as ``viewer`` sees them."""
    return [m.code for m in await missing_entries(database, party, viewer)]


async def missing_entries(
    database: Database, party: Party, viewer: Actor | None = None
) -> list[gate.MissingAgreement]:
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.id)
        return await gate.missing_agreements(session, organization, viewer or party.actor)
