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

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from schemathesis.python import asgi
from sqlalchemy import select

from tenantry.agreements.platform.schemas import PlatformAgreement
from tenantry.app import create_app
from tenantry.db import Database
from tenantry.models import (
    MatchProposal,
    Organization,
    OrganizationStatus,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.organizations.tenant_check import app_tenants
from tenantry.resellers.mpn import app_partner_ids
from tenantry.settings import Settings
from tenantry.sync.matching import propose_for_account
from tenantry.tenants.gdap.graph import gdap_graph
from tests.agreements.staff import open_attestation_request
from tests.factories import World, make_organization
from tests.identity.factories import People, make_people
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
}


@dataclass
class KnownIds:
    """Real objects to aim requests at: random ids only ever meet 404. Path parameters are drawn
    from these in pairs that belong together (a member of that organization, a token of it),
    and now and then the generated value, so 404 stays covered too. The caller's own token is
    left out, so the run never revokes its own access."""

    organizations: list[str]
    members: list[tuple[str, str]]
    tokens: list[tuple[str, str]]
    invitations: list[tuple[str, str]]
    pending: str  # kept for rejecting: approving it first would leave nothing to reject
    # Service Details: a customer to choose for (never linked in the run), and one awaiting
    # authorization, to email the link (operations run in the schema's order) and verify it.
    choosing: str
    awaiting: str
    gdap_relationships: list[str]
    sync_runs: list[str]
    # Merging: a customer to keep and one to merge into it; match proposals to link and dismiss.
    merging: tuple[str, str] = ("", "")
    link_match: str = ""
    dismiss_match: str = ""
    # Reseller A's open requests that the distributor attest: one to attest, one to decline.
    attestation_requests: tuple[str, str] = ("", "")

    def path_parameters(
        self, path: str, generated: dict[str, Any]
    ) -> st.SearchStrategy[dict[str, Any]]:
        names = set(generated)
        if names == {"organization_id"}:
            targets = self.organizations
            if path.endswith("/reject"):
                targets = [self.pending]
            elif path.endswith("/service-details"):
                targets = [self.choosing]
            elif path.endswith(("/service-details/verify", "/service-details/email")):
                targets = [self.awaiting]
            elif path.endswith("/merge"):
                targets = [self.merging[0]]
            elif path.endswith("/acceptance-request"):
                # A customer whose agreement is not attested during the run.
                targets = [self.choosing]
            elif "/agreements/microsoft" in path:
                targets = self.organizations[:1]  # A's customer: its tenant is linked
            elif path.endswith("/bill-to/take"):
                # A's customer is the one a Partner Center customer holds (its bill-to differs).
                targets = self.organizations[:1]
            elif path.endswith(("/api-tokens", "/invitations", "/gdap-relationships")):
                # The examples name a customer's role: a role exists only in its kind. GDAP is
                # asked of a customer (its tenant is linked).
                targets = self.organizations[:1]
            pairs: list[dict[str, Any]] = [{"organization_id": o} for o in targets]
        elif names == {"organization_id", "user_id"}:
            pairs = [{"organization_id": o, "user_id": u} for o, u in self.members]
        elif names == {"organization_id", "token_id"}:
            pairs = [{"organization_id": o, "token_id": t} for o, t in self.tokens]
        elif names == {"organization_id", "invitation_id"}:
            pairs = [{"organization_id": o, "invitation_id": i} for o, i in self.invitations]
        elif names == {"gdap_relationship_id"}:
            pairs = [{"gdap_relationship_id": g} for g in self.gdap_relationships]
        elif names == {"sync_run_id"}:
            pairs = [{"sync_run_id": r} for r in self.sync_runs]
        elif names == {"attestation_request_id"}:
            chosen = self.attestation_requests[1 if path.endswith("/decline") else 0]
            pairs = [{"attestation_request_id": chosen}]
        elif names == {"match_id"}:
            match = self.link_match if path.endswith("/link") else self.dismiss_match
            pairs = [{"match_id": match}]
        else:
            return st.just(generated)
        return st.sampled_from([generated, *pairs, *pairs])

    def all(self) -> set[str]:
        users = (u for _, u in self.members)
        tokens, invitations = (t for _, t in self.tokens), (i for _, i in self.invitations)
        return {
            *self.organizations, self.pending, self.choosing, self.awaiting, *users, *tokens,
            *invitations, *self.gdap_relationships, *self.sync_runs, *self.merging,
            self.link_match, self.dismiss_match, *self.attestation_requests,
        }  # fmt: skip


def known_ids(
    world: World, people: People, pending: str, awaiting: str, gdap: str, sync_run: str
) -> KnownIds:
    customer, reseller = str(world.customer_a.id), str(world.reseller_a.id)
    return KnownIds(
        organizations=[
            str(party.id)
            for party in (world.customer_a, world.reseller_a, world.platform, world.reseller_b)
        ],
        pending=pending,
        choosing=str(world.direct_customer.id),
        awaiting=awaiting,
        members=[
            (customer, str(people.customer_user.id)),
            (customer, str(people.customer_admin.id)),
            (reseller, str(people.reseller_staff.id)),
        ],
        tokens=[
            (customer, str(people.customer_token.id)),
            (reseller, str(people.reseller_token.id)),
        ],
        invitations=[(reseller, str(people.reseller_invitation.id))],
        gdap_relationships=[gdap],
        sync_runs=[sync_run],
    )


def current_etag(database_url: str, organization_id: str) -> str | None:
    """The organization's ETag as stored now (earlier cases of the run change it)."""
    url = sa.make_url(database_url)
    sync = "sqlite" if url.drivername.startswith("sqlite") else "postgresql+psycopg"
    engine = sa.create_engine(url.set(drivername=sync))
    try:
        with engine.connect() as connection:
            version = connection.scalar(
                sa.select(Organization.version).where(Organization.id == uuid.UUID(organization_id))
            )
    except ValueError:
        return None
    finally:
        engine.dispose()
    return None if version is None else f'"{version}"'


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
def answers() -> dict[str, set[int]]:
    """Statuses each write operation answered to requests aimed at real objects."""
    return defaultdict(set)


@pytest.fixture
def api_schema(
    settings: Settings, world: World, people: People, pending: str, caller: str,
    answers: dict[str, set[int]], awaiting_authorization: str, gdap: str, sync_run: str,
    merging: tuple[str, str, str, str], partner_center_account: str,
    attestation_requests: tuple[str, str],
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
        headers = case.headers or {}
        target = (case.path_parameters or {}).get("organization_id")
        if target and any(name.lower() == "if-match" for name in headers):
            etag = current_etag(settings.database_url, str(target))
            case.headers = {k: v for k, v in headers.items() if k.lower() != "if-match"}
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
