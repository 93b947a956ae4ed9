"""Every route that takes an id, called by strangers with ids from reseller A's world.

The operations come from ``/openapi.json``, so a new route is walked as soon as it exists; a route
whose request body or id is unknown here fails ``test_the_walk_knows_every_operation`` until it is
added to the tables below. A stranger must get the same answer for A's object as for an id that
does not exist (404, or 403 when their role may not do this at all), and nothing in A's world may
change.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import AuditEvent, Order, Organization, OrganizationKind, Role, Segment
from tenantry.orders import flow
from tenantry.security import ROLE_PERMISSIONS, Permission
from tenantry.tenants.gdap.graph import gdap_graph
from tests.agreements.staff import open_attestation_request
from tests.directory.factories import WALK_SKU, imported_user
from tests.factories import Party, World
from tests.identity.factories import People, make_people
from tests.orders.catalog_factories import cart_line, catalog_refresh
from tests.orders.subscriptions.factories import subscription_with_change
from tests.sync.factories import finished_reseller_run, proposed_twin
from tests.sync.visibility import add_account, profile_of
from tests.tenants.gdap.factories import linked_with_gdap
from tests.tenants.gdap.fakes import AcceptingGdap

ID_PARAMETER = re.compile(r"\{(\w+_id)\}")
ORGANIZATION = "/api/v1/organizations/{organization_id}"
MEMBER = f"{ORGANIZATION}/members/{{user_id}}"
API_TOKEN = f"{ORGANIZATION}/api-tokens/{{token_id}}"
INVITATION = f"{ORGANIZATION}/invitations/{{invitation_id}}"
GDAP = "/api/v1/gdap-relationships/{gdap_relationship_id}"
SYNC_RUN = "/api/v1/sync/runs/{sync_run_id}"
MATCH = "/api/v1/sync/matches/{match_id}"
MCA = f"{ORGANIZATION}/agreements/microsoft"
ATTESTATION_REQUEST = "/api/v1/agreements/attestation-requests/{attestation_request_id}"
DIRECTORY = f"{ORGANIZATION}/directory"
DIRECTORY_USER = "/api/v1/directory-users/{directory_user_id}"
SUBSCRIPTION = f"{ORGANIZATION}/subscriptions/{{subscription_id}}"
CART_ITEM = "/api/v1/cart/items/{item_id}"
ORDER = "/api/v1/orders/{order_id}"
ATTESTED_BY = {"first_name": "Anna", "last_name": "Hansen", "email": "anna@example.com",
               "date_agreed": "2024-05-01"}  # fmt: skip
LOWEST_ROLE = {
    OrganizationKind.PLATFORM: Role.PLATFORM_STAFF,
    OrganizationKind.RESELLER: Role.RESELLER_STAFF,
    OrganizationKind.CUSTOMER: Role.CUSTOMER_USER,
}


@dataclass(frozen=True)
class Target:
    """One organization of A's world (or the platform) and a member and a token of it."""

    name: str
    kind: OrganizationKind
    ids: dict[str, uuid.UUID]

    @property
    def role(self) -> str:
        return LOWEST_ROLE[self.kind].value


Body = Callable[[Target], dict[str, Any] | None]


def no_body(_: Target) -> None:
    return None


