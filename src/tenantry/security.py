"""Who is calling, what they may do, and which organizations they may see.

Every read of organization-owned data goes through :func:`organization_scope`; repositories take the
actor and apply it, so scoping lives in one place.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Forbidden
from tenantry.models import Organization, OrganizationKind, PartnerCenterAccount, Role


class Permission(enum.StrEnum):
    ORGANIZATION_READ = "organization.read"
    ORGANIZATION_CREATE = "organization.create"
    ORGANIZATION_EDIT_PROFILE = "organization.edit_profile"
    ORGANIZATION_EDIT_BASIC = "organization.edit_basic"
    ORGANIZATION_APPROVE = "organization.approve"
    ORGANIZATION_BLOCK = "organization.block"
    AUDIT_READ = "audit.read"
    MEMBERS_MANAGE = "members.manage"
    API_TOKENS_MANAGE = "api_tokens.manage"
    PLATFORM_CONFIGURE = "platform.configure"
    ORGANIZATION_ACT_ON_BEHALF = "organization.act_on_behalf"
    ORDERS_PLACE = "orders.place"
    # Sellers' staff: order for a customer they serve, mark its orders paid, retry and cancel them.
    ORDERS_MANAGE = "orders.manage"
    # Choose a customer's Service Details, send its authorization link, verify it (tenants/).
    TENANTS_MANAGE = "tenants.manage"
    # Ask a customer's tenant for granular delegated admin access, and follow it.
    GDAP_MANAGE = "gdap.manage"
    # See the webhook events Partner Center sent and what became of them.
    PARTNER_CENTER_EVENTS_READ = "partner_center_events.read"
    # See sync runs, what they changed, Partner Center accounts no organization holds, matches.
    SYNC_READ = "sync.read"
    # "Sync now", and take Partner Center's bill-to values onto an organization.
    SYNC_RUN = "sync.run"
    # Merge two organizations into one (both must be in the caller's scope).
    ORGANIZATIONS_MERGE = "organizations.merge"
    # Confirm to Partner Center a customer's acceptance of the Microsoft Customer Agreement that
    # was obtained outside Tenantry, and answer resellers' requests to do so (agreements/).
    # Microsoft lets only the partner of record attest: a direct CSP or a distributor.
    AGREEMENTS_ATTEST = "agreements.attest"
    # Ask the distributor to attest an acceptance a reseller obtained; send the customer the
    # acceptance request (resellers may not attest themselves).
    AGREEMENTS_REQUEST_ATTESTATION = "agreements.request_attestation"
    # "Import now": read a linked customer's users, domains and licenses from its tenant again
    # (directory/). Seeing what was imported needs only organization.read.
    DIRECTORY_IMPORT = "directory.import"
    # Assign licenses bought through the platform to a customer's users, and remove them.
    LICENSES_ASSIGN = "licenses.assign"
    # Refresh the catalog from Partner Center, keep the price list and the markups (the
    # platform's staff; resellers neither see nor set them).
    CATALOG_MANAGE = "catalog.manage"


_P = Permission
# ``orders.place`` (fill the cart, place orders) is used in a customer only: by its admins, and by
# sellers' staff while they act for it (as its admin; their own organization buys nothing). A
# customer user only looks: everyone who sees an organization sees its cart and orders.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Everything but asking someone else to attest: the platform attests itself.
    Role.PLATFORM_ADMIN: frozenset(Permission) - {_P.AGREEMENTS_REQUEST_ATTESTATION},
    Role.PLATFORM_STAFF: frozenset(
        {
            _P.ORGANIZATION_READ,
            _P.ORGANIZATION_CREATE,
            _P.ORGANIZATION_EDIT_PROFILE,
            _P.ORGANIZATION_EDIT_BASIC,
            _P.ORGANIZATION_APPROVE,
            _P.ORGANIZATION_BLOCK,
            _P.AUDIT_READ,
            _P.ORGANIZATION_ACT_ON_BEHALF,
            _P.ORDERS_PLACE,
            _P.ORDERS_MANAGE,
            _P.TENANTS_MANAGE,
            _P.GDAP_MANAGE,
            _P.PARTNER_CENTER_EVENTS_READ,
            _P.SYNC_READ,
            _P.SYNC_RUN,
            _P.ORGANIZATIONS_MERGE,
            _P.AGREEMENTS_ATTEST,
            _P.DIRECTORY_IMPORT,
            _P.LICENSES_ASSIGN,
            _P.CATALOG_MANAGE,
        }
    ),
    Role.RESELLER_ADMIN: frozenset(
        {
            _P.ORGANIZATION_READ,
            _P.ORGANIZATION_CREATE,
            _P.ORGANIZATION_EDIT_PROFILE,
            _P.ORGANIZATION_EDIT_BASIC,
            _P.ORGANIZATION_APPROVE,
            _P.ORGANIZATION_BLOCK,
            _P.AUDIT_READ,
            _P.MEMBERS_MANAGE,
            _P.API_TOKENS_MANAGE,
            _P.ORGANIZATION_ACT_ON_BEHALF,
            _P.ORDERS_PLACE,
            _P.ORDERS_MANAGE,
            _P.TENANTS_MANAGE,
            _P.GDAP_MANAGE,
            _P.SYNC_READ,
            _P.SYNC_RUN,
            _P.ORGANIZATIONS_MERGE,
            _P.AGREEMENTS_REQUEST_ATTESTATION,
            _P.DIRECTORY_IMPORT,
            _P.LICENSES_ASSIGN,
        }
    ),
    Role.RESELLER_STAFF: frozenset(
        {
            _P.ORGANIZATION_READ,
            _P.ORGANIZATION_CREATE,
            _P.ORGANIZATION_EDIT_PROFILE,
            _P.AUDIT_READ,
            _P.ORGANIZATION_ACT_ON_BEHALF,
            _P.ORDERS_PLACE,
            _P.ORDERS_MANAGE,
            _P.TENANTS_MANAGE,
            _P.GDAP_MANAGE,
            _P.SYNC_READ,
            _P.AGREEMENTS_REQUEST_ATTESTATION,
            _P.DIRECTORY_IMPORT,
            _P.LICENSES_ASSIGN,
        }
    ),
    Role.CUSTOMER_ADMIN: frozenset(
        {
            _P.ORGANIZATION_READ,
            _P.ORGANIZATION_EDIT_PROFILE,
            _P.AUDIT_READ,
            _P.MEMBERS_MANAGE,
            _P.API_TOKENS_MANAGE,
            _P.ORDERS_PLACE,
            _P.TENANTS_MANAGE,
            _P.LICENSES_ASSIGN,
        }
    ),
    Role.CUSTOMER_USER: frozenset({_P.ORGANIZATION_READ}),
}

# Never granted while staff act for a customer (login on behalf): whoever acts for a customer
# must not change who can sign in to it, or how.
CREDENTIAL_PERMISSIONS = frozenset({_P.MEMBERS_MANAGE, _P.API_TOKENS_MANAGE})

ROLES_BY_KIND: dict[OrganizationKind, frozenset[Role]] = {
    OrganizationKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN, Role.PLATFORM_STAFF}),
    OrganizationKind.RESELLER: frozenset({Role.RESELLER_ADMIN, Role.RESELLER_STAFF}),
    OrganizationKind.CUSTOMER: frozenset({Role.CUSTOMER_ADMIN, Role.CUSTOMER_USER}),
}


@dataclass(frozen=True)
class Actor:
    """The caller of one request: a person (session) or an integration (API token), in one role
    in one organization."""

    platform_id: uuid.UUID
    organization_id: uuid.UUID
    organization_kind: OrganizationKind
    role: Role
    label: str
    user_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    # Set when staff act for a customer (login on behalf): whom they act for. ``label`` and
    # ``user_id`` stay the real person's, so the audit trail names both.
    on_behalf_of_label: str | None = None
    on_behalf_of_user_id: uuid.UUID | None = None
    on_behalf_until: datetime | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def acting_on_behalf(self) -> bool:
        return self.on_behalf_of_label is not None

    @property
    def permissions(self) -> frozenset[Permission]:
        """The role's permissions, without the credential ones while acting for someone."""
        granted = ROLE_PERMISSIONS[self.role]
        return granted - CREDENTIAL_PERMISSIONS if self.acting_on_behalf else granted

    @property
    def is_platform(self) -> bool:
        return self.organization_kind is OrganizationKind.PLATFORM


