"""One row of every kind that points at an organization, for the merge tests.

``ROWS`` names a maker for every column with a foreign key to ``organizations.id`` (except the
``platform_id`` columns: they point at platforms, which are never merged). A table added later
fails ``test_every_reference_has_a_row_maker`` until it gets a maker here, and so a merge test.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    AttestationRequest,
    AuthSession,
    CartItem,
    GdapRelationship,
    GdapStatus,
    LinkMethod,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    MicrosoftTenant,
    Organization,
    OrganizationRedirect,
    Role,
    Segment,
    ServiceDetails,
    ServiceDetailsStatus,
    SyncChange,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    TenantChoice,
    organization_segments,
    utcnow,
)
from tenantry.security import hash_secret
from tests.factories import make_organization
from tests.identity.factories import make_api_token, make_invitation, make_person
from tests.sync.commerce_rows import COMMERCE_ROWS
from tests.sync.factories import make_account, make_proposal
from tests.sync.row_kinds import Made, Maker, by_id


async def _user(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    user = await make_person(session, o, Role.CUSTOMER_USER)
    user.last_organization_id = m.id
    return by_id(user)


async def _child(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    return by_id(await make_organization(session, p, parent=m, legal_name="Child Customer"))


async def _token(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    token, _ = await make_api_token(session, m, Role.RESELLER_STAFF)
    return by_id(token)


async def _auth_session(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    user = await make_person(session, m, Role.RESELLER_STAFF)
    row = AuthSession(
        token_hash=hash_secret(secrets.token_urlsafe(16)), user_id=user.id, organization_id=m.id,
        csrf_token="x", expires_at=utcnow() + timedelta(hours=1), on_behalf_organization_id=m.id,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _cart(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = CartItem(organization_id=m.id, offer_id="CFQ7TTC0LH18-0001", term="P1M", quantity=2)
    session.add(row)
    await session.flush()
    return by_id(row)


async def _gdap(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = GdapRelationship(
        platform_id=p.id, organization_id=m.id, requested_by_organization_id=m.id,
        tenant_id=uuid.uuid4(), display_name="Support", template="support", roles=[],
        duration_days=730, status=GdapStatus.ACTIVE, reminders_sent=[],
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _invitation(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    return by_id(await make_invitation(session, m, Role.RESELLER_STAFF))


async def _membership(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    from sqlalchemy import select

    from tenantry.models import Membership

    user = await make_person(session, m, Role.RESELLER_ADMIN)
    row = await session.scalar(select(Membership).where(Membership.user_id == user.id))
    return by_id(row)


async def _tenant(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = MicrosoftTenant(
        organization_id=m.id, tenant_id=uuid.uuid4(), relationship="indirect", reseller_id=m.id,
        link_method=LinkMethod.ENTERED, linked_at=utcnow(), verified_domains=[],
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return MicrosoftTenant, {"tenant_id": row.tenant_id}


async def _acceptance(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = AgreementAcceptance(
        platform_id=p.id, organization_id=m.id, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
        route=AcceptanceRoute.STAFF_ATTESTATION, date_agreed=utcnow(), recorded_by_label="Staff",
        recorded_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _attestation_request(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = AttestationRequest(
        platform_id=p.id, organization_id=m.id, reseller_id=m.id, requested_by_label="Reseller"
    )
    session.add(row)
    await session.flush()
    return by_id(row)


async def _agreement_status(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = MicrosoftAgreementStatus(
        organization_id=m.id, platform_id=p.id, state=MicrosoftAgreementState.MISSING,
        check_error="merged side",
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return MicrosoftAgreementStatus, {"check_error": "merged side"}


async def _redirect(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = OrganizationRedirect(
        from_id=uuid.uuid4(), to_id=m.id, platform_id=p.id, merged_at=utcnow(), snapshot={}
    )
    session.add(row)
    await session.flush()
    return OrganizationRedirect, {"from_id": row.from_id}


async def _details(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    row = ServiceDetails(
        organization_id=m.id, platform_id=p.id, choice=TenantChoice.NEW,
        status=ServiceDetailsStatus.HELD, domain_prefix=f"p{uuid.uuid4().hex[:10]}",
        reseller_id=m.id,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return ServiceDetails, {"domain_prefix": row.domain_prefix}


async def _run(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = SyncRun(
        platform_id=p.id, scope=SyncScope.RESELLER, scope_organization_id=m.id,
        trigger=SyncTrigger.MANUAL, status=SyncRunStatus.SUCCEEDED, checkpoint={},
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return by_id(row)


async def _segment(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    segment = Segment(platform_id=p.id, name=f"Segment {uuid.uuid4().hex[:6]}")
    session.add(segment)
    await session.flush()
    await session.execute(
        insert(organization_segments).values(organization_id=m.id, segment_id=segment.id)
    )
    return organization_segments, {"segment_id": segment.id}


async def _account(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    return by_id(await make_account(session, p.id, company_name="Linked", organization_id=m.id))


async def _change(session: AsyncSession, p: Organization, m: Organization, o: Organization) -> Made:
    row = SyncChange(organization_id=m.id, action="updated", changes={}, occurred_at=utcnow())
    session.add(row)
    await session.flush()
    return by_id(row)


async def _run_error(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    _, key = await _run(session, p, o, o)
    row = SyncRunError(
        run_id=key["id"], organization_id=m.id, code="x", message="x", occurred_at=utcnow()
    )
    session.add(row)
    await session.flush()
    return by_id(row)


async def _proposal_left(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    return by_id(await make_proposal(session, p.id, m.id, other_id=o.id))


async def _proposal_right(
    session: AsyncSession, p: Organization, m: Organization, o: Organization
) -> Made:
    account = await make_account(session, p.id, company_name="Someone")
    third = await make_organization(session, p, legal_name="Third Party")
    del account
    return by_id(await make_proposal(session, p.id, third.id, other_id=m.id))


ROWS: dict[str, Maker] = COMMERCE_ROWS | {
    "users.last_organization_id": _user,
    "organizations.parent_id": _child,
    "api_tokens.organization_id": _token,
    "auth_sessions.organization_id": _auth_session,
    "auth_sessions.on_behalf_organization_id": _auth_session,
    "cart_items.organization_id": _cart,
    "gdap_relationships.organization_id": _gdap,
    "gdap_relationships.requested_by_organization_id": _gdap,
    "invitations.organization_id": _invitation,
    "memberships.organization_id": _membership,
    "microsoft_tenants.organization_id": _tenant,
    "microsoft_tenants.reseller_id": _tenant,
    "agreement_acceptances.organization_id": _acceptance,
    "attestation_requests.organization_id": _attestation_request,
    "attestation_requests.reseller_id": _attestation_request,
    "microsoft_agreement_statuses.organization_id": _agreement_status,
    "organization_redirects.to_id": _redirect,
    "service_details.organization_id": _details,
    "service_details.reseller_id": _details,
    "sync_runs.scope_organization_id": _run,
    "organization_segments.organization_id": _segment,
    "partner_center_accounts.organization_id": _account,
    "sync_changes.organization_id": _change,
    "sync_run_errors.organization_id": _run_error,
    "match_proposals.organization_id": _proposal_left,
    "match_proposals.other_organization_id": _proposal_right,
}
