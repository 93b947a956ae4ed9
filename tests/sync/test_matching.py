# ruff: noqa: RUF001  (names in other scripts and widths are what these tests are about)
"""The matching rules, the evidence they leave, and proposals made from them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import MatchProposal, MatchStatus, Organization, OrganizationKind
from tenantry.models.name_key import company_name_key
from tenantry.security import Actor
from tenantry.sync.matching import (
    Profile,
    evidence,
    find_duplicate_organizations,
    open_proposals,
    propose_for_account,
)
from tests.factories import World, make_organization
from tests.sync.factories import make_account


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Contoso ApS", "CONTOSO A/S"),
        ("Contoso", "Contoso Ltd."),
        ("Contoso Limited", "contoso ltd"),
        ("Contoso, Inc.", "Contoso Corporation"),
        ("Fabrikam GmbH & Co. KG", "Fabrikam"),
        ("Fabrikam Pty. Ltd.", "FABRIKAM PTY LTD"),
        ("Tailspin S.p.A.", "Tailspin SpA"),
        ("Tailspin SARL", "Tailspin S.A.S."),
        ("Northwind B.V.", "Northwind NV"),
        ("Northwind Oy", "Northwind AB"),
        ("Ｃｏｎｔｏｓｏ ＡｐＳ", "Contoso"),  # full-width forms (NFKC)
        ("Straße GmbH", "STRASSE AG"),  # case folding
        ("株式会社テスト", "テスト株式会社"),  # the legal form before or after the name
        ("㈱テスト", "テスト"),
        ("北京测试有限公司", "北京测试"),
        ("삼성전자 주식회사", "삼성전자"),
        ("Контосо ООО", "КОНТОСО"),
        ("O’Brien Ltd", "O'Brien"),
    ],
)
def test_names_that_differ_only_by_legal_form_case_or_width_match(first: str, second: str) -> None:
    assert company_name_key(first) == company_name_key(second) is not None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Contoso", "Contoso Pharma"),
        ("Контосо", "Contoso"),  # no transliteration
        ("テスト", "テスト2"),
        ("Alpha Holding", "Alpha"),
    ],
)
def test_different_names_do_not_match(first: str, second: str) -> None:
    assert company_name_key(first) != company_name_key(second)


def test_a_name_that_is_only_a_legal_form_has_no_key() -> None:
    assert company_name_key("ApS") is None
    assert company_name_key("株式会社") is None
    assert company_name_key("") is None


def test_each_rule_leaves_its_evidence() -> None:
    left = Profile("Contoso ApS", frozenset({"contoso.example"}), "1358 5628", "DK13585628", "DK")
    right = Profile("CONTOSO A/S", frozenset({"contoso.example"}), "13585628", "13585628", "DK")
    found = {e["rule"]: e for e in evidence(left, right)}
    assert set(found) == {"domain", "registration_number", "vat_id", "name"}
    assert found["vat_id"] == {
        "rule": "vat_id", "label": "same VAT ID", "left": "DK13585628", "right": "13585628"
    }  # fmt: skip
    assert found["name"]["left"] == "Contoso ApS" and found["name"]["right"] == "CONTOSO A/S"


def test_numbers_of_different_countries_do_not_match() -> None:
    left = Profile("A", registration_number="12345678", vat_id="12345678", country="DK")
    right = Profile("B", registration_number="12345678", vat_id="12345678", country="NO")
    assert evidence(left, right) == []


def test_greek_vat_ids_match_with_el() -> None:
    left = Profile("A", vat_id="EL094259216", country="GR")
    right = Profile("B", vat_id="094259216", country="GR")
    assert [e["rule"] for e in evidence(left, right)] == ["vat_id"]


def test_nothing_shared_is_no_evidence() -> None:
    assert evidence(Profile("Alpha"), Profile("Beta")) == []


async def test_an_account_is_proposed_against_organizations_without_a_tenant(
    database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        by_domain = await make_organization(
            session, platform, legal_name="Something Else", domain="contoso.example"
        )
        by_name = await make_organization(session, platform, legal_name="Contoso ApS")
        await make_organization(
            session, platform, legal_name="Contoso", tenant_id=uuid.uuid4()
        )  # holds a tenant: not proposed
        await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Contoso"
        )  # another kind
        account = await make_account(
            session, world.platform.id, company_name="CONTOSO A/S",
            default_domain="Contoso.example", initial_domain="contoso.onmicrosoft.com",
        )  # fmt: skip
        assert await propose_for_account(session, account) == 2
        assert await propose_for_account(session, account) == 0  # idempotent
        assert await open_proposals(session, account) == 2
        rows = list(
            await session.scalars(
                select(MatchProposal).where(MatchProposal.account_id == account.id)
            )
        )
    assert {r.organization_id for r in rows} == {by_domain.id, by_name.id}
    assert all(r.status is MatchStatus.OPEN for r in rows)
    rules = {r.organization_id: [e["rule"] for e in r.evidence] for r in rows}
    assert rules == {by_domain.id: ["domain"], by_name.id: ["name"]}


async def test_a_dismissed_pair_is_not_proposed_again(database: Database, world: World) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        await make_organization(session, platform, legal_name="Fabrikam Ltd")
        account = await make_account(session, world.platform.id, company_name="Fabrikam")
        assert await propose_for_account(session, account) == 1
        proposal = await session.scalar(select(MatchProposal))
        assert proposal is not None
        proposal.status = MatchStatus.DISMISSED
        await session.flush()
        assert await propose_for_account(session, account) == 0
        assert proposal.status is MatchStatus.DISMISSED


async def test_a_linked_account_proposes_nothing(database: Database, world: World) -> None:
    async with database.transaction() as session:
        account = await make_account(
            session, world.platform.id, company_name="Alpha Customer",
            organization_id=world.customer_a.id,
        )  # fmt: skip
        assert await propose_for_account(session, account) == 0


def _staff(world: World, organization: Organization | None = None) -> Actor:
    from tenantry.models import Role

    target = organization or world.platform.organization
    roles = {
        OrganizationKind.PLATFORM: Role.PLATFORM_ADMIN,
        OrganizationKind.RESELLER: Role.RESELLER_ADMIN,
    }
    return Actor(
        platform_id=world.platform.id, organization_id=target.id,
        organization_kind=target.kind, role=roles[target.kind], label="Staff",
    )  # fmt: skip


async def test_existing_duplicate_organizations_are_found_by_the_same_rules(
    database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        reseller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and reseller is not None
        first = await make_organization(
            session, platform, parent=reseller, legal_name="Tailspin ApS", vat_id="DK13585628"
        )
        second = await make_organization(
            session, platform, parent=reseller, legal_name="Other Name", vat_id="13585628"
        )
        third = await make_organization(session, platform, legal_name="TAILSPIN A/S")
        different_tenants = [
            await make_organization(session, platform, legal_name="Wingtip", tenant_id=uuid.uuid4())
            for _ in range(2)
        ]
        found = await find_duplicate_organizations(session, _staff(world))
        again = await find_duplicate_organizations(session, _staff(world))
        # A reseller finds only pairs of its own customers.
        as_reseller = await find_duplicate_organizations(session, _staff(world, reseller))
    pairs = {frozenset({p.organization.id, p.other.id}) for p in found}
    assert pairs == {
        frozenset({first.id, second.id}),  # VAT ID with and without its prefix
        frozenset({first.id, third.id}),  # name
    }
    assert all(p.created for p in found) and not any(p.created for p in again)
    assert {frozenset({p.organization.id, p.other.id}) for p in as_reseller} == {
        frozenset({first.id, second.id})
    }
    assert not any(o.id in pair for o in different_tenants for pair in pairs)