# A minimal valid request body for every operation with an id in its path (None: no body).
BODIES: dict[tuple[str, str], Body] = {
    ("GET", ORGANIZATION): no_body,
    ("PATCH", ORGANIZATION): lambda t: {"display_name": "Renamed by a stranger"},
    ("POST", f"{ORGANIZATION}/approve"): no_body,
    ("POST", f"{ORGANIZATION}/reject"): lambda t: {"reason": "rejected by a stranger"},
    ("POST", f"{ORGANIZATION}/block"): lambda t: {"reason": "blocked by a stranger"},
    ("POST", f"{ORGANIZATION}/unblock"): no_body,
    ("GET", f"{ORGANIZATION}/members"): no_body,
    ("GET", f"{ORGANIZATION}/invitations"): no_body,
    ("POST", f"{ORGANIZATION}/invitations"): lambda t: {
        "email": "stranger@example.com",
        "role": t.role,
    },
    ("POST", f"{INVITATION}/resend"): no_body,
    ("DELETE", INVITATION): no_body,
    ("PATCH", MEMBER): lambda t: {"role": t.role},
    ("DELETE", MEMBER): no_body,
    ("GET", f"{ORGANIZATION}/api-tokens"): no_body,
    ("POST", f"{ORGANIZATION}/api-tokens"): lambda t: {
        "name": "stranger",
        "role": t.role,
        "expires_in_days": 1,
    },
    ("DELETE", API_TOKEN): no_body,
    ("GET", f"{ORGANIZATION}/sign-in-requirement"): no_body,
    ("PUT", f"{ORGANIZATION}/sign-in-requirement"): lambda t: {"requirement": "microsoft"},
    ("GET", f"{ORGANIZATION}/service-details"): no_body,
    ("PUT", f"{ORGANIZATION}/service-details"): lambda t: {
        "choice": "new",
        "domain_prefix": "strangerco",
    },
    ("POST", f"{ORGANIZATION}/service-details/verify"): no_body,
    ("POST", f"{ORGANIZATION}/service-details/email"): no_body,
    ("GET", f"{ORGANIZATION}/tenant"): no_body,
    ("GET", f"{ORGANIZATION}/gdap-relationships"): no_body,
    ("POST", f"{ORGANIZATION}/gdap-relationships"): lambda t: {"template": "support"},
    ("GET", GDAP): no_body,
    ("POST", f"{GDAP}/refresh"): no_body,
    ("GET", f"{ORGANIZATION}/onboarding"): no_body,
    ("GET", SYNC_RUN): no_body,
    # Into itself: refused (409) once seen, so the walk merges nothing away.
    ("POST", f"{ORGANIZATION}/merge"): lambda t: {"merge_id": str(t.ids["organization_id"])},
    ("POST", f"{MATCH}/link"): no_body,
    ("POST", f"{MATCH}/dismiss"): no_body,
    ("GET", f"{ORGANIZATION}/bill-to"): no_body,
    ("POST", f"{ORGANIZATION}/bill-to/take"): lambda t: {"fields": ["address.city"]},
    # The platform's own agreements (agreements/platform).
    ("GET", f"{ORGANIZATION}/platform-agreements"): no_body,
    ("PUT", f"{ORGANIZATION}/professional-secrecy"): lambda t: {"required": True},
    # Agreements: the evidence export (compliance).
    ("GET", f"{ORGANIZATION}/agreements/acceptances"): no_body,
    # agreements (staff attestation and resellers' requests)
    ("GET", MCA): no_body,
    ("POST", f"{MCA}/refresh"): no_body,
    ("POST", f"{MCA}/attestations"): lambda t: ATTESTED_BY,
    ("POST", f"{MCA}/acceptance-request"): lambda t: {},
    ("POST", f"{MCA}/attestation-requests"): lambda t: ATTESTED_BY,
    ("GET", ATTESTATION_REQUEST): no_body,
    ("POST", f"{ATTESTATION_REQUEST}/attest"): lambda t: {},
    ("POST", f"{ATTESTATION_REQUEST}/decline"): lambda t: {"reason": "declined by a stranger"},
    ("POST", f"{ATTESTATION_REQUEST}/withdraw"): no_body,
    # Orders: where a paid order stands with Microsoft (orders/provisioning).
    ("GET", "/api/v1/orders/{order_id}/provisioning"): no_body,
    # The imported directory (directory/): removing a license the user does not hold is a
    # change with nothing to do, so the walk never reaches Microsoft.
    ("GET", DIRECTORY): no_body,
    ("GET", f"{DIRECTORY}/users"): no_body,
    ("GET", f"{DIRECTORY}/imports"): no_body,
    ("POST", f"{DIRECTORY}/imports"): no_body,
    ("GET", f"{DIRECTORY}/trial-conversions"): no_body,
    ("POST", f"{DIRECTORY_USER}/license-changes"): lambda t: {"remove": [WALK_SKU]},
    # A customer's Microsoft subscriptions and their changes (orders/subscriptions).
    ("GET", f"{ORGANIZATION}/subscriptions"): no_body,
    ("GET", SUBSCRIPTION): no_body,
    ("POST", f"{SUBSCRIPTION}/changes"): lambda t: {"quantity": 2},
    ("GET", f"{SUBSCRIPTION}/changes/{{change_id}}"): no_body,
    # The catalog (platform staff) and the cart (a customer's own).
    ("GET", "/api/v1/catalog/refreshes/{refresh_id}"): no_body,
    ("PUT", CART_ITEM): lambda t: {"quantity": 1},
    ("DELETE", CART_ITEM): no_body,
    # orders: A's customer's order waiting for payment; the platform's payment settings.
    ("GET", ORDER): no_body,
    ("POST", f"{ORDER}/confirm"): no_body,
    ("POST", f"{ORDER}/mark-paid"): lambda t: {"reference": "INV-STRANGER"},
    ("POST", f"{ORDER}/retry"): no_body,
    ("POST", f"{ORDER}/cancel"): lambda t: {"reason": "cancelled by a stranger"},
    ("POST", f"{ORDER}/payment"): lambda t: {"provider": "manual"},
    ("PUT", "/api/v1/payment-settings/segments/{segment_id}"): lambda t: {"skip_payment": True},
    ("PUT", "/api/v1/payment-settings/organizations/{organization_id}"): lambda t: {
        "skip_payment": True
    },
}
# Every id a path may name, and where A's world keeps one.
ID_PARAMETERS = frozenset(
    {
        "organization_id",
        "user_id",
        "token_id",
        "invitation_id",
        "gdap_relationship_id",
        "sync_run_id",
        "match_id",
        "attestation_request_id",
        "order_id",
        "directory_user_id",
        "subscription_id",
        "change_id",
        "refresh_id",
        "item_id",
        "segment_id",
    }
)
STAFF_LACKS = frozenset(Permission) - ROLE_PERMISSIONS[Role.PLATFORM_STAFF]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str

    @property
    def ids(self) -> list[str]:
        return ID_PARAMETER.findall(self.path)

    def url(self, ids: dict[str, uuid.UUID]) -> str:
        return self.path.format(**{name: ids[name] for name in self.ids})


