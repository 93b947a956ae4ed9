"""The onboarding step of the Microsoft Customer Agreement: accepted (when, by which route),
signed directly, pending (accepted in Tenantry for a tenant not created yet), missing (with what
the viewer does about it, as the purchase gate says it) or not known yet."""

from __future__ import annotations

from datetime import datetime

from tenantry.models import MicrosoftAgreementState
from tenantry.tenants.onboarding.facts import OnboardingFacts
from tenantry.tenants.onboarding.model import (
    ACCEPTANCE_URL,
    ROUTE_WORDS,
    Action,
    Step,
    StepState,
    Viewer,
    agreements_url,
)

KEY = "agreement"
TITLE = "Customer agreement accepted"


def _step(
    state: StepState, detail: str, *, at: datetime | None = None, action: Action | None = None
) -> Step:
    return Step(KEY, TITLE, state, detail, at=at, action=action)


def agreement_step(facts: OnboardingFacts, viewer: Viewer) -> Step:
    status, organization = facts.agreement, facts.organization
    linked = organization.tenant_id is not None
    current = status is not None and status.tenant_id == organization.tenant_id
    if linked and status is not None and current:
        if status.state is MicrosoftAgreementState.DIRECT_SIGNED:
            return _step(
                StepState.DONE,
                "Signed directly by the customer in the Microsoft 365 admin center",
                at=status.date_agreed,
            )
        if status.state is MicrosoftAgreementState.ACCEPTED:
            how = ROUTE_WORDS[status.route] if status.route else "accepted"
            day = f" on {status.date_agreed:%Y-%m-%d}" if status.date_agreed else ""
            return _step(
                StepState.DONE, f"Microsoft Customer Agreement {how}{day}", at=status.date_agreed
            )
        if status.state is MicrosoftAgreementState.MISSING:
            return missing(facts, viewer)
    pending = facts.pending_acceptance
    if not linked and pending is not None:
        return _step(
            StepState.WAITING,
            f"Accepted in Tenantry on {pending.date_agreed:%Y-%m-%d}; confirmed to Microsoft "
            "when the new tenant is created",
            at=pending.recorded_at,
        )
    if not linked:
        return missing(facts, viewer)
    if status is not None and current and status.check_error:
        return _step(StepState.WAITING, f"Not known yet: {status.check_error}")
    return _step(
        StepState.WAITING,
        "Not known yet: Partner Center has not been asked (it is asked before an order)",
    )


def missing(facts: OnboardingFacts, viewer: Viewer) -> Step:
    """Missing: what the viewer does about it, as the purchase gate says it."""
    organization = facts.organization
    refused = (
        f"Not accepted: Microsoft accepts no purchases for {organization.display_name} until "
        "the Microsoft Customer Agreement is accepted."
    )
    if viewer.is_customer and not viewer.may_accept:
        return _step(
            StepState.WAITING, refused + " An administrator of your organization accepts it."
        )
    if viewer.is_customer:
        return _step(
            StepState.WAITING,
            refused + " Read and accept it: it takes a minute.",
            action=Action("Accept the Microsoft Customer Agreement", ACCEPTANCE_URL),
        )
    if viewer.is_reseller:
        return _step(
            StepState.WAITING,
            refused + " Send the customer the acceptance request, or ask your distributor to "
            "attest an acceptance you obtained.",
            action=Action("See the customer's agreements", agreements_url(organization.id)),
        )
    return _step(
        StepState.WAITING,
        refused + " The customer accepts it in Tenantry, or you attest an acceptance obtained "
        "outside it.",
        action=Action("Attest the acceptance", agreements_url(organization.id)),
    )
