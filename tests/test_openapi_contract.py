"""The API keeps the contract it publishes at ``/openapi.json``.

Schemathesis generates requests for every operation from the document (a bounded number per
operation), then chains operations through the links it infers (the stateful phase), as a platform
admin and as a reseller admin. Every answer must be documented: no 5xx, no status the operation
does not list, no body outside its schema. When a check fails, fix the code or the document, not
the check.

Requests are aimed at real objects of a seeded world (ids that belong together, the stored version
as If-Match), so write routes run past their lookups; the platform admin's run must get a success
from every write operation (POST, PUT, PATCH, DELETE), or the test says which never got one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from requests.structures import CaseInsensitiveDict
from schemathesis.python import asgi
from sqlalchemy import select

from tenantry.agreements.platform.schemas import PlatformAgreement
from tenantry.app import create_app
from tenantry.db import Database
from tenantry.models import (
    MatchProposal,
    Order,
    Organization,
    OrganizationStatus,
    Segment,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.orders import flow
from tenantry.organizations.tenant_check import app_tenants
from tenantry.resellers.mpn import app_partner_ids
from tenantry.settings import Settings
from tenantry.sync.matching import propose_for_account
from tenantry.tenants.gdap.graph import gdap_graph
from tests.agreements.staff import open_attestation_request
from tests.contract.known_ids import current_etag, known_ids
from tests.directory.factories import imported_user
from tests.factories import World, make_organization
from tests.identity.factories import People, make_people
from tests.orders.subscriptions.factories import subscription_with_change
from tests.organizations.fakes import KnownTenants
from tests.resellers.fakes import KnownPartnerIds
from tests.sync.factories import finished_reseller_run, make_account, proposed_twin
from tests.sync.visibility import add_account, profile_of
from tests.tenants.gdap.factories import linked_with_gdap
from tests.tenants.gdap.fakes import AcceptingGdap
from tests.tenants.stand_in import PartnerCenterStandIn

CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance")
# Fixed seeds: the same requests on every run, so a failure is reproducible and never flaky.
COMMON: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}
PER_OPERATION = hypothesis_settings(max_examples=15, **COMMON)
SCENARIOS = hypothesis_settings(max_examples=25, stateful_step_count=8, **COMMON)


def contract_config(token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token}"},
            # A request waits on the run's other requests (their transactions, the pool): 10 s,
            # the default, was once too short on a loaded CI machine.
            "request-timeout": 60,
            "checks": {"enabled": False} | {name: {"enabled": True} for name in CHECKS},
            # The coverage phase sends hundreds of boundary cases to the larger operations; the
            # fuzzing phase's bounded examples keep `make test` quick.
            "phases": {"coverage": {"enabled": False}},
        }
    )


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Write operations only their outside caller can make succeed, each with the tests that do: the
# run still checks every answer they give (401 to its unsigned requests) against the document.
SIGNED_BY_OTHERS = {
    # Partner Center signs its webhook callbacks; tests/partnercenter_events post signed ones.
    "POST /api/v1/partner-center/events",
    # A reseller's own acts (the platform attests itself, so it is refused them): covered by
    # tests/agreements/test_attestation_requests.py.
    "POST /api/v1/organizations/{organization_id}/agreements/microsoft/attestation-requests",
    "POST /api/v1/agreements/attestation-requests/{attestation_request_id}/withdraw",
    # Succeeds only with a real person and a past date on the one linked customer, which the
    # generated cases rarely combine: its success is covered by tests/agreements.
    "POST /api/v1/organizations/{organization_id}/agreements/microsoft/attestations",
    # A customer's own cart (sellers fill it only while acting for the customer): covered by
    # tests/orders/test_cart_api.py.
    "POST /api/v1/cart/items",
    "PUT /api/v1/cart/items/{item_id}",
    "DELETE /api/v1/cart/items/{item_id}",
    # The customer's own acts on an order (confirming one its seller placed, paying online with a
    # provider none of which ships), and a payment provider's signed callback: covered by
    # tests/orders/test_seller_orders_api.py and test_payment_providers.py.
    "POST /api/v1/orders/{order_id}/confirm",
    "POST /api/v1/orders/{order_id}/payment",
    "POST /api/v1/payments/{provider}/webhook",
}


@pytest.fixture(params=["platform_admin", "reseller_admin"])
def caller(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def people(database: Database, world: World) -> People:
    return await make_people(database, world)


@pytest.fixture
async def pending(database: Database, world: World) -> str:
    """A customer waiting for approval, so rejecting has something to reject."""
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        waiting = await make_organization(
            session, platform, status=OrganizationStatus.PENDING_APPROVAL, legal_name="Waiting"
        )
        return str(waiting.id)


@pytest.fixture
async def awaiting_authorization(database: Database, world: World) -> str:
    """A customer of reseller A waits for its existing tenant's authorization (customer A holds
    a tenant for the GDAP routes, so it cannot be the one)."""
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        seller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and seller is not None
        waiting = await make_organization(
            session, platform, parent=seller, legal_name="Awaiting Tenant ApS"
        )
        details = ServiceDetails(
            organization_id=waiting.id, platform_id=world.platform.id,
            choice=TenantChoice.EXISTING, status=ServiceDetailsStatus.AWAITING_AUTHORIZATION,
            customer_domain="alphaco.example", reseller_id=world.reseller_a.id,
            authorization_url="https://admin.microsoft.com/Adminportal/Home?invType=x",
        )  # fmt: skip
        session.add(details)
        return str(waiting.id)


@pytest.fixture
async def gdap(database: Database, world: World) -> str:
    """A's customer holds a tenant and has a GDAP relationship, so GDAP's routes run through."""
    return str(await linked_with_gdap(database, world))


@pytest.fixture
async def sync_run(database: Database, world: World) -> str:
    """A finished sync of reseller A, which both callers may read."""
    return str(await finished_reseller_run(database, world))


@pytest.fixture
async def merging(database: Database, world: World) -> tuple[str, str, str, str]:
    """Two customers of reseller A to merge, a Partner Center customer proposed for a third (to
    link) and a proposal of two organizations (to dismiss)."""
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        seller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and seller is not None
        keep, away, _linkable = [
            await make_organization(session, platform, parent=seller, legal_name=name)
            for name in ("Mergeable Keep", "Mergeable Away", "Linkable ApS")
        ]
        account = await make_account(session, world.platform.id, company_name="Linkable A/S")
        await propose_for_account(session, account)
        link = await session.scalar(
            select(MatchProposal.id).where(MatchProposal.account_id == account.id)
        )
    dismiss = await proposed_twin(database, world)
    return str(keep.id), str(away.id), str(link), str(dismiss)


@pytest.fixture
async def partner_center_account(database: Database, world: World) -> str:
    """A's customer is held by a Partner Center customer whose bill-to differs in its address,
    so the bill-to routes have differences to show and to take."""
    async with database.transaction() as session:
        customer = await session.get_one(Organization, world.customer_a.id)
        profile = profile_of(customer, city="Aarhus", postalCode="8000", addressLine1="Bygade 2")
        row = await add_account(session, world.platform.id, organization=customer, profile=profile)
        return str(row.id)


@pytest.fixture
async def attestation_requests(database: Database, world: World, gdap: str) -> tuple[str, str]:
    """Two open requests of reseller A for its customer (whose tenant ``gdap`` linked)."""
    made = [await open_attestation_request(database, world) for _ in range(2)]
    return str(made[0]), str(made[1])


@pytest.fixture
async def directory_user(database: Database, world: World, gdap: str) -> str:
    """A user imported from A's customer's tenant (linked by ``gdap``)."""
    return str(await imported_user(database, world))


@pytest.fixture
async def subscription(database: Database, world: World) -> tuple[str, str, str]:
    """A subscription of A's customer (3 licenses, auto-renew on) with a change that is done."""
    row_id, change_id = await subscription_with_change(database, world, world.customer_a.id)
    return str(world.customer_a.id), str(row_id), str(change_id)


