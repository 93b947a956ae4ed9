"""Customer users, subscribed SKUs and license assignments."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tenantry.partnercenter.models.base import (
    PartnerCenterModel,
    Resource,
    SeekResourceCollection,
    Timestamp,
)


class CustomerUser(Resource):
    id: str
    usage_location: str | None = None
    user_principal_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    user_domain_type: str | None = None
    state: str | None = None
    soft_deletion_time: Timestamp = None
    last_directory_sync_time: Timestamp = None


CustomerUserPage = SeekResourceCollection[CustomerUser]


class ProductSku(PartnerCenterModel):
    id: str
    name: str | None = None
    sku_part_number: str | None = None
    target_type: str | None = None
    license_group_id: str | None = None


class ServicePlan(PartnerCenterModel):
    id: str | None = None
    display_name: str | None = None
    service_name: str | None = None
    capability_status: str | None = None
    target_type: str | None = None


class SubscribedSku(Resource):
    """License counts of one SKU in the customer tenant."""

    available_units: int | None = None
    active_units: int | None = None
    consumed_units: int | None = None
    suspended_units: int | None = None
    total_units: int | None = None
    warning_units: int | None = None
    product_sku: ProductSku | None = None
    service_plans: list[ServicePlan] = Field(default_factory=list)
    capability_status: str | None = None


class License(Resource):
    """A license assigned to a user."""

    product_sku: ProductSku | None = None
    service_plans: list[ServicePlan] = Field(default_factory=list)


class LicenseAssignment(PartnerCenterModel):
    sku_id: str
    excluded_plans: list[str] | None = None


class LicenseUpdate(Resource):
    """Licenses to add to and remove from one user (``licenseupdates``)."""

    licenses_to_assign: list[LicenseAssignment] | None = None
    licenses_to_remove: list[str] | None = None
    license_warnings: list[dict[str, Any]] | None = None
