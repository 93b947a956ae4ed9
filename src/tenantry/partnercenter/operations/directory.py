"""What lives in the customer's directory: users, licenses, domains, organization."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from tenantry.partnercenter.core import APP_USER, ClientCore
from tenantry.partnercenter.models.customers import CustomerOrganization
from tenantry.partnercenter.models.users import (
    CustomerUser,
    CustomerUserPage,
    License,
    LicenseUpdate,
    SubscribedSku,
)
from tenantry.partnercenter.operations.customers import DEFAULT_PAGE_SIZE
from tenantry.partnercenter.pipeline import QueryParams


def _license_groups(license_group_ids: Sequence[str] | None) -> QueryParams | None:
    # Sent as a repeated parameter: licenseGroupIds=Group1&licenseGroupIds=Group2.
    return {"licenseGroupIds": list(license_group_ids)} if license_group_ids else None


class DirectoryOperations(ClientCore):
    async def list_customer_users_page(
        self,
        customer_id: str,
        *,
        size: int = DEFAULT_PAGE_SIZE,
        continuation_token: str | None = None,
    ) -> CustomerUserPage:
        return await self._seek_page(
            CustomerUser,
            "list_customer_users",
            self._pc_url("customers", customer_id, "users"),
            params={"size": size},
            continuation_token=continuation_token,
            auth=APP_USER,
        )

    def iter_customer_users(
        self, customer_id: str, *, size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[CustomerUser]:
        """Every user of the customer's tenant, across all pages."""
        return self._iter_seek(
            CustomerUser,
            "list_customer_users",
            self._pc_url("customers", customer_id, "users"),
            params={"size": size},
            auth=APP_USER,
        )

    async def get_customer_user(self, customer_id: str, user_id: str) -> CustomerUser:
        return await self._call(
            CustomerUser,
            "get_customer_user",
            "GET",
            self._pc_url("customers", customer_id, "users", user_id),
            auth=APP_USER,
        )

    async def list_subscribed_skus(
        self, customer_id: str, *, license_group_ids: Sequence[str] | None = None
    ) -> list[SubscribedSku]:
        """License counts per SKU in the customer's tenant."""
        return await self._items(
            SubscribedSku,
            "list_subscribed_skus",
            self._pc_url("customers", customer_id, "subscribedskus"),
            params=_license_groups(license_group_ids),
            auth=APP_USER,
        )

    async def list_user_licenses(
        self,
        customer_id: str,
        user_id: str,
        *,
        license_group_ids: Sequence[str] | None = None,
    ) -> list[License]:
        return await self._items(
            License,
            "list_user_licenses",
            self._pc_url("customers", customer_id, "users", user_id, "licenses"),
            params=_license_groups(license_group_ids),
            auth=APP_USER,
        )

    async def update_user_licenses(
        self, customer_id: str, user_id: str, update: LicenseUpdate
    ) -> LicenseUpdate:
        """Assign and remove licenses; raises :class:`LicensesExhausted` when none is left."""
        return await self._call(
            LicenseUpdate,
            "update_user_licenses",
            "POST",
            self._pc_url("customers", customer_id, "users", user_id, "licenseupdates"),
            body=update,
            auth=APP_USER,
        )

    async def list_custom_domains(self, customer_id: str) -> list[str]:
        """Domains of the customer's tenant (GDAP roles required)."""
        return await self._call(
            list[str],
            "list_custom_domains",
            "GET",
            self._pc_url("customers", customer_id, "customDomains"),
            auth=APP_USER,
        )

    async def get_customer_organization(self, customer_id: str) -> list[CustomerOrganization]:
        """Organization details of the customer's tenant (GDAP roles required)."""
        return await self._call(
            list[CustomerOrganization],
            "get_customer_organization",
            "GET",
            self._pc_url("customers", customer_id, "organization"),
            auth=APP_USER,
        )