@pytest.fixture
async def orders(database: Database, world: World) -> tuple[dict[str, str], str]:
    """Orders of the direct customer (the platform is its seller) for the routes that move them,
    and a segment."""
    made: dict[str, str] = {}
    async with database.transaction() as session:
        direct = await session.get_one(Organization, world.direct_customer.id)
        direct.erp_id = "D-1"  # orders go through whether the run makes ERP IDs required or not
        for route in ("mark-paid", "cancel", "retry"):
            order = Order(
                platform_id=world.platform.id, organization_id=world.direct_customer.id,
                currency="EUR", total=Decimal("5.64"), lines=[],
            )  # fmt: skip
            await flow.placed(session, world.direct_customer.actor, order)
            if route == "retry":
                await flow.mark_paid(session, None, order, provider="manual", reference="R")
                await flow.fail(session, order, "test", "Failed for the contract run.")
            made[route] = str(order.id)
        segment = Segment(platform_id=world.platform.id, name="Contract")
        session.add(segment)
        await session.flush()
        return made, str(segment.id)


@pytest.fixture
def answers() -> dict[str, set[int]]:
    """Statuses each write operation answered to requests aimed at real objects."""
    return defaultdict(set)


@pytest.fixture
def api_schema(
    settings: Settings, world: World, people: People, pending: str, caller: str,
    answers: dict[str, set[int]], awaiting_authorization: str, gdap: str, sync_run: str,
    merging: tuple[str, str, str, str], partner_center_account: str,
    attestation_requests: tuple[str, str], directory_user: str,
    subscription: tuple[str, str, str],
    orders: tuple[dict[str, str], str],
) -> Iterator[Any]:  # fmt: skip
    """The app's schema, served by an app with its own connections: schemathesis calls it from its
    own event loop, and connections cannot move between loops."""
    # Partner Center is a stand-in here, for the same reason (see tests/tenants/stand_in.py).
    stand_in = PartnerCenterStandIn([world.reseller_a.organization.mpn_id or ""])
    app = create_app(settings, database=Database(settings), http_transport=stand_in.transport())
    # Tenant IDs are checked in Partner Center; the sandbox's connections belong to this loop.
    app.dependency_overrides[app_tenants] = lambda: KnownTenants()  # not the class: its fields
    app.dependency_overrides[app_partner_ids] = lambda: KnownPartnerIds()
    app.dependency_overrides[gdap_graph] = lambda: AcceptingGdap()
    token = world.platform.token if caller == "platform_admin" else world.reseller_a.token
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=contract_config(token))
    known = known_ids(world, people, pending, awaiting_authorization, gdap, sync_run)
    known.merging, known.link_match, known.dismiss_match = merging[:2], merging[2], merging[3]
    known.attestation_requests = attestation_requests
    known.directory_users = [directory_user]
    known.subscription = subscription
    known.orders, known.segment = orders
    schema.real_ids = known.all()  # type: ignore[attr-defined]
    # The platform's own agreements are named in their paths (agreements/platform), not by id.
    schema.real_ids |= {agreement.value for agreement in PlatformAgreement}  # type: ignore[attr-defined]

    @schema.hook
    def flatmap_path_parameters(
        context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        if not path_parameters or context.operation is None:
            return st.just(path_parameters)
        return known.path_parameters(context.operation.path, path_parameters)

    @schema.hook
    def map_case(_context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> Any:
        """An If-Match the case carries names the version stored now (earlier cases change it),
        so edits get past it; a stale one is covered by the organization tests."""
        if case.operation.path.endswith("/merge") and isinstance(case.body, dict):
            case.body["merge_id"] = known.merging[1]  # the one that goes (once)
        if case.operation.path == "/api/v1/orders" and isinstance(case.body, dict):
            # An order for the platform's direct customer, of an offer in the catalog.
            case.body["organization_id"] = str(world.direct_customer.id)
            case.body["lines"] = [{"offer_id": "CFQ7TTC0LH18:0001", "term": "P1Y", "quantity": 1}]
        headers: Mapping[str, Any] = case.headers or {}
        target = (case.path_parameters or {}).get("organization_id")
        if target and any(name.lower() == "if-match" for name in headers):
            etag = current_etag(settings.database_url, str(target))
            case.headers = CaseInsensitiveDict(
                {k: v for k, v in headers.items() if k.lower() != "if-match"}
            )
            if etag is not None:
                case.headers["If-Match"] = etag
        return case

    yield schema
    asgi.shutdown_lifespans()  # closes the app's connections in the loop that opened them


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 names each operation's subtest by rewriting the test node's ``_nodeid``,
    which pytest 9 no longer has; give it one to rewrite (pytest's own id is untouched)."""
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def write_routes_reached(
    api_schema: Any, caller: str, answers: dict[str, set[int]]
) -> Iterator[None]:
    """After the run: the platform admin, who may do everything, got a success from every write
    operation aimed at real objects, so its code ran past the lookup (and its checks held)."""
    yield
    if caller != "platform_admin":
        return
    writes = {
        f"{method.upper()} {path}"
        for path, operations in api_schema.raw_schema["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    } - SIGNED_BY_OTHERS
    never = {label: sorted(answers[label]) for label in sorted(writes)
             if not any(200 <= status < 300 for status in answers[label])}  # fmt: skip
    assert never == {}, "write operations that never succeeded (statuses seen)"


@schema.parametrize()
@PER_OPERATION
def test_every_operation_keeps_its_contract(
    case: schemathesis.Case[Any], api_schema: Any, answers: dict[str, set[int]],
    write_routes_reached: None,
) -> None:  # fmt: skip
    response = case.call()
    parameters = {str(v) for v in (case.path_parameters or {}).values()}
    if case.method.upper() in WRITE_METHODS and parameters <= api_schema.real_ids:
        answers[f"{case.method.upper()} {case.path}"].add(response.status_code)
    case.validate_response(response)


def test_chained_operations_keep_their_contract(api_schema: Any) -> None:
    failures: list[Exception] = []

    class Scenarios(api_schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(*args, **kwargs)
            except Exception as failure:
                failures.append(failure)
                raise

    try:
        Scenarios.run(settings=SCENARIOS)
    except Flaky:
        # The app's data outlives each scenario, so Hypothesis cannot always replay one exactly.
        # That says nothing about the API; a check that failed on the way does.
        if failures:
            raise failures[0] from None
