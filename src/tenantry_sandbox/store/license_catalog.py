"""The license SKUs customers of the sandbox hold, with their service plans.

Identifiers are Microsoft's published product and service-plan GUIDs; the service-plan lists are
shortened to the best-known plans of each product.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class ServicePlan:
    id: uuid.UUID
    service_name: str
    display_name: str
    target_type: str = "User"


@dataclass(frozen=True)
class LicenseSku:
    id: uuid.UUID
    name: str
    sku_part_number: str
    service_plans: tuple[ServicePlan, ...]
    target_type: str = "User"
    license_group_id: str = "group1"


def _plan(plan_id: str, service: str, display: str, target: str = "User") -> ServicePlan:
    return ServicePlan(uuid.UUID(plan_id), service, display, target)


EXCHANGE_FOUNDATION = _plan(
    "113feb6c-3fe4-4440-bddc-54d774bf0318", "EXCHANGE_S_FOUNDATION", "Exchange Foundation", "Tenant"
)
EXCHANGE_P1 = _plan(
    "9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD", "Exchange Online (Plan 1)"
)
EXCHANGE_P2 = _plan(
    "efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE", "Exchange Online (Plan 2)"
)
SHAREPOINT_P1 = _plan(
    "c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD", "SharePoint (Plan 1)"
)
SHAREPOINT_P2 = _plan(
    "5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE", "SharePoint (Plan 2)"
)
TEAMS = _plan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1", "Microsoft Teams")
OFFICE_APPS = _plan(
    "43de0ff5-c92c-492b-9116-175376d08c38",
    "OFFICESUBSCRIPTION",
    "Microsoft 365 Apps for enterprise",
)
AAD_P1 = _plan(
    "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM", "Azure Active Directory Premium P1"
)
INTUNE = _plan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "Microsoft Intune A Direct")
MFA = _plan(
    "8a256a2b-b617-496d-b51b-e76466e88db0",
    "MFA_PREMIUM",
    "Microsoft Azure Multi-Factor Authentication",
)
RMS_PREMIUM = _plan(
    "6c57d4b6-3b23-47a5-9bc9-69f17b4947b3",
    "RMS_S_PREMIUM",
    "Azure Information Protection Premium P1",
)
RMS_ENTERPRISE = _plan(
    "bea4c11e-220a-4e6d-8eb8-8ea15d019f90",
    "RMS_S_ENTERPRISE",
    "Microsoft Azure Active Directory Rights",
)
POWER_BI_PRO = _plan("70d33638-9c74-4d01-bfd3-562de28bd4ba", "BI_AZURE_P2", "Power BI Pro")

# Plans several SKUs hold together: Business SKUs start with the first, Enterprise ones with the second;
# Business Premium and the Microsoft 365 E plans add identity and device management.
BUSINESS_CORE = (EXCHANGE_P1, SHAREPOINT_P1, TEAMS)
ENTERPRISE_CORE = (EXCHANGE_P2, SHAREPOINT_P2, TEAMS, OFFICE_APPS)
IDENTITY_AND_DEVICES = (AAD_P1, INTUNE)


def _sku(sku_id: str, name: str, part: str, *plans: ServicePlan) -> LicenseSku:
    return LicenseSku(uuid.UUID(sku_id), name, part, plans)


LICENSE_SKUS: tuple[LicenseSku, ...] = (
    _sku(
        "3b555118-da6a-4418-894f-7df1e2096870",
        "Microsoft 365 Business Basic",
        "O365_BUSINESS_ESSENTIALS",
        *BUSINESS_CORE,
    ),
    _sku(
        "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
        "Microsoft 365 Business Standard",
        "O365_BUSINESS_PREMIUM",
        *BUSINESS_CORE,
        OFFICE_APPS,
    ),
    _sku(
        "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
        "Microsoft 365 Business Premium",
        "SPB",
        *BUSINESS_CORE,
        OFFICE_APPS,
        *IDENTITY_AND_DEVICES,
    ),
    _sku(
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        "Office 365 E3",
        "ENTERPRISEPACK",
        *ENTERPRISE_CORE,
    ),
    _sku(
        "4b9405b0-7788-4568-add1-99614e613b69",
        "Exchange Online (Plan 1)",
        "EXCHANGESTANDARD",
        EXCHANGE_P1,
    ),
    _sku(
        "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
        "Enterprise Mobility + Security E3",
        "EMS",
        RMS_PREMIUM,
        INTUNE,
        RMS_ENTERPRISE,
        AAD_P1,
        MFA,
    ),
    _sku(
        "f8a1db68-be16-40ed-86d5-cb42ce701560",
        "Power BI Pro",
        "POWER_BI_PRO",
        EXCHANGE_FOUNDATION,
        POWER_BI_PRO,
    ),
)

# SKUs customers get only by buying them (the catalog's provisioning ids); kept out of
# LICENSE_SKUS so the seed's random draws, and with them the seeded world, stay unchanged.
PURCHASABLE_ONLY_SKUS: tuple[LicenseSku, ...] = (
    _sku(
        "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "Microsoft 365 E3",
        "SPE_E3",
        *ENTERPRISE_CORE,
        *IDENTITY_AND_DEVICES,
    ),
    _sku(
        "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        "Microsoft 365 E5",
        "SPE_E5",
        *ENTERPRISE_CORE,
        *IDENTITY_AND_DEVICES,
        POWER_BI_PRO,
    ),
    _sku(
        "fde42873-30b6-436b-b361-21af5a6b84ae",
        "Microsoft Teams Essentials",
        "Teams_Ess",
        TEAMS,
    ),
)

SKUS_BY_ID: dict[uuid.UUID, LicenseSku] = {
    sku.id: sku for sku in (*LICENSE_SKUS, *PURCHASABLE_ONLY_SKUS)
}
