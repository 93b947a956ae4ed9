"""Customer users, their licenses and the customer's subscribed SKUs."""

from __future__ import annotations

import uuid

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import Attributes, Links, ResponseModel, attributes, self_links
from tenantry_sandbox.store.license_catalog import LicenseSku
from tenantry_sandbox.store.licenses import SubscribedSku
from tenantry_sandbox.store.users import CustomerUser


class CustomerUserOut(ResponseModel):
    usage_location: str | None = None
    id: uuid.UUID
    user_principal_name: str
    first_name: str | None = None
    last_name: str | None = None
    display_name: str
    user_domain_type: str
    state: str
    links: Links
    attributes: Attributes = Field(default_factory=lambda: attributes("CustomerUser"))


class ProductSkuOut(ResponseModel):
    id: uuid.UUID
    name: str
    sku_part_number: str
    target_type: str | None = None
    license_group_id: str


class ServicePlanOut(ResponseModel):
    display_name: str
    service_name: str
    id: uuid.UUID
    capability_status: str
    target_type: str


class SubscribedSkuOut(ResponseModel):
    available_units: int
    active_units: int
    consumed_units: int
    suspended_units: int
    total_units: int
    warning_units: int
    product_sku: ProductSkuOut
    service_plans: list[ServicePlanOut]
    capability_status: str
    attributes: Attributes = Field(default_factory=lambda: attributes("SubscribedSku"))


class LicenseOut(ResponseModel):
    service_plans: list[ServicePlanOut]
    product_sku: ProductSkuOut
    attributes: Attributes = Field(default_factory=lambda: attributes("License"))


def customer_user(user: CustomerUser) -> CustomerUserOut:
    return CustomerUserOut(
        usage_location=user.usage_location,
        id=user.id,
        user_principal_name=user.user_principal_name,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name,
        user_domain_type=user.user_domain_type,
        state=user.state,
        links=self_links(f"/customers/{user.customer_id}/users/{user.id}"),
    )


def _plans(sku: LicenseSku, status: str) -> list[ServicePlanOut]:
    return [
        ServicePlanOut(
            display_name=plan.display_name,
            service_name=plan.service_name,
            id=plan.id,
            capability_status=status,
            target_type=plan.target_type,
        )
        for plan in sku.service_plans
    ]


def _product_sku(sku: LicenseSku, *, with_target: bool) -> ProductSkuOut:
    return ProductSkuOut(
        id=sku.id,
        name=sku.name,
        sku_part_number=sku.sku_part_number,
        target_type=sku.target_type if with_target else None,
        license_group_id=sku.license_group_id,
    )


def subscribed_sku(owned: SubscribedSku, sku: LicenseSku, consumed: int) -> SubscribedSkuOut:
    total = owned.active_units + owned.suspended_units + owned.warning_units
    return SubscribedSkuOut(
        available_units=max(owned.active_units - consumed, 0),
        active_units=owned.active_units,
        consumed_units=consumed,
        suspended_units=owned.suspended_units,
        total_units=total,
        warning_units=owned.warning_units,
        product_sku=_product_sku(sku, with_target=True),
        service_plans=_plans(sku, owned.capability_status),
        capability_status=owned.capability_status,
    )


def user_license(sku: LicenseSku) -> LicenseOut:
    return LicenseOut(
        service_plans=_plans(sku, "Assigned"), product_sku=_product_sku(sku, with_target=False)
    )


# ------------------------------------------------------------------ license updates (requests)


class LicenseAssignmentIn(RequestModel):
    sku_id: str | None = None
    excluded_plans: list[str] | None = None


class LicenseUpdateIn(RequestModel):
    """``license-update-request.json``: PascalCase from the SDK, any casing accepted."""

    licenses_to_assign: list[LicenseAssignmentIn] | None = None
    licenses_to_remove: list[str] | None = None


class LicenseAssignmentOut(ResponseModel):
    sku_id: uuid.UUID


class LicenseUpdateOut(ResponseModel):
    """``license-update-response.json``."""

    licenses_to_assign: list[LicenseAssignmentOut] | None = None
    licenses_to_remove: list[uuid.UUID] | None = None
    license_warnings: list[dict[str, str]] = Field(default_factory=list)
    attributes: Attributes = Field(default_factory=lambda: attributes("LicenseUpdate"))
