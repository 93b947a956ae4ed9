"""The demo data shows the platform's own agreements: a first version of each, customers'
administrators who accepted the terms, and a healthcare customer still to sign secrecy."""

from __future__ import annotations

from sqlalchemy import select

from tenantry.agreements.platform import acceptance
from tenantry.db import Database
from tenantry.demo.load import load
from tenantry.models import AgreementKind, AgreementVersion, Organization


async def test_the_demo_publishes_both_agreements(database: Database) -> None:
    await load(database)
    async with database.transaction() as session:
        kinds = set(await session.scalars(select(AgreementVersion.kind)))
        assert kinds == {AgreementKind.PLATFORM_TERMS, AgreementKind.PROFESSIONAL_SECRECY}
        trey = await session.scalar(
            select(Organization).where(Organization.legal_name == "Trey Research AB")
        )
        assert trey is not None and trey.requires_professional_secrecy
        secrecy = await acceptance.status_of(session, trey, AgreementKind.PROFESSIONAL_SECRECY)
        assert secrecy.required and not secrecy.satisfied
        contoso = await session.scalar(
            select(Organization).where(Organization.legal_name == "Contoso Retail A/S")
        )
        assert contoso is not None
        terms = await acceptance.status_of(session, contoso, AgreementKind.PLATFORM_TERMS)
        assert terms.satisfied, "its administrator accepted the terms"
