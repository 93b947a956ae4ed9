"""Another implementation of the documented Partner Center endpoints a sync uses, written from
the contract (docs: list customers, search by IndirectReseller, get customer, billing profile,
indirect resellers, subscriptions, audit records), not from the sandbox: another page size
(7), opaque continuation tokens only in the top-level ``continuationToken`` (no ``links.next``),
properties the client has never seen, and optional properties left out.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

PAGE = 7
URL = "http://partner-center.other"


@dataclass
class Account:
    tenant_id: uuid.UUID
    name: str
    domain: str | None = None
    reseller: uuid.UUID | None = None
    billing: dict[str, Any] = field(default_factory=dict)


@dataclass
class OtherPartnerCenter:
    customers: dict[uuid.UUID, Account] = field(default_factory=dict)
    resellers: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    _tokens: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(
        self, name: str, *, reseller: uuid.UUID | None = None, complete: bool = True
    ) -> Account:
        tenant = uuid.uuid4()
        billing: dict[str, Any] = {"companyName": name, "culture": "en-US", "vendorExtra": [1]}
        if complete:
            billing |= {
                "firstName": "Ada", "lastName": "Lovelace", "email": f"ada@{tenant.hex[:8]}.example",
                "defaultAddress": {"country": "DE", "city": "Berlin", "addressLine1": "Unter den Linden 1",
                                   "postalCode": "10117", "somethingNew": "x"},
            }  # fmt: skip
        account = Account(tenant, name, None if not complete else f"{tenant.hex[:10]}.onmicrosoft.com",
                          reseller, billing)  # fmt: skip
        self.customers[tenant] = account
        return account

    def record(self, operation: str, tenant: uuid.UUID) -> None:
        self.audit.append({
            "id": secrets.token_hex(8), "customerId": str(tenant), "operationType": operation,
            "operationDate": datetime.now(UTC).isoformat(), "resourceType": "customer",
            "notInTheContract": {"a": 1},
        })  # fmt: skip

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- the endpoints -------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/oauth2/v2.0/token"):
            return httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3599,
                                             "access_token": secrets.token_hex(8),
                                             "refresh_token": secrets.token_hex(8)})  # fmt: skip
        self.calls[self._label(path)] += 1
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        parts = path.strip("/").split("/")[1:]  # after "v1"
        if parts == ["customers"]:
            return self._customers(query, request.headers.get("MS-ContinuationToken"))
        if parts == ["relationships"]:
            items = [{"id": str(t), "name": n, "mpnId": m, "state": "Active",
                      "relationshipType": "is_indirect_cloud_solution_provider_of",
                      "brandNewField": {"x": 1}} for t, (n, m) in self.resellers.items()]  # fmt: skip
            return httpx.Response(200, json={"totalCount": len(items), "items": items})
        if parts == ["auditrecords"]:
            return httpx.Response(200, json={"totalCount": len(self.audit), "items": self.audit})
        if len(parts) >= 2 and parts[0] == "customers":
            account = self.customers.get(uuid.UUID(parts[1]))
            if account is None:
                return httpx.Response(404, json={"code": 600, "description": "not found"})
            rest = parts[2:]
            if rest == []:
                return httpx.Response(200, json=self._customer(account))
            if rest == ["profiles", "billing"]:
                return httpx.Response(200, json={**account.billing, "attributes": {"etag": "e1"}})
            if rest == ["relationships"]:
                items = [] if account.reseller is None else [
                    {"id": str(account.reseller), "name": self.resellers[account.reseller][0]}
                ]  # fmt: skip
                return httpx.Response(200, json={"totalCount": len(items), "items": items})
            if rest == ["subscriptions"]:
                sub = {"id": f"sub-{account.tenant_id.hex[:8]}", "offerId": "OFFER", "quantity": 2,
                       "status": "active", "neverSeen": True}  # fmt: skip
                return httpx.Response(200, json={"totalCount": 1, "items": [sub]})
        return httpx.Response(404, json={"code": 600, "description": f"no route {path}"})

    def _label(self, path: str) -> str:
        parts = path.strip("/").split("/")[1:]
        return "/".join("{id}" if len(p) == 36 else p for p in parts)

    def _customer(self, account: Account) -> dict[str, Any]:
        profile: dict[str, Any] = {"tenantId": str(account.tenant_id), "companyName": account.name,
                                   "unusedProfileThing": 3}  # fmt: skip
        if account.domain:
            profile["domain"] = account.domain
        return {"id": str(account.tenant_id), "companyProfile": profile,
                "relationshipToPartner": "reseller", "someFutureFlag": True}  # fmt: skip

    def _customers(self, query: dict[str, str], token: str | None) -> httpx.Response:
        if token is not None:
            if query.get("seekOperation") != "Next" or token not in self._tokens:
                return httpx.Response(400, json={"code": 3000, "description": "bad token"})
            key, offset = self._tokens.pop(token)
        else:
            key, offset = query.get("filter", ""), 0
        wanted = list(self.customers.values())
        if key:
            reseller = uuid.UUID(json.loads(key)["Value"])
            wanted = [a for a in wanted if a.reseller == reseller]
        items = [self._customer(a) for a in wanted[offset : offset + PAGE]]
        body: dict[str, Any] = {"totalCount": len(items), "items": items}
        if offset + PAGE < len(wanted):
            next_token = secrets.token_urlsafe(12) + "==/+"
            self._tokens[next_token] = (key, offset + PAGE)
            body["continuationToken"] = next_token
        return httpx.Response(200, json=body)
