"""Customers: create, read, list and search, profiles, domain check, address validation."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tenantry.partnercenter.core import APP_USER, ClientCore, encode_filter
from tenantry.partnercenter.errors import CREATE_CUSTOMER_RULES
from tenantry.partnercenter.models.base import Attributes
from tenantry.partnercenter.models.customers import (
    Address,
    AddressValidationResult,
    BillingProfile,
    CompanyProfile,
    Customer,
    CustomerPage,
    CustomerSearchField,
    RelationshipToPartner,
)

DEFAULT_PAGE_SIZE = 100


class CustomerOperations(ClientCore):
    async def create_customer(
        self, customer: Customer, *, request_id: str | None = None
    ) -> Customer:
        """Create a customer and its new Microsoft tenant (direct or as indirect provider).

        Raises :class:`DomainTaken` when Partner Center answers 409. The answer carries the
        first admin's one-time ``user_credentials``. ``request_id``: the ``MS-RequestId`` to
        send, the same when the caller repeats the creation after losing the answer.
        """
        return await self._call(
            Customer,
            "create_customer",
            "POST",
            self._pc_url("customers"),
            body=customer,
            errors=CREATE_CUSTOMER_RULES,
            request_id=request_id,
        )

    async def create_customer_for_indirect_reseller(
        self,
        customer: Customer,
        indirect_reseller_tenant_id: str,
        *,
        request_id: str | None = None,
    ) -> Customer:
        """Create a customer on behalf of an indirect reseller (``associatedPartnerId``).

        Takes the reseller's *tenant id* (``PartnerRelationship.id``), not its PartnerID.
        """
        body = customer.model_copy(update={"associated_partner_id": indirect_reseller_tenant_id})
        return await self._call(
            Customer,
            "create_customer_for_indirect_reseller",
            "POST",
            self._pc_url("customers"),
            body=body,
            auth=APP_USER,
            errors=CREATE_CUSTOMER_RULES,
            request_id=request_id,
        )

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._call(
            Customer, "get_customer", "GET", self._pc_url("customers", customer_id)
        )

    async def list_customers_page(
        self, *, size: int = DEFAULT_PAGE_SIZE, continuation_token: str | None = None
    ) -> CustomerPage:
        """One page of our customers; pass the previous page's
        ``next_continuation_token()`` for the next one."""
        return await self._seek_page(
            Customer,
            "list_customers",
            self._pc_url("customers"),
            params={"size": size},
            continuation_token=continuation_token,
        )

    def iter_customers(self, *, size: int = DEFAULT_PAGE_SIZE) -> AsyncIterator[Customer]:
        """Every customer of the partner, across all pages."""
        return self._iter_seek(
            Customer, "list_customers", self._pc_url("customers"), params={"size": size}
        )

    def search_customers(
        self, field: CustomerSearchField | str, value: str
    ) -> AsyncIterator[Customer]:
        """Customers whose ``field`` starts with ``value`` (case-insensitive).

        ``size=0`` is what Microsoft's examples send with a filter (server-chosen page size).
        """
        return self._iter_seek(
            Customer,
            "search_customers",
            self._pc_url("customers"),
            params={"size": 0, "filter": encode_filter(str(field), value)},
        )

    def iter_customers_of_indirect_reseller(
        self, indirect_reseller_tenant_id: str
    ) -> AsyncIterator[Customer]:
        """Customers linked to one of our indirect resellers (by the reseller's tenant id)."""
        return self._iter_seek(
            Customer,
            "list_customers_of_indirect_reseller",
            self._pc_url("customers"),
            params={
                "size": 0,
                "filter": encode_filter(
                    CustomerSearchField.INDIRECT_RESELLER, indirect_reseller_tenant_id
                ),
            },
            auth=APP_USER,
        )

    async def list_customers_of_indirect_reseller_page(
        self,
        indirect_reseller_tenant_id: str,
        *,
        size: int = 0,
        continuation_token: str | None = None,
    ) -> CustomerPage:
        """One page of :meth:`iter_customers_of_indirect_reseller` (resumable by token).
        ``size`` 0 leaves the page size to the service, as Microsoft's filter examples do."""
        return await self._seek_page(
            Customer,
            "list_customers_of_indirect_reseller",
            self._pc_url("customers"),
            params={
                "size": size,
                "filter": encode_filter(
                    CustomerSearchField.INDIRECT_RESELLER, indirect_reseller_tenant_id
                ),
            },
            continuation_token=continuation_token,
            auth=APP_USER,
        )

    async def get_billing_profile(self, customer_id: str) -> BillingProfile:
        return await self._call(
            BillingProfile,
            "get_billing_profile",
            "GET",
            self._pc_url("customers", customer_id, "profiles", "billing"),
        )

    async def update_billing_profile(
        self, customer_id: str, profile: BillingProfile, *, etag: str | None = None
    ) -> BillingProfile:
        """Replace the billing profile (send the full resource) guarded by ``If-Match``.

        The ETag defaults to the one the profile was read with; a stale one raises
        :class:`EtagMismatch`. ETags are short-lived: read, edit, write.
        """
        etag = etag or profile.etag
        if not etag:
            raise ValueError("update_billing_profile needs the ETag of the profile read before")
        quoted = etag if etag.startswith('"') else f'"{etag}"'
        return await self._call(
            BillingProfile,
            "update_billing_profile",
            "PUT",
            self._pc_url("customers", customer_id, "profiles", "billing"),
            body=profile,
            headers={"If-Match": quoted},
        )

    async def get_company_profile(self, customer_id: str) -> CompanyProfile:
        """Company profile; ``domain`` is the tenant's initial ``*.onmicrosoft.com`` domain."""
        return await self._call(
            CompanyProfile,
            "get_company_profile",
            "GET",
            self._pc_url("customers", customer_id, "profiles", "company"),
            auth=APP_USER,
        )

    async def is_domain_available(self, domain: str) -> bool:
        """Whether ``domain`` (the full ``<prefix>.onmicrosoft.com``) is free for a new tenant.

        ``HEAD /domains/{domain}``: 200 means a tenant already has it, 404 means it is free.
        """
        response = await self._send(
            "check_domain_availability",
            "HEAD",
            self._pc_url("domains", domain),
            accept=frozenset({404}),
        )
        return response.status_code == 404

    async def validate_address(self, address: Address) -> AddressValidationResult:
        """Validate an address before creating a customer with it (sandbox customers created
        with an invalid address can never be deleted)."""
        return await self._call(
            AddressValidationResult,
            "validate_address",
            "POST",
            self._pc_url("validations", "address"),
            body=address,
        )

    async def remove_reseller_relationship(self, customer_id: str) -> Customer:
        """End our reseller relationship (Azure reservations cancelled and subscriptions
        suspended first, as Microsoft requires)."""
        body = Customer(
            relationship_to_partner=RelationshipToPartner.NONE.value,
            attributes=Attributes(object_type="Customer"),
        )
        return await self._call(
            Customer,
            "remove_reseller_relationship",
            "PATCH",
            self._pc_url("customers", customer_id),
            body=body,
        )
