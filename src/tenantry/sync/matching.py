"""Is a Partner Center customer one of our organizations without a tenant? Are two organizations
one company? The rules, the evidence they leave, and the match proposals staff review.

The rules (each compares values of the same kind of company: customer with customer, reseller
with reseller):

- ``domain``: the organization's domain is one of the account's domains (its default and
  initial ones and the verified domains Partner Center listed), or the other organization's
  domain; case ignored;
- ``registration_number``: the same company registration number, punctuation ignored
  (``1358 5628`` is ``13585628``), in the same country when both countries are known;
- ``vat_id``: the same VAT ID with or without its country prefix (``DK13585628`` is
  ``13585628`` in Denmark; Greece's ``EL`` too), punctuation ignored;
- ``name``: the same company name once reduced (``models.name_key``: Unicode NFKC, case folded,
  punctuation as spaces, legal forms such as ApS, GmbH, Ltd, Inc, S.p.A., 株式会社 removed; no
  transliteration).

Candidates for a Partner Center account are found through indexes (``organizations.domain``,
``(platform_id, name_key)``, ``(platform_id, registration_number)``), never by comparing every
organization in Python; the rules are then applied in Python to the few found, to write the
evidence. A registration number is looked up as the account gives it, trimmed and compacted: one
stored with other punctuation is found by the duplicate scan (which compacts in SQL), not here.
Existing duplicates are found with one ``GROUP BY`` per rule over the caller's scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    MatchProposal,
    MatchStatus,
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
)
from tenantry.models.name_key import company_name_key
from tenantry.organizations.duplicates import compact, compact_column, vat_forms
from tenantry.organizations.pairs import pair_key
from tenantry.security import Actor, organization_scope

RULES = {
    "domain": "same verified domain",
    "registration_number": "same company registration number",
    "vat_id": "same VAT ID",
    "name": "same company name without its legal form",
}
# A sync proposes a handful of candidates per account at most; more says the rules are too loose.
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Profile:
    """What the rules compare of one side: an organization or a Partner Center account."""

    name: str
    domains: frozenset[str] = field(default_factory=frozenset)
    registration_number: str | None = None
    vat_id: str | None = None
    country: str | None = None

    @property
    def name_key(self) -> str | None:
        return company_name_key(self.name)


def organization_profile(organization: Organization) -> Profile:
    return Profile(
        name=organization.legal_name,
        domains=frozenset({organization.domain.lower()} if organization.domain else set()),
        registration_number=organization.registration_number,
        vat_id=organization.vat_id,
        country=organization.address_country,
    )


def account_domains(account: PartnerCenterAccount) -> frozenset[str]:
    found = {account.default_domain, account.initial_domain, *(account.domains or [])}
    return frozenset(d.strip().lower() for d in found if d and d.strip())


def account_country(account: PartnerCenterAccount) -> str | None:
    address = (account.billing_profile or {}).get("defaultAddress") or {}
    country = address.get("country") if isinstance(address, dict) else None
    return country.upper() if isinstance(country, str) and len(country) == 2 else None


def account_profile(account: PartnerCenterAccount) -> Profile:
    return Profile(
        name=account.company_name,
        domains=account_domains(account),
        registration_number=account.registration_number,
        country=account_country(account),
    )


def _entry(rule: str, left: str, right: str) -> dict[str, Any]:
    return {"rule": rule, "label": RULES[rule], "left": left, "right": right}


def _same_vat(left: Profile, right: Profile) -> bool:
    if not (left.vat_id and right.vat_id and compact(left.vat_id) and compact(right.vat_id)):
        return False
    countries = {c for c in (left.country, right.country) if c}
    if len(countries) > 1:
        return False
    country = next(iter(countries), "")
    return bool(vat_forms(left.vat_id, country) & vat_forms(right.vat_id, country))


def evidence(left: Profile, right: Profile) -> list[dict[str, Any]]:
    """The rules ``left`` and ``right`` meet, each with the two values compared
    (``[{"rule", "label", "left", "right"}]``); empty: nothing says they are one company."""
    found: list[dict[str, Any]] = []
    if shared := sorted(left.domains & right.domains):
        found.append(_entry("domain", shared[0], shared[0]))
    same_country = not (left.country and right.country) or left.country == right.country
    if (
        left.registration_number
        and right.registration_number
        and compact(left.registration_number)
        and compact(left.registration_number) == compact(right.registration_number)
        and same_country
    ):
        found.append(
            _entry("registration_number", left.registration_number, right.registration_number)
        )
    if _same_vat(left, right):
        assert left.vat_id and right.vat_id
        found.append(_entry("vat_id", left.vat_id, right.vat_id))
    if left.name_key and left.name_key == right.name_key:
        found.append(_entry("name", left.name, right.name))
    return found


def _kind_of(account: PartnerCenterAccount) -> OrganizationKind:
    if account.kind is PartnerCenterAccountKind.RESELLER:
        return OrganizationKind.RESELLER
    return OrganizationKind.CUSTOMER


def _account_conditions(profile: Profile) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if profile.domains:
        conditions.append(Organization.domain.in_(sorted(profile.domains)))
    if profile.name_key:
        conditions.append(Organization.name_key == profile.name_key)
    if profile.registration_number and (number := compact(profile.registration_number)):
        raw = {profile.registration_number, profile.registration_number.strip(), number}
        conditions.append(Organization.registration_number.in_(sorted(raw)))
    return conditions


async def _add(
    session: AsyncSession, proposal: MatchProposal, existing: dict[str, MatchProposal]
) -> bool:
    """Add the proposal unless its pair has one (refreshing an open one's evidence); a
    concurrent run that added the same pair first wins (savepoint)."""
    found = existing.get(proposal.pair_key)
    if found is not None:
        if found.status is MatchStatus.OPEN and found.evidence != proposal.evidence:
            found.evidence = proposal.evidence
        return False
    try:
        async with session.begin_nested():
            session.add(proposal)
            await session.flush()
    except IntegrityError:
        return False
    existing[proposal.pair_key] = proposal
    return True


async def _existing(
    session: AsyncSession, platform_id: uuid.UUID, keys: Iterable[str]
) -> dict[str, MatchProposal]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = await session.scalars(
        select(MatchProposal).where(
            MatchProposal.platform_id == platform_id, MatchProposal.pair_key.in_(wanted)
        )
    )
    return {p.pair_key: p for p in rows}


async def propose_for_account(session: AsyncSession, account: PartnerCenterAccount) -> int:
    """Propose the organizations without a tenant that look like ``account`` (open proposals,
    one per pair, kept once dismissed); returns how many were new. An account already linked
    to an organization proposes nothing."""
    return (await propose_for_accounts(session, [account])).get(account.id, 0)


def _meets(organization: Organization, profile: Profile) -> bool:
    """Does the organization meet one of ``_account_conditions(profile)`` (as SQL compares)?"""
    if organization.domain is not None and organization.domain in profile.domains:
        return True
    if profile.name_key and organization.name_key == profile.name_key:
        return True
    number = profile.registration_number
    if number and compact(number) and organization.registration_number is not None:
        return organization.registration_number in {number, number.strip(), compact(number)}
    return False


async def propose_for_accounts(
    session: AsyncSession, accounts: Iterable[PartnerCenterAccount]
) -> dict[uuid.UUID, int]:
    """:func:`propose_for_account` for a batch of accounts of one platform and kind, with one
    query for every account's candidates and one for the pairs' proposals; returns how many
    proposals each account got that are new."""
    wanted = [(a, account_profile(a)) for a in accounts if a.organization_id is None]
    wanted = [(a, p) for a, p in wanted if _account_conditions(p)]
    if not wanted:
        return {}
    first = wanted[0][0]
    query = (
        select(Organization)
        .where(
            Organization.platform_id == first.platform_id,
            Organization.kind == _kind_of(first),
            Organization.tenant_id.is_(None),
            or_(*(c for _, profile in wanted for c in _account_conditions(profile))),
        )
        .order_by(Organization.created_at, Organization.id)
    )
    candidates = list(await session.scalars(query))
    proposals: list[tuple[uuid.UUID, MatchProposal]] = []
    for account, profile in wanted:
        own = [o for o in candidates if _meets(o, profile)][:MAX_CANDIDATES]
        for organization in own:
            found = evidence(organization_profile(organization), profile)
            if found:
                proposals.append((account.id, MatchProposal(
                    platform_id=account.platform_id, organization_id=organization.id,
                    account_id=account.id, pair_key=pair_key(organization.id, account.id),
                    evidence=found, status=MatchStatus.OPEN,
                )))  # fmt: skip
    existing = await _existing(session, first.platform_id, (p.pair_key for _, p in proposals))
    new: dict[uuid.UUID, int] = {}
    for account_id, proposal in proposals:
        if await _add(session, proposal, existing):
            new[account_id] = new.get(account_id, 0) + 1
    return new


async def open_proposals(session: AsyncSession, account: PartnerCenterAccount) -> int:
    """How many open proposals the account has: while it has any, the sync does not create an
    organization for it (staff link it, or dismiss the proposals)."""
    return (await accounts_with_open_proposals(session, [account.id])).get(account.id, 0)


async def accounts_with_open_proposals(
    session: AsyncSession, account_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """:func:`open_proposals` of a batch: account id -> its open proposals (none: absent)."""
    wanted = sorted(set(account_ids), key=str)
    if not wanted:
        return {}
    rows = await session.execute(
        select(MatchProposal.account_id, func.count())
        .where(MatchProposal.account_id.in_(wanted), MatchProposal.status == MatchStatus.OPEN)
        .group_by(MatchProposal.account_id)
    )
    return {account_id: int(count) for account_id, count in rows if account_id is not None}


# Enough groups for a page of proposals; the next scan finds the rest.
MAX_GROUPS = 200


def _vat_bare() -> ColumnElement[str]:
    """The VAT ID compacted and without its country's prefix, in SQL (see ``vat_forms``)."""
    number = compact_column(Organization.vat_id)
    prefix = func.substr(number, 1, 2)
    prefixed = or_(
        prefix == Organization.address_country,
        and_(Organization.address_country == "GR", prefix == "EL"),
    )
    return case((prefixed, func.substr(number, 3)), else_=number)


def _groupings() -> dict[str, tuple[Any, ...]]:
    """Per rule, the SQL values organizations meeting it share (besides their kind)."""
    return {
        "domain": (func.lower(Organization.domain),),
        "name": (Organization.name_key,),
        "registration_number": (
            Organization.address_country,
            compact_column(Organization.registration_number),
        ),
        "vat_id": (Organization.address_country, _vat_bare()),
    }


async def _groups(session: AsyncSession, actor: Actor) -> list[list[Organization]]:
    """Organizations of the caller's scope sharing a rule's value, group by group."""
    found: dict[tuple[Any, ...], list[Organization]] = {}
    visible = and_(organization_scope(actor), Organization.kind != OrganizationKind.PLATFORM)
    for rule, columns in _groupings().items():
        value = columns[-1]
        shared = (
            select(Organization.kind, *columns)
            .where(visible, value.is_not(None), value != "")
            .group_by(Organization.kind, *columns)
            .having(func.count() > 1)
            .limit(MAX_GROUPS)
        )
        keys = {tuple(row) for row in await session.execute(shared)}
        if not keys:
            continue
        members = await session.execute(
            select(Organization, *columns)
            .where(visible, value.in_(sorted({key[-1] for key in keys})))
            .order_by(Organization.created_at, Organization.id)
        )
        for organization, *values in members:
            if (organization.kind, *values) in keys:
                found.setdefault((rule, organization.kind, *values), []).append(organization)
    return [group for group in found.values() if len(group) > 1]


@dataclass(frozen=True)
class DuplicatePair:
    """Two organizations the rules say are one company, and their open proposal."""

    proposal: MatchProposal
    organization: Organization
    other: Organization
    created: bool


async def find_duplicate_organizations(session: AsyncSession, actor: Actor) -> list[DuplicatePair]:
    """Organizations of the caller's scope that the rules say are one company, as open
    proposals (made once per pair; a dismissed pair stays dismissed and is not listed again).

    Groups are found in SQL (``GROUP BY`` the shared value over the rows the caller may see);
    only the pairs inside each group get their evidence in Python. Two organizations holding
    different tenants are never proposed: they cannot be merged.
    """
    pairs: dict[str, tuple[Organization, Organization]] = {}
    for members in await _groups(session, actor):
        for index, first in enumerate(members):
            for second in members[index + 1 :]:
                if first.tenant_id and second.tenant_id and first.tenant_id != second.tenant_id:
                    continue
                pairs.setdefault(pair_key(first.id, second.id), (first, second))
    existing = await _existing(session, actor.platform_id, pairs)
    found: list[DuplicatePair] = []
    for key, (first, second) in sorted(pairs.items()):
        shown = evidence(organization_profile(first), organization_profile(second))
        if not shown:
            continue
        proposal = MatchProposal(
            platform_id=actor.platform_id, organization_id=first.id,
            other_organization_id=second.id, pair_key=key, evidence=shown,
            status=MatchStatus.OPEN,
        )  # fmt: skip
        created = await _add(session, proposal, existing)
        kept = existing[key]
        if kept.status is MatchStatus.OPEN:
            found.append(DuplicatePair(kept, first, second, created))
    return found
