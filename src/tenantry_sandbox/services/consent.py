"""What a customer's Global Administrator does in the admin center: accept a reseller.

Accepting an invitation link creates the relationship (``accept_invitation`` parses the same link
format Partner Center hands out), records that the customer accepted the Microsoft Customer
Agreement itself (the admin center asks for it on the same page, so the direct-signed status turns
true), and raises ``reseller-relationship-accepted-by-customer`` (plus, for an indirect invitation,
``indirect-reseller-relationship-accepted-by-customer``; ``dap-admin-relationship-approved`` when
the link asked for delegated admin rights) for the partners registered for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.services import webhooks
from tenantry_sandbox.services.relationships import Invitation, accept_invitation
from tenantry_sandbox.store import partners, relationships
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.partners import Partner

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState


@dataclass(frozen=True)
class InvitationView:
    """Who the invitation names, for the acceptance page."""

    partner: Partner  # the reseller of a direct invitation, the indirect reseller otherwise
    provider: Partner | None  # the indirect provider of an indirect invitation
    delegated_admin: bool
    already_accepted: bool

    @property
    def partner_of_record(self) -> Partner:
        return self.provider or self.partner


async def describe(
    session: AsyncSession, invitation: Invitation, customer: Customer
) -> InvitationView:
    partner = await partners.get(session, invitation.partner_tenant_id)
    if partner is None:
        raise PartnerCenterError(
            404, 3000, f"The partner {invitation.partner_tenant_id} in this link was not found."
        )
    provider = None
    if invitation.indirect_provider_tenant_id is not None:
        provider = await partners.get(session, invitation.indirect_provider_tenant_id)
        if provider is None:
            raise PartnerCenterError(
                404,
                3000,
                f"The indirect provider {invitation.indirect_provider_tenant_id} in this link was "
                "not found.",
            )
    accepted = all(
        [
            await relationships.active_for(session, customer.id, p.tenant_id) is not None
            for p in filter(None, (partner, provider))
        ]
    )
    return InvitationView(partner, provider, invitation.delegated_admin, accepted)


async def accept(
    session: AsyncSession, state: SandboxState, customer: Customer, invitation: Invitation
) -> InvitationView:
    view = await describe(session, invitation, customer)
    await accept_invitation(session, customer.id, invitation)
    customer.mca_direct_signed = True
    await session.flush()
    await webhooks.relationship_accepted(
        session,
        state.settings,
        state.clock,
        customer.id,
        view.partner_of_record.tenant_id,
        view.partner.tenant_id if view.provider is not None else None,
    )
    if invitation.delegated_admin:
        await webhooks.emit(
            session,
            state.settings,
            state.clock,
            view.partner_of_record.tenant_id,
            "dap-admin-relationship-approved",
            {},
        )
    return view
