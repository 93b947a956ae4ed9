"""Relationship links, indirect resellers, PartnerID (MPN) lookups and MPA status."""

from __future__ import annotations

from tenantry.partnercenter.core import APP_USER, ClientCore, encode_filter
from tenantry.partnercenter.errors import MPA_STATUS_RULES, MPN_PROFILE_RULES
from tenantry.partnercenter.models.agreements import MpaStatus
from tenantry.partnercenter.models.customers import (
    MpnProfile,
    PartnerRelationship,
    RelationshipRequest,
)
from tenantry.partnercenter.pipeline import QueryParams


class PartnerOperations(ClientCore):
    async def get_relationship_request_link(self) -> RelationshipRequest:
        """The link a customer's Global Administrator opens to accept us as direct reseller."""
        return await self._call(
            RelationshipRequest,
            "get_relationship_request_link",
            "GET",
            self._pc_url("customers", "relationshiprequests"),
            auth=APP_USER,
        )

    async def get_indirect_relationship_request_link(
        self,
        indirect_reseller_tenant_id: str,
        *,
        indirect_provider_tenant_id: str | None = None,
        dual_role: bool | None = None,
    ) -> RelationshipRequest:
        """The link that makes a customer accept us (indirect provider) and a reseller.

        ``indirect_reseller_tenant_id`` is the reseller's tenant id (``PartnerRelationship.id``
        of :meth:`list_indirect_resellers`, looked up by its PartnerID). The provider defaults
        to our own tenant.
        """
        params: dict[str, str | bool] = {
            "indirectCloudSolutionProviderId": indirect_provider_tenant_id
            or self._config.tenant_id,
            "indirectResellerId": indirect_reseller_tenant_id,
        }
        if dual_role is not None:
            params["dualRoleIndirectRelationship"] = dual_role
        return await self._call(
            RelationshipRequest,
            "get_indirect_relationship_request_link",
            "GET",
            self._pc_url("customers", "relationshiprequests"),
            params=params,
            auth=APP_USER,
        )

    async def list_customer_relationships(self, customer_id: str) -> list[PartnerRelationship]:
        """The indirect resellers linked to a customer."""
        return await self._items(
            PartnerRelationship,
            "list_customer_relationships",
            self._pc_url("customers", customer_id, "relationships"),
            auth=APP_USER,
        )

    async def list_indirect_resellers(
        self, *, name_prefix: str | None = None
    ) -> list[PartnerRelationship]:
        """Resellers that accepted us as their indirect provider; match them by ``mpn_id``.

        This is the only call proving a reseller belongs to our network.
        """
        params: QueryParams = {"relationship_type": "IsIndirectCloudSolutionProviderOf"}
        if name_prefix:
            params = {**params, "filter": encode_filter("Name", name_prefix)}
        return await self._items(
            PartnerRelationship,
            "list_indirect_resellers",
            self._pc_url("relationships"),
            params=params,
            auth=APP_USER,
        )

    async def get_partner_profile_by_mpn_id(self, mpn_id: str) -> MpnProfile:
        """The partner behind a PartnerID; raises :class:`MpnNotFound` if none has it."""
        return await self._call(
            MpnProfile,
            "get_partner_profile_by_mpn_id",
            "GET",
            self._pc_url("profiles", "mpn"),
            params={"mpnId": mpn_id},
            auth=APP_USER,
            errors=MPN_PROFILE_RULES,
        )

    async def get_own_mpn_profile(self) -> MpnProfile:
        """Our own PartnerID."""
        return await self._call(
            MpnProfile,
            "get_own_mpn_profile",
            "GET",
            self._pc_url("profiles", "mpn"),
            auth=APP_USER,
        )

    async def get_mpa_status(
        self, *, mpn_id: str | None = None, tenant_id: str | None = None
    ) -> MpaStatus:
        """Whether an indirect reseller signed the Microsoft Partner Agreement.

        Pass exactly one of ``mpn_id`` and ``tenant_id``. Failures are typed: 2000/2001
        :class:`InvalidPartnerIdentifier`, 2200 :class:`MpnInvalid`, 2201
        :class:`MpaRegionMismatch`, 2203 :class:`MpaNotSigned`, 2204
        :class:`NotIndirectReseller`.
        """
        params: dict[str, str] = {}
        if mpn_id is not None:
            params["mpnId"] = mpn_id
        if tenant_id is not None:
            params["tenantId"] = tenant_id
        return await self._call(
            MpaStatus,
            "get_mpa_status",
            "GET",
            self._pc_url("compliance", "csp", "agreementstatus"),
            params=params,
            auth=APP_USER,
            errors=MPA_STATUS_RULES,
        )
