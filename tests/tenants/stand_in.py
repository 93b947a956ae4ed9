"""A Partner Center stand-in for runs that cannot reach the sandbox (the contract run drives the
app from its own event loop): every prefix is free, the links are made up, and every customer
domain belongs to one tenant that accepted the distributor through the given reseller."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx

TENANT_ID = "6d5e3f0a-1b2c-4d3e-8f9a-0b1c2d3e4f5a"
RESELLER_TENANT_ID = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
COLLECTION = {"objectType": "Collection"}


@dataclass
class PartnerCenterStandIn:
    reseller_mpn_ids: list[str] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = urlsplit(str(request.url)).path.lower()
        if path.endswith("/oauth2/v2.0/token"):
            return httpx.Response(200, json={
                "token_type": "Bearer", "expires_in": 3600, "access_token": uuid.uuid4().hex,
                "refresh_token": "stand-in-refresh-token",
            })  # fmt: skip
        if "/v1/domains/" in path:
            return httpx.Response(404)
        if path.endswith("/v1/customers/relationshiprequests"):
            url = "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship"
            return httpx.Response(200, json={"url": url, "attributes": {"objectType": "X"}})
        if path.endswith("/v1/relationships"):
            items = [{"id": RESELLER_TENANT_ID, "mpnId": m, "name": "Reseller"}
                     for m in self.reseller_mpn_ids]  # fmt: skip
            return _items(items)
        if path.endswith("/relationships"):
            return _items([{"id": RESELLER_TENANT_ID, "name": "Reseller"}])
        if path.endswith("/v1/customers"):
            query = parse_qs(urlsplit(str(request.url)).query)
            value = json.loads(query.get("filter", ["{}"])[0]).get("Value", "")
            return _items([{
                "id": TENANT_ID, "relationshipToPartner": "reseller",
                "companyProfile": {"tenantId": TENANT_ID, "domain": value.lower(),
                                   "companyName": "Contract Customer"},
            }])  # fmt: skip
        if agreements := _agreements(request, path):
            return agreements
        return httpx.Response(404, json={"code": 600, "description": "not in the stand-in"})


def _items(items: Sequence[Mapping[str, object]]) -> httpx.Response:
    return httpx.Response(
        200, json={"totalCount": len(items), "items": items, "attributes": COLLECTION}
    )


MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"


def _agreements(request: httpx.Request, path: str) -> httpx.Response | None:
    """The Microsoft Customer Agreement: its template, no confirmation yet, and an attestation
    confirmed as sent."""
    if path.endswith("/v1/agreements"):
        return _items(
            [
                {
                    "templateId": MCA_TEMPLATE,
                    "agreementType": "MicrosoftCustomerAgreement",
                    "agreementLink": "https://aka.ms/customeragreement",
                    "versionRank": 0,
                }
            ]
        )
    if path.endswith("/directsignedmicrosoftcustomeragreementstatus"):
        return httpx.Response(200, json={"isSigned": False})
    if path.endswith("/agreements") and "/v1/customers/" in path:
        if request.method == "POST":
            return httpx.Response(201, json=json.loads(request.content) | {"userId": TENANT_ID})
        return httpx.Response(200, json={"totalCount": 0, "items": []})
    return None
