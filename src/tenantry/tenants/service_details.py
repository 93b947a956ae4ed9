"""The Service Details step: which Microsoft tenant a customer organization's orders are for.

Shown until the organization holds a tenant. Two choices, one row per organization:

- a **new** tenant: a prefix checked against Microsoft's rules and Partner Center's domain list,
  kept for the order (status ``held``);
- an **existing** tenant: the authorization link its Global Administrator opens (status
  ``awaiting_authorization``) until Verify authorization or Partner Center's webhook links it.

Partner Center is asked before anything is written: when it cannot be asked, nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import (
    MicrosoftTenant,
    Organization,
    OrganizationKind,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.organizations import repository
from tenantry.organizations.rules import domain_error
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.security import Actor, Permission, require
from tenantry.tenants import authorization, prefix

log = structlog.get_logger("tenantry.tenants")
T = TypeVar("T")


class NotACustomer(Conflict):
    code = "service_details_customer_only"
    title = "Service Details are chosen for customer organizations"


class AlreadyLinked(Conflict):
    code = "tenant_already_linked"
    title = "The organization already holds a Microsoft tenant"


@dataclass(frozen=True)
class Step:
    """The step as a page or the API shows it."""

    organization: Organization
    details: ServiceDetails | None
    tenant: MicrosoftTenant | None
    sellers: authorization.Sellers

    @property
    def done(self) -> bool:
        """Linked, or a new tenant's prefix held for the order."""
        if self.organization.tenant_id is not None:
            return True
        return self.details is not None and self.details.status is ServiceDetailsStatus.HELD


