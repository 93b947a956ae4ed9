"""The rules about roles, without a database: which roles fit which organization, and that
nobody hands out a role that may do more than their own."""

from __future__ import annotations

import uuid
from itertools import product

import pytest

from tenantry.errors import Forbidden, ValidationFailed
from tenantry.identity.service import ADMIN_ROLES, check_role_ceiling, check_role_fits
from tenantry.models import Organization, OrganizationKind, Role
from tenantry.security import ROLE_PERMISSIONS, ROLES_BY_KIND, Actor


def actor(role: Role) -> Actor:
    kind = next(k for k, roles in ROLES_BY_KIND.items() if role in roles)
    return Actor(
        platform_id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        organization_kind=kind,
        role=role,
        label="tester",
    )


def test_every_role_belongs_to_exactly_one_kind_of_organization() -> None:
    kinds = [k for role in Role for k, roles in ROLES_BY_KIND.items() if role in roles]
    assert len(kinds) == len(Role)


def test_every_kind_of_organization_has_exactly_one_admin_role() -> None:
    for kind, roles in ROLES_BY_KIND.items():
        assert len(roles & ADMIN_ROLES) == 1, kind


@pytest.mark.parametrize(("kind", "role"), list(product(OrganizationKind, Role)))
def test_a_role_fits_only_its_kind_of_organization(kind: OrganizationKind, role: Role) -> None:
    organization = Organization(kind=kind)
    if role in ROLES_BY_KIND[kind]:
        check_role_fits(organization, role)
        return
    with pytest.raises(ValidationFailed) as raised:
        check_role_fits(organization, role)
    assert [(e.field, e.rule) for e in raised.value.errors] == [("role", "role_for_kind")]


@pytest.mark.parametrize(("mine", "granted"), list(product(Role, Role)))
def test_nobody_grants_a_role_that_may_do_more_than_their_own(mine: Role, granted: Role) -> None:
    if ROLE_PERMISSIONS[granted] <= ROLE_PERMISSIONS[mine]:
        check_role_ceiling(actor(mine), granted)
        return
    with pytest.raises(Forbidden) as raised:
        check_role_ceiling(actor(mine), granted)
    assert [(e.field, e.rule) for e in raised.value.errors] == [("role", "exceeds_your_role")]


@pytest.mark.parametrize(
    ("mine", "granted"),
    [
        (Role.RESELLER_STAFF, Role.RESELLER_ADMIN),
        (Role.CUSTOMER_ADMIN, Role.PLATFORM_ADMIN),
        (Role.CUSTOMER_USER, Role.CUSTOMER_ADMIN),
        (Role.PLATFORM_STAFF, Role.PLATFORM_ADMIN),
    ],
)
def test_the_ceiling_refuses_the_obvious_escalations(mine: Role, granted: Role) -> None:
    with pytest.raises(Forbidden):
        check_role_ceiling(actor(mine), granted)