def operations_with_ids(app: FastAPI) -> list[Operation]:
    return [
        Operation(method.upper(), path)
        for path, methods in app.openapi()["paths"].items()
        for method in methods
        if ID_PARAMETER.search(path)
    ]


@dataclass(kw_only=True)
class WorldPeople(People):
    """A's people, a GDAP relationship of A's customer, and a match proposal of two of A's
    customers."""

    gdap_relationship_id: uuid.UUID
    sync_run_id: uuid.UUID
    match_id: uuid.UUID
    attestation_request_id: uuid.UUID
    order_id: uuid.UUID
    directory_user_id: uuid.UUID
    # Per organization: one of its subscriptions and a change of it.
    subscriptions: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    refresh_id: uuid.UUID
    item_id: uuid.UUID
    segment_id: uuid.UUID


def targets(world: World, people: WorldPeople) -> list[Target]:
    gdap = {
        "gdap_relationship_id": people.gdap_relationship_id,
        "sync_run_id": people.sync_run_id,
        "match_id": people.match_id,
        "attestation_request_id": people.attestation_request_id,
        "order_id": people.order_id,
        "directory_user_id": people.directory_user_id,
        "refresh_id": people.refresh_id,
        "item_id": people.item_id,
        "segment_id": people.segment_id,
    }

    def of(organization_id: uuid.UUID) -> dict[str, uuid.UUID]:
        subscription_id, change_id = people.subscriptions[organization_id]
        return {"subscription_id": subscription_id, "change_id": change_id}

    return [
        Target(
            "reseller A",
            OrganizationKind.RESELLER,
            {
                "organization_id": world.reseller_a.id,
                **of(world.reseller_a.id),
                "user_id": people.reseller_staff.id,
                "token_id": people.reseller_token.id,
                "invitation_id": people.reseller_invitation.id,
            }
            | gdap,
        ),
        Target(
            "A's customer",
            OrganizationKind.CUSTOMER,
            {
                "organization_id": world.customer_a.id,
                **of(world.customer_a.id),
                "user_id": people.customer_user.id,
                "token_id": people.customer_token.id,
                "invitation_id": people.customer_invitation.id,
            }
            | gdap,
        ),
        Target(
            "the platform",
            OrganizationKind.PLATFORM,
            {
                "organization_id": world.platform.id,
                **of(world.platform.id),
                "user_id": people.platform_admin.id,
                "token_id": people.platform_token.id,
                "invitation_id": people.platform_invitation.id,
            }
            | gdap,
        ),
    ]