async def ask(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run one Partner Center call a person waits on; unreachable, throttled or failing, say so
    (503) and let the caller keep what was typed."""
    try:
        return await call()
    except (httpx.HTTPError, PartnerCenterError) as exc:
        log.warning("tenants.partner_center_failed", what=what, error=str(exc))
        raise PartnerCenterUnavailable(
            f"Partner Center could not be asked to {what} (it is unreachable, busy or failing); "
            "nothing was changed, try again in a moment"
        ) from exc


async def load(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Step:
    organization = await repository.get(session, actor, organization_id)
    return await step_of(session, organization)


async def step_of(session: AsyncSession, organization: Organization) -> Step:
    details = await session.get(ServiceDetails, organization.id, populate_existing=True)
    tenant = await session.get(MicrosoftTenant, organization.id, populate_existing=True)
    return Step(
        organization, details, tenant, await authorization.sellers_of(session, organization)
    )


async def _writable(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Step:
    require(actor, Permission.TENANTS_MANAGE)
    step = await load(session, actor, organization_id)
    if step.organization.kind is not OrganizationKind.CUSTOMER:
        raise NotACustomer(
            f"{step.organization.display_name} is not a customer organization; Service Details "
            "are chosen for a customer"
        )
    if step.organization.tenant_id is not None:
        raise AlreadyLinked(
            f"{step.organization.display_name} already holds the Microsoft tenant "
            f"{step.organization.tenant_id}; its orders are for that tenant",
            reason="tenant_already_linked",
        )
    return step


async def prefix_available(client: PartnerCenterClient, raw: str) -> tuple[str, FieldError | None]:
    """The normalized prefix and what is wrong with it (rules first, then Partner Center)."""
    if error := prefix.prefix_error(raw):
        return prefix.normalize(raw), error
    name = prefix.normalize(raw)
    free = await ask(
        f"check whether {prefix.domain_of(name)} is free",
        lambda: client.is_domain_available(prefix.domain_of(name)),
    )
    return name, None if free else prefix.taken_error(name)


async def _save(
    session: AsyncSession, actor: Actor, step: Step, **values: object
) -> ServiceDetails:
    details = step.details
    before = None
    if details is None:
        details = ServiceDetails(
            organization_id=step.organization.id, platform_id=step.organization.platform_id,
            **values,
        )  # fmt: skip
        session.add(details)
    else:
        before = {k: _plain(getattr(details, k)) for k in values}
        if before == {k: _plain(v) for k, v in values.items()}:
            return details  # the same choice again: nothing changes
        for key, value in values.items():
            setattr(details, key, value)
    details.chosen_by_id = actor.user_id
    details.last_verify_outcome = None
    await session.flush()
    await record(
        session, actor, action="service_details.chosen", target_type="organization",
        target_id=step.organization.id, organization_id=step.organization.id,
        changes={"before": before, "after": {k: _plain(v) for k, v in values.items()}},
    )  # fmt: skip
    return details


def _plain(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


async def choose_new(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID,
    client: PartnerCenterClient, raw_prefix: str,
) -> ServiceDetails:  # fmt: skip
    """Keep ``<prefix>.onmicrosoft.com`` for the organization's order."""
    step = await _writable(session, actor, organization_id)
    name, error = await prefix_available(client, raw_prefix)
    if error is not None:
        raise ValidationFailed([error])
    return await _save(
        session, actor, step, choice=TenantChoice.NEW, status=ServiceDetailsStatus.HELD,
        domain_prefix=name, customer_domain=None, reseller_id=None, authorization_url=None,
    )  # fmt: skip


async def choose_existing(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID,
    client: PartnerCenterClient, customer_domain: str,
) -> ServiceDetails:  # fmt: skip
    """Hand out the authorization link for the customer's existing tenant."""
    step = await _writable(session, actor, organization_id)
    domain = customer_domain.strip().lower().rstrip(".")
    if not domain:
        raise ValidationFailed([FieldError(
            "customer_domain", "required",
            "enter a domain the customer uses with Microsoft 365, e.g. contoso.com or "
            "contoso.onmicrosoft.com",
        )])  # fmt: skip
    if error := domain_error("customer_domain", domain):
        raise ValidationFailed([error])
    link = await ask(
        "produce the authorization link",
        lambda: authorization.authorization_link(client, step.sellers),
    )
    reseller = step.sellers.reseller
    return await _save(
        session, actor, step, choice=TenantChoice.EXISTING,
        status=ServiceDetailsStatus.AWAITING_AUTHORIZATION, domain_prefix=None,
        customer_domain=domain, reseller_id=reseller.id if reseller else None,
        authorization_url=link,
    )  # fmt: skip


async def still_available(client: PartnerCenterClient, details: ServiceDetails) -> bool:
    """Checkout asks again: is the held prefix still free?"""
    assert details.domain_prefix is not None
    return bool(
        await ask(
            f"check whether {prefix.domain_of(details.domain_prefix)} is still free",
            lambda: client.is_domain_available(prefix.domain_of(details.domain_prefix or "")),
        )
    )


SERVICE_DETAILS_PATH = "/service-details"


async def missing(session: AsyncSession, organization: Organization) -> str | None:
    """What the Service Details step still needs before the organization may order, in words,
    or None when it is done (a tenant linked, or a new tenant's prefix held)."""
    if organization.tenant_id is not None:
        return None
    details = await session.get(ServiceDetails, organization.id)
    if details is None:
        return "Choose the Microsoft tenant for this order in Service Details."
    if details.status is ServiceDetailsStatus.AWAITING_AUTHORIZATION:
        return (
            f"Waiting for the customer's Global Administrator to accept the authorization for "
            f"{details.customer_domain}; then use Verify authorization in Service Details."
        )
    if details.status is ServiceDetailsStatus.LINKED:
        return "Choose the Microsoft tenant for this order in Service Details."
    return None


async def recheck_held_prefix(
    session: AsyncSession, organization: Organization, client: PartnerCenterClient
) -> str | None:
    """At checkout, a held prefix is asked again: why it can no longer be used, or None."""
    if organization.tenant_id is not None:
        return None
    details = await session.get(ServiceDetails, organization.id)
    if details is None or details.status is not ServiceDetailsStatus.HELD:
        return None
    if await still_available(client, details):
        return None
    assert details.domain_prefix is not None
    return (
        f"The domain {prefix.domain_of(details.domain_prefix)} is no longer available: another "
        "tenant registered it. Choose another prefix in Service Details."
    )
