"""Who is looking at a public page (the storefront, registration): nobody signed in, a person
signed in without an organization yet (registering), or a signed-in actor.

Public pages must not send anyone to the sign-in page, so a session that cannot act (ended,
blocked organization) simply counts as no actor here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import func, select

from tenantry import deps
from tenantry.errors import Forbidden, Unauthorized
from tenantry.models import (
    AttestationRequest,
    AttestationRequestStatus,
    AuthSession,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PartnerCenterAccount,
    User,
)
from tenantry.security import (
    Actor,
    Permission,
    organization_scope,
    unlinked_partner_center_accounts,
)
from tenantry.web.forms import tokens_match


@dataclass(frozen=True)
class Visitor:
    auth_session: AuthSession | None = None
    user: User | None = None
    actor: Actor | None = None

    @property
    def registering(self) -> bool:
        """Signed in, but without an organization of their own yet."""
        return self.user is not None and self.actor is None

    def require_form_token(self, submitted: str) -> None:
        if self.auth_session is None:
            raise Unauthorized("sign in first")
        if not tokens_match(self.auth_session.csrf_token, submitted):
            raise Forbidden(
                "the form is missing its CSRF token or it does not match; reload the page"
            )


async def note_page_viewer(
    request: Request, session: deps.DbSession, actor: Actor | None, user: User | None
) -> None:
    """What base.html shows about the viewer: name, organization, unconfirmed address."""
    request.state.actor = actor
    if actor is not None:
        organization = await session.get(Organization, actor.organization_id)
        request.state.organization_name = organization.display_name if organization else None
        if organization is not None and organization.status is OrganizationStatus.PENDING_APPROVAL:
            seller = await session.get(Organization, organization.parent_id)
            request.state.organization_pending = seller.display_name if seller else "your seller"
        if actor.organization_kind is not OrganizationKind.CUSTOMER and actor.can(
            Permission.ORGANIZATION_APPROVE
        ):
            request.state.pending_approvals = await session.scalar(
                select(func.count())
                .select_from(Organization)
                .where(
                    organization_scope(actor),
                    Organization.status == OrganizationStatus.PENDING_APPROVAL,
                )
            )
        if actor.organization_kind is not OrganizationKind.CUSTOMER and actor.can(
            Permission.SYNC_READ
        ):
            request.state.unlinked_accounts = await session.scalar(
                select(func.count())
                .select_from(PartnerCenterAccount)
                .where(unlinked_partner_center_accounts(actor))
            )
        if actor.can(Permission.AGREEMENTS_ATTEST):
            # Resellers' requests waiting for the platform's staff to attest or decline.
            request.state.open_attestation_requests = await session.scalar(
                select(func.count())
                .select_from(AttestationRequest)
                .where(
                    AttestationRequest.platform_id == actor.platform_id,
                    AttestationRequest.status == AttestationRequestStatus.OPEN,
                )
            )
    if user is not None and user.email_verified_at is None:
        request.state.unverified_email = user.email


async def visitor(request: Request, session: deps.DbSession) -> Visitor:
    signed_in = await deps.authenticator(request).signed_in(request, session)
    if signed_in is None:
        request.state.csrf_token = None
        return Visitor()
    request.state.csrf_token = signed_in.auth_session.csrf_token
    request.state.auth_session = signed_in.auth_session
    await note_page_viewer(request, session, signed_in.actor, signed_in.user)
    return Visitor(signed_in.auth_session, signed_in.user, signed_in.actor)


PageVisitor = Annotated[Visitor, Depends(visitor)]