async def call(
    client: httpx.AsyncClient, operation: Operation, ids: dict[str, uuid.UUID],
    body: dict[str, Any] | None, caller: Party,
) -> httpx.Response:  # fmt: skip
    return await client.request(
        operation.method, operation.url(ids), json=body, headers=caller.headers
    )


async def snapshot(client: httpx.AsyncClient, world: World, people: WorldPeople) -> list[Any]:
    """What the platform sees of A's world: organizations, members and tokens."""
    seen = []
    for target in targets(world, people):
        base = f"/api/v1/organizations/{target.ids['organization_id']}"
        for url in (base, f"{base}/members", f"{base}/api-tokens", f"{base}/invitations"):
            response = await client.get(url, headers=world.platform.headers)
            assert response.status_code == 200, response.text
            seen.append(response.json())
    return seen


async def audit_count(database: Database) -> int:
    async with database.transaction(write=False) as session:
        return (await session.execute(select(func.count()).select_from(AuditEvent))).scalar_one()


@pytest.fixture
async def people(database: Database, world: World) -> WorldPeople:
    made = await make_people(database, world)
    async with database.transaction() as session:  # A's customer has a bill-to to take
        customer = await session.get_one(Organization, world.customer_a.id)
        profile = profile_of(customer, city="Aarhus")
        await add_account(session, world.platform.id, organization=customer, profile=profile)
    subscriptions = {
        party.id: await subscription_with_change(database, world, party.id)
        for party in (world.reseller_a, world.customer_a, world.platform)
    }
    return WorldPeople(
        **{f.name: getattr(made, f.name) for f in fields(made)},
        subscriptions=subscriptions,
        gdap_relationship_id=await linked_with_gdap(database, world),
        sync_run_id=await finished_reseller_run(database, world),
        match_id=await proposed_twin(database, world),
        attestation_request_id=await open_attestation_request(database, world),
        directory_user_id=await imported_user(database, world),
        refresh_id=await catalog_refresh(database, world),
        item_id=await cart_line(database, world),
        order_id=await order_waiting_for_payment(database, world),
        segment_id=await a_segment(database, world),
    )


async def order_waiting_for_payment(database: Database, world: World) -> uuid.UUID:
    async with database.transaction() as session:
        order = Order(
            platform_id=world.platform.id, organization_id=world.customer_a.id, currency="EUR",
            total=Decimal("5.64"), lines=[],
        )  # fmt: skip
        await flow.placed(session, world.customer_a.actor, order)
        return order.id


async def a_segment(database: Database, world: World) -> uuid.UUID:
    async with database.transaction() as session:
        segment = Segment(platform_id=world.platform.id, name="Walked")
        session.add(segment)
        await session.flush()
        return segment.id


@pytest.fixture(autouse=True)
def _gdap_without_microsoft(app: FastAPI) -> None:
    """GDAP's writes reach a stand-in for Microsoft Graph, not the network."""
    app.dependency_overrides[gdap_graph] = lambda: AcceptingGdap()


