"""The API keeps the contract it publishes at ``/openapi.json``.

Schemathesis generates requests for every operation from the document (a bounded number per
operation), then chains operations through the links it infers (the stateful phase), as a platform
admin and as a reseller admin. Every answer must be documented: no 5xx, no status the operation
does not list, no body outside its schema. When a check fails, fix the code or the document, not
the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from schemathesis.python import asgi

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.organizations.tenant_check import app_tenants
from tenantry.settings import Settings
from tests.factories import World
from tests.identity.factories import People, make_people
from tests.organizations.fakes import KnownTenants

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


def known_ids(world: World, people: People) -> dict[str, list[str]]:
    """Ids of real objects. Random ids only ever meet 404, so path parameters are also drawn from
    these (the caller's own token is left out, so the run never revokes its own access)."""
    return {
        "organization_id": [
            str(party.id)
            for party in (world.customer_a, world.reseller_a, world.platform, world.reseller_b)
        ],
        "user_id": [str(u.id) for u in (people.customer_user, people.reseller_staff)],
        "token_id": [str(t.id) for t in (people.customer_token, people.reseller_token)],
    }


@pytest.fixture(params=["platform_admin", "reseller_admin"])
def caller(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def people(database: Database, world: World) -> People:
    return await make_people(database, world)


@pytest.fixture
def api_schema(settings: Settings, world: World, people: People, caller: str) -> Iterator[Any]:
    """The app's schema, served by an app with its own connections: schemathesis calls it from its
    own event loop, and connections cannot move between loops."""
    app = create_app(settings, database=Database(settings))
    # Tenant IDs are checked in Partner Center; the sandbox's connections belong to this loop.
    app.dependency_overrides[app_tenants] = KnownTenants
    token = world.platform.token if caller == "platform_admin" else world.reseller_a.token
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=contract_config(token))
    known = known_ids(world, people)

    @schema.hook
    def flatmap_path_parameters(
        _context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries(
            {
                name: st.sampled_from([value, *known.get(name, [])])
                for name, value in path_parameters.items()
            }
        )

    yield schema
    asgi.shutdown_lifespans()  # closes the app's connections in the loop that opened them


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 names each operation's subtest by rewriting the test node's ``_nodeid``,
    which pytest 9 no longer has; give it one to rewrite (pytest's own id is untouched)."""
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
@PER_OPERATION
def test_every_operation_keeps_its_contract(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()


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
