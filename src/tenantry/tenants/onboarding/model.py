"""What the onboarding tracker shows: steps with a state in words, the tenant's details, and
what the person looking may do (for the links offered)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from tenantry.models import AcceptanceRoute, LinkMethod, OrganizationKind, Role
from tenantry.security import Actor, Permission, manages
from tenantry.tenants.onboarding.facts import OnboardingFacts

# The checkout's Service Details step (tenants.service_details.SERVICE_DETAILS_PATH), where the
# customer chooses its tenant and verifies an authorization.
SERVICE_DETAILS_URL = "/service-details"
CART_URL = "/cart"


class StepState(enum.StrEnum):
    DONE = "done"
    WAITING = "waiting"  # someone has to act; the step's action says who and how
    BLOCKED = "blocked"  # something went wrong and must be fixed before it can go on
    NOT_NEEDED = "not_needed"
    NOT_YET_AVAILABLE = "not_yet_available"  # Tenantry does not track this step yet


STATE_WORDS = {
    StepState.DONE: "Done",
    StepState.WAITING: "Waiting",
    StepState.BLOCKED: "Blocked",
    StepState.NOT_NEEDED: "Not needed",
    StepState.NOT_YET_AVAILABLE: "Not yet available",
}

LINK_METHOD_WORDS = {
    LinkMethod.VERIFIED: "Verified with the authorization link (Verify authorization)",
    LinkMethod.WEBHOOK: "Linked when Partner Center said the customer accepted the relationship",
    LinkMethod.CREATED: "Created by Tenantry in Partner Center",
    LinkMethod.ENTERED: "Entered by staff and checked with Partner Center",
    LinkMethod.SYNCED: "Found by the sync with Partner Center",
}
ENTERED_BY_STAFF = "Entered by staff"

# How an acceptance of an agreement came about, in words.
ROUTE_WORDS = {
    AcceptanceRoute.CUSTOMER_IN_PRODUCT: "accepted in Tenantry by the customer's administrator",
    AcceptanceRoute.STAFF_ATTESTATION: "attested by staff",
    AcceptanceRoute.DIRECT_SIGNED: "signed by the customer in the Microsoft 365 admin center",
    AcceptanceRoute.PARTNER_CENTER: "confirmed in Partner Center",
}
# Where a customer admin accepts the Microsoft Customer Agreement
# (agreements.gate.CUSTOMER_ACCEPTANCE_PATH), and where staff see a customer's agreements.
ACCEPTANCE_URL = "/agreements/microsoft-customer-agreement"


def agreements_url(organization_id: uuid.UUID) -> str:
    return f"/organizations/{organization_id}/agreements"


# What a failed MPN ID check found (organizations.mpn_status), in short words.
MPN_FAILURES = {
    "mpn_unknown": "Partner Center knows no partner with this MPN ID",
    "mpn_not_in_network": "the reseller has not accepted the distributor as its indirect provider",
    "mpa_not_signed": "the reseller has not signed the Microsoft Partner Agreement",
    "mpa_region_mismatch": "the reseller is in a CSP region the distributor does not serve",
    "mpn_account_not_found": "Partner Center found no CSP account for this MPN ID",
    "mpn_not_indirect_reseller": "the partner is not an indirect reseller in the CSP program",
}
MPN_UNREACHABLE = "partner_center_unavailable"


@dataclass(frozen=True)
class Action:
    label: str
    href: str


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    state: StepState
    detail: str
    at: datetime | None = None
    by: str | None = None
    action: Action | None = None

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


@dataclass(frozen=True)
class TenantSummary:
    tenant_id: uuid.UUID
    company_name: str | None
    initial_domain: str | None
    default_domain: str | None
    verified_domains: list[str]
    relationship: str | None
    link_method: str | None  # None: entered by staff on the organization, not checked
    how_linked: str
    linked_at: datetime | None
    linked_by: str | None


@dataclass(frozen=True)
class Onboarding:
    organization_id: uuid.UUID
    organization_name: str
    steps: list[Step]
    tenant: TenantSummary | None

    @property
    def next_step(self) -> Step | None:
        """The first step someone has to act on."""
        return next(
            (s for s in self.steps if s.state in (StepState.WAITING, StepState.BLOCKED)), None
        )


@dataclass(frozen=True)
class Viewer:
    """What the person looking may do, for the links offered."""

    is_customer: bool  # the customer itself (or staff acting for it)
    may_act_for: bool  # seller's staff who may open Tenantry as this customer
    may_approve: bool
    may_manage_gdap: bool
    may_see_seller: bool
    may_read_audit: bool
    may_accept: bool = False  # a customer admin in person: accepts the customer agreement
    is_reseller: bool = False  # a reseller's staff (the reseller asks; it may not attest)

    @classmethod
    def of(cls, actor: Actor, facts: OnboardingFacts) -> Viewer:
        organization = facts.organization
        is_customer = actor.organization_id == organization.id
        seller_id = facts.seller.id if facts.seller is not None else None
        return cls(
            is_customer=is_customer,
            may_act_for=not is_customer and actor.can(Permission.ORGANIZATION_ACT_ON_BEHALF),
            may_approve=actor.can(Permission.ORGANIZATION_APPROVE) and manages(actor, organization),
            may_manage_gdap=actor.can(Permission.GDAP_MANAGE),
            may_see_seller=actor.is_platform or actor.organization_id == seller_id,
            may_read_audit=actor.can(Permission.AUDIT_READ),
            may_accept=is_customer
            and actor.role is Role.CUSTOMER_ADMIN
            and not actor.acting_on_behalf,
            is_reseller=actor.organization_kind is OrganizationKind.RESELLER,
        )
