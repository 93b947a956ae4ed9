"""The onboarding steps of a customer organization, built from :mod:`facts`.

created -> approved -> tenant created or linked -> relationship verified -> reseller MPN ID valid
-> GDAP active -> agreement accepted -> first order. Each step says its state in words, when and
by whom it was done (from the audit trail), and the next action as a link for whoever looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tenantry.models import (
    GdapStatus,
    OrganizationKind,
    OrganizationStatus,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.tenants.onboarding.agreement import agreement_step
from tenantry.tenants.onboarding.facts import OnboardingFacts
from tenantry.tenants.onboarding.model import (
    CART_URL,
    ENTERED_BY_STAFF,
    LINK_METHOD_WORDS,
    MPN_FAILURES,
    MPN_UNREACHABLE,
    SERVICE_DETAILS_URL,
    Action,
    Onboarding,
    Step,
    StepState,
    TenantSummary,
    Viewer,
)


def build(facts: OnboardingFacts, viewer: Viewer) -> Onboarding:
    builder = _Builder(facts, viewer)
    steps = [step() for step in builder.steps()]
    return Onboarding(
        facts.organization.id,
        facts.organization.display_name,
        steps,
        builder.tenant_summary(),
    )


@dataclass(frozen=True)
class _Builder:
    facts: OnboardingFacts
    viewer: Viewer

    def steps(self) -> list[Callable[[], Step]]:
        return [
            self.created,
            self.approved,
            self.tenant_linked,
            self.relationship_verified,
            self.reseller_mpn,
            self.gdap,
            self.agreement,
            self.first_order,
        ]

    # -- helpers ---------------------------------------------------------------------------
    @property
    def page(self) -> str:
        return f"/organizations/{self.facts.organization.id}"

    def by(self, *actions: str) -> str | None:
        """Who did it, as the audit trail names them (shown to those who may read the trail)."""
        if not self.viewer.may_read_audit:
            return None
        event = next((self.facts.events[a] for a in actions if a in self.facts.events), None)
        if event is None:
            return None
        if event.on_behalf_of_label:
            return f"{event.actor_label}, for {event.on_behalf_of_label}"
        return event.actor_label

    def when(self, *actions: str) -> datetime | None:
        event = next((self.facts.events[a] for a in actions if a in self.facts.events), None)
        return event.occurred_at if event is not None else None

    def customer_action(self, label: str, href: str) -> Action | None:
        """A step the customer takes in Tenantry: the link for the customer, or for its seller's
        staff the way to act as the customer."""
        if self.viewer.is_customer:
            return Action(label, href)
        if self.viewer.may_act_for:
            return Action("Open as this customer", f"{self.page}#on-behalf-title")
        return None

    @property
    def linked(self) -> bool:
        return self.facts.organization.tenant_id is not None

    # -- the steps -------------------------------------------------------------------------
    def created(self) -> Step:
        actions = (
            "organization.created",
            "organization.created_and_approved",
            "organization.registered",
        )
        registered = "organization.registered" in self.facts.events
        return Step(
            "created",
            "Created",
            StepState.DONE,
            "Registered through the storefront" if registered else "Created in Tenantry",
            at=self.when(*actions) or self.facts.organization.created_at,
            by=self.by(*actions),
        )

    def approved(self) -> Step:
        organization = self.facts.organization
        actions = ("organization.approve", "organization.created_and_approved")
        if organization.approved_at is not None:
            return Step(
                "approved",
                "Approved",
                StepState.DONE,
                "Approved by its seller",
                at=organization.approved_at,
                by=self.by(*actions),
            )
        if organization.status is OrganizationStatus.PENDING_APPROVAL:
            action = Action("Approve or reject it", f"{self.page}#status-title")
            return Step(
                "approved",
                "Approved",
                StepState.WAITING,
                "Waiting for its seller to approve it",
                action=action if self.viewer.may_approve else None,
            )
        return Step(
            "approved",
            "Approved",
            StepState.BLOCKED,
            f"Not approved: the organization is {organization.status.value.replace('_', ' ')}",
        )

    def tenant_linked(self) -> Step:
        title = "Microsoft tenant created or linked"
        tenant, details = self.facts.tenant, self.facts.details
        if self.linked:
            if tenant is None:
                return Step(
                    "tenant",
                    title,
                    StepState.DONE,
                    f"{ENTERED_BY_STAFF}: {self.facts.organization.tenant_id}",
                )
            return Step(
                "tenant",
                title,
                StepState.DONE,
                LINK_METHOD_WORDS[tenant.link_method],
                at=tenant.linked_at,
                by=self.by("tenant.linked"),
            )
        if details is not None and details.choice is TenantChoice.NEW:
            return Step(
                "tenant",
                title,
                StepState.WAITING,
                f"A new tenant {details.domain_prefix}.onmicrosoft.com is held for the "
                "order; it is created when the order is provisioned",
                at=details.updated_at,
            )
        if details is not None and details.status is ServiceDetailsStatus.AWAITING_AUTHORIZATION:
            domain = f" ({details.customer_domain})" if details.customer_domain else ""
            return Step(
                "tenant",
                title,
                StepState.WAITING,
                f"The customer already has a tenant{domain}: waiting for its Global "
                "Administrator to accept the authorization link, then Verify",
                at=details.updated_at,
                action=self.customer_action("Verify the authorization", SERVICE_DETAILS_URL),
            )
        return Step(
            "tenant",
            title,
            StepState.WAITING,
            "No Microsoft tenant chosen yet: the customer chooses a new or an existing "
            "tenant in the checkout's Service Details step",
            action=self.customer_action("Choose the Service Details", SERVICE_DETAILS_URL),
        )

    def relationship_verified(self) -> Step:
        title = "Relationship verified"
        tenant = self.facts.tenant
        if tenant is not None:
            through = "through its reseller" if tenant.relationship == "indirect" else "directly"
            return Step(
                "relationship",
                title,
                StepState.DONE,
                f"Partner Center confirmed the customer's relationship ({through})",
                at=tenant.linked_at,
                by=self.by("tenant.linked"),
            )
        if self.linked:
            return Step(
                "relationship",
                title,
                StepState.WAITING,
                "The tenant ID was entered by staff; the relationship has not been "
                "confirmed with Partner Center",
            )
        return Step(
            "relationship",
            title,
            StepState.WAITING,
            "Confirmed with Partner Center when the tenant is linked",
        )

    def reseller_mpn(self) -> Step:
        title = "Reseller's MPN ID valid"
        seller = self.facts.seller
        if seller is None or seller.kind is not OrganizationKind.RESELLER:
            return Step(
                "reseller_mpn",
                title,
                StepState.NOT_NEEDED,
                "Not needed: a direct customer of the platform",
            )
        name = seller.display_name if self.viewer.may_see_seller else "the reseller"
        fix = (
            Action(f"Check {name}'s MPN ID", f"/organizations/{seller.id}#basic-title")
            if self.viewer.may_see_seller
            else None
        )
        status = seller.mpn_status
        if status == "valid":
            return Step(
                "reseller_mpn",
                title,
                StepState.DONE,
                f"Partner Center confirmed {name}'s MPN ID {seller.mpn_id}",
                at=seller.mpn_checked_at,
            )
        if status is None:
            return Step(
                "reseller_mpn",
                title,
                StepState.WAITING,
                f"{name[:1].upper()}{name[1:]}'s MPN ID has not been checked yet",
                action=fix,
            )
        if status == MPN_UNREACHABLE:
            return Step(
                "reseller_mpn",
                title,
                StepState.WAITING,
                f"Partner Center could not be reached at the last check of {name}'s MPN ID; check again",
                at=seller.mpn_checked_at,
                action=fix,
            )
        cause = MPN_FAILURES.get(status, f"the check failed ({status})")
        return Step(
            "reseller_mpn",
            title,
            StepState.BLOCKED,
            f"There seems to be a problem with {name}'s MPN ID: {cause}",
            at=seller.mpn_checked_at,
            action=fix,
        )

    def gdap(self) -> Step:
        title = "GDAP active"
        gdap = self.facts.gdap
        manage = (
            Action("Go to the GDAP section", f"{self.page}#gdap")
            if self.viewer.may_manage_gdap
            else None
        )
        by = self.facts.gdap_requested_by if self.viewer.may_read_audit else None
        if gdap is None:
            waiting_for = "" if self.linked else " once the tenant is linked"
            return Step(
                "gdap",
                title,
                StepState.WAITING,
                f"No delegated admin access asked for yet; ask for it{waiting_for}",
                action=manage if self.linked else None,
            )
        if gdap.status in (GdapStatus.ACTIVE, GdapStatus.EXPIRING):
            ends = f", until {gdap.end_at:%Y-%m-%d}" if gdap.end_at else ""
            return Step(
                "gdap",
                title,
                StepState.DONE,
                f"{gdap.display_name} is active{ends}",
                at=gdap.activated_at,
                by=by,
            )
        if gdap.status in (
            GdapStatus.EXPIRED,
            GdapStatus.TERMINATED,
            GdapStatus.TERMINATING,
            GdapStatus.TERMINATION_REQUESTED,
        ):
            return Step(
                "gdap",
                title,
                StepState.BLOCKED,
                f"{gdap.display_name} has {_gdap_words(gdap.status)}; ask for a new one",
                at=gdap.updated_at,
                action=manage,
            )
        return Step(
            "gdap",
            title,
            StepState.WAITING,
            f"{gdap.display_name} is asked for: waiting for the customer's Global "
            "Administrator to approve it",
            at=gdap.created_at,
            by=by,
            action=manage,
        )

    def agreement(self) -> Step:
        return agreement_step(self.facts, self.viewer)

    def first_order(self) -> Step:
        title = "First order"
        order = self.facts.first_order
        if order is not None:
            return Step(
                "first_order",
                title,
                StepState.DONE,
                f"Order placed ({order.total} {order.currency})",
                at=order.created_at,
                by=self.by("order.submitted"),
                action=Action("See the order", f"/orders/{order.id}")
                if self.viewer.is_customer
                else None,
            )
        return Step(
            "first_order",
            title,
            StepState.WAITING,
            "No order placed yet",
            action=self.customer_action("Go to the cart", CART_URL),
        )

    def tenant_summary(self) -> TenantSummary | None:
        organization, tenant = self.facts.organization, self.facts.tenant
        if organization.tenant_id is None:
            return None
        if tenant is None:
            return TenantSummary(
                organization.tenant_id,
                None,
                None,
                None,
                [],
                None,
                None,
                ENTERED_BY_STAFF,
                None,
                None,
            )
        return TenantSummary(
            tenant_id=tenant.tenant_id,
            company_name=tenant.company_name,
            initial_domain=tenant.initial_domain,
            default_domain=tenant.default_domain,
            verified_domains=list(tenant.verified_domains),
            relationship=tenant.relationship,
            link_method=tenant.link_method.value,
            how_linked=LINK_METHOD_WORDS[tenant.link_method],
            linked_at=tenant.linked_at,
            linked_by=self.by("tenant.linked"),
        )


def _gdap_words(status: GdapStatus) -> str:
    return {
        GdapStatus.EXPIRED: "expired",
        GdapStatus.TERMINATED: "been terminated",
    }.get(status, "been asked to end")