def test_the_walk_knows_every_operation(app: FastAPI) -> None:
    operations = operations_with_ids(app)
    known = set(BODIES)
    walked = {(o.method, o.path) for o in operations}
    assert walked - known == set(), "add a minimal valid body for these operations to BODIES"
    assert known - walked == set(), "these operations are gone; remove them from BODIES"
    unknown_ids = {name for o in operations for name in o.ids} - ID_PARAMETERS
    assert unknown_ids == set(), "give the walk an object of A's world for these ids"


@pytest.mark.parametrize("stranger", ["reseller_b", "customer_b", "direct_customer"])
async def test_strangers_cannot_reach_reseller_as_world(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    people: WorldPeople,
    database: Database,
    stranger: str,
) -> None:
    caller: Party = getattr(world, stranger)
    own_kind = OrganizationKind.RESELLER if stranger == "reseller_b" else OrganizationKind.CUSTOMER
    await client.get("/api/v1/me", headers=world.platform.headers)  # settles the token's last use
    before, events_before = await snapshot(client, world, people), await audit_count(database)
    leaks: list[str] = []

    for operation in operations_with_ids(app):
        cases = [(t, t.ids) for t in targets(world, people)]
        if len(operation.ids) > 1:
            # Its own organization in the path, A's member or token after it.
            own = Target("own", own_kind, {})
            cases += [(own, t.ids | {"organization_id": caller.id}) for t in targets(world, people)]
        for target, ids in cases:
            body = BODIES[(operation.method, operation.path)](target)
            foreign = await call(client, operation, ids, body, caller)
            made_up = {name: uuid.uuid4() for name in ids} | (
                {"organization_id": caller.id} if target.name == "own" else {}
            )
            missing = await call(client, operation, made_up, body, caller)
            where = f"{operation.method} {operation.path} on {target.name} {ids}"
            if foreign.is_success:
                leaks.append(f"{where}: {foreign.status_code} {foreign.text[:200]}")
            elif foreign.status_code not in (403, 404):
                leaks.append(f"{where}: expected 404, got {foreign.status_code} {foreign.text}")
            elif foreign.status_code != missing.status_code:
                leaks.append(
                    f"{where}: {foreign.status_code} for A's object but {missing.status_code} "
                    "for one that does not exist, which tells them apart"
                )
            elif stranger == "reseller_b" and foreign.status_code != 404:
                leaks.append(f"{where}: a reseller admin should get 404, got {foreign.status_code}")

    assert leaks == []
    assert await snapshot(client, world, people) == before
    assert await audit_count(database) == events_before


async def test_platform_staff_see_all_of_it(
    app: FastAPI, client: httpx.AsyncClient, world: World, people: WorldPeople
) -> None:
    staff = Party(world.platform.organization, people.platform_token_secret)
    hidden: list[str] = []
    for operation in operations_with_ids(app):
        if operation.method != "GET":
            continue
        for target in targets(world, people):
            response = await call(client, operation, target.ids, None, staff)
            # Seen (never 404), though staff may lack the permission to list some things.
            lacking = response.status_code == 403 and any(
                p.value in response.json()["detail"] for p in STAFF_LACKS
            )
            if response.status_code != 200 and not lacking:
                hidden.append(f"GET {operation.path} on {target.name}: {response.status_code}")
    assert hidden == []


async def test_the_platform_reaches_all_of_it(
    app: FastAPI, client: httpx.AsyncClient, world: World, people: WorldPeople
) -> None:
    """The walk's ids and bodies are right: the platform's admin is answered, not 404 or 422."""
    problems: list[str] = []
    operations = sorted(operations_with_ids(app), key=lambda o: o.method != "GET")
    for operation in operations:
        for target in targets(world, people):
            body = BODIES[(operation.method, operation.path)](target)
            response = await call(client, operation, target.ids, body, world.platform)
            where = f"{operation.method} {operation.path} on {target.name}"
            answered = (
                response.status_code == 200
                if operation.method == "GET"
                else response.status_code not in (404, 422)
            )
            if not answered:
                problems.append(f"{where}: {response.status_code} {response.text}")
    assert problems == []