def require(actor: Actor, permission: Permission, *, hint: str = "") -> None:
    """Refuse (403) what the actor's role may not do, naming the role and the missing permission
    (also as the problem's ``permission`` member); ``hint`` says what to do instead."""
    if not actor.can(permission):
        detail = f"the role {actor.role.value} may not do this ({permission.value})"
        raise Forbidden(f"{detail}; {hint}" if hint else detail, permission=permission.value)


def organization_scope(actor: Actor) -> ColumnElement[bool]:
    """The organizations this actor may see: platform staff everything on the platform, a reseller
    itself and its customers, a customer itself."""
    same_platform = Organization.platform_id == actor.platform_id
    if actor.organization_kind is OrganizationKind.PLATFORM:
        return same_platform
    if actor.organization_kind is OrganizationKind.RESELLER:
        return and_(
            same_platform,
            or_(
                Organization.id == actor.organization_id,
                Organization.parent_id == actor.organization_id,
            ),
        )
    if actor.organization_kind is OrganizationKind.CUSTOMER:
        return and_(same_platform, Organization.id == actor.organization_id)
    return false()


async def organization_names(
    session: AsyncSession, actor: Actor, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    """Display names of the given organizations that the actor may see."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Organization.id, Organization.display_name).where(
            organization_scope(actor), Organization.id.in_(wanted)
        )
    )
    return {row[0]: row[1] for row in rows}


def partner_center_account_scope(actor: Actor) -> ColumnElement[bool]:
    """The Partner Center accounts (as the sync read them) this actor may see: platform staff
    every one of the platform, a reseller those of its own customers (``reseller_tenant_id`` is
    its partner tenant), a customer none."""
    same_platform = PartnerCenterAccount.platform_id == actor.platform_id
    if actor.organization_kind is OrganizationKind.PLATFORM:
        return same_platform
    if actor.organization_kind is OrganizationKind.RESELLER:
        own_tenant = (
            select(Organization.tenant_id)
            .where(Organization.id == actor.organization_id)
            .scalar_subquery()
        )
        return and_(same_platform, PartnerCenterAccount.reseller_tenant_id == own_tenant)
    return false()


def unlinked_partner_center_accounts(actor: Actor) -> ColumnElement[bool]:
    """Accounts of the actor's scope that Partner Center still lists and no organization holds
    (the sync history's list, and the count in the staff menu)."""
    return and_(
        partner_center_account_scope(actor),
        PartnerCenterAccount.organization_id.is_(None),
        PartnerCenterAccount.gone_at.is_(None),
    )


def manages(actor: Actor, organization: Organization) -> bool:
    """Management actions (approve, block, basic details) apply to organizations below the actor's;
    the platform's own admins also manage the platform's own record."""
    if organization.platform_id != actor.platform_id:
        return False
    if actor.is_platform:
        return organization.id != actor.organization_id or actor.role is Role.PLATFORM_ADMIN
    return organization.parent_id == actor.organization_id


def new_secret(prefix: str) -> tuple[str, str]:
    """A random secret to hand out once, and the hash to keep. Returns (secret, sha256 hex)."""
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    # High-entropy random secrets need no slow hash; SHA-256 lets us look them up by value.
    return hashlib.sha256(secret.encode()).hexdigest()


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
