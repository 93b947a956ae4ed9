"""The ids of the contract run's seeded world that belong together, and the stored version of an
organization for If-Match (``test_openapi_contract.py``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from tenantry.models import (
    Organization,
)
from tests.factories import World
from tests.identity.factories import People


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
    # A user imported from A's customer's tenant (license changes with nothing to do succeed).
    directory_users: list[str] = field(default_factory=list)
    # A's customer's subscription and a change of it (organization, subscription, change).
    subscription: tuple[str, str, str] = ("", "", "")
    # Orders of the platform's direct customer, by the route that moves them (mark-paid,
    # cancel: waiting for payment; retry: failed), and a segment for the payment settings.
    orders: dict[str, str] = field(default_factory=dict)
    segment: str = ""

    def path_parameters(
        self, path: str, generated: dict[str, Any]
    ) -> st.SearchStrategy[dict[str, Any]]:
        names = set(generated)
        if names == {"organization_id"}:
            targets = self.organizations
            if path.endswith("/reject"):
                targets = [self.pending]
            elif path.endswith("/service-details"):
                # Its documented examples are the only bodies likely to pass its rules: aim
                # every case at the customer choosing, so the examples reach it.
                return st.just({"organization_id": self.choosing})
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
            elif path.endswith("/directory/imports"):
                # Imported from a customer's linked tenant: A's customer (``gdap`` linked it).
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
        elif names == {"directory_user_id"}:
            # As for Service Details: the documented examples must reach the imported user.
            return st.sampled_from([{"directory_user_id": u} for u in self.directory_users])
        elif names >= {"organization_id", "subscription_id"}:
            organization, subscription, change = self.subscription
            pairs = [{"organization_id": organization, "subscription_id": subscription}
                     | ({"change_id": change} if "change_id" in names else {})]  # fmt: skip
        elif names == {"order_id"}:
            pairs = [{"order_id": self.orders.get(path.rsplit("/", 1)[1], self.orders["cancel"])}]
        elif names == {"segment_id"}:
            pairs = [{"segment_id": self.segment}]
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
            *self.directory_users, *self.subscription,
            *self.orders.values(), self.segment,
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
