"""The role templates a seller picks from when asking a customer for GDAP, and their rules.

Role ids are the template ids of Microsoft Entra's built-in roles, as listed in "Microsoft Entra
built-in roles" (https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/
permissions-reference, source MicrosoftDocs/entra-docs
docs/identity/role-based-access-control/permissions-reference.md); they are the same in every
tenant. Durations and auto-extend follow Graph's delegatedAdminRelationship rules: 1 to 730 days,
auto-extend by 180 days, never with the Global Administrator role.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.errors import FieldError, ValidationFailed

MIN_DAYS = 1
MAX_DAYS = 730  # "P2Y": Microsoft's longest relationship
AUTO_EXTEND_DAYS = 180  # the only extension Graph accepts ("P180D")


@dataclass(frozen=True)
class Role:
    id: str
    name: str


GLOBAL_ADMINISTRATOR = Role("62e90394-69f5-4237-9190-012177145e10", "Global Administrator")
GLOBAL_READER = Role("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader")
DIRECTORY_READERS = Role("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers")
HELPDESK_ADMINISTRATOR = Role("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator")
SERVICE_SUPPORT_ADMINISTRATOR = Role(
    "f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator"
)
USER_ADMINISTRATOR = Role("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator")
LICENSE_ADMINISTRATOR = Role("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator")
EXCHANGE_ADMINISTRATOR = Role("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator")
SHAREPOINT_ADMINISTRATOR = Role("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator")
TEAMS_ADMINISTRATOR = Role("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator")
SECURITY_READER = Role("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader")


@dataclass(frozen=True)
class RoleTemplate:
    key: str
    name: str
    # A few words for the relationship's display name, which Graph caps at 50 characters.
    short: str
    description: str
    roles: tuple[Role, ...]

    @property
    def allows_auto_extend(self) -> bool:
        """Microsoft does not auto-extend a relationship that holds Global Administrator."""
        return GLOBAL_ADMINISTRATOR not in self.roles


TEMPLATES: dict[str, RoleTemplate] = {
    t.key: t
    for t in (
        RoleTemplate(
            "support",
            "Support (least privilege)",
            "Support",
            "Read the tenant, reset non-admin passwords and open Microsoft support tickets.",
            (
                DIRECTORY_READERS,
                GLOBAL_READER,
                HELPDESK_ADMINISTRATOR,
                SERVICE_SUPPORT_ADMINISTRATOR,
                SECURITY_READER,
            ),
        ),
        RoleTemplate(
            "licensing_and_users",
            "Licensing and users",
            "Users",
            "Everything in Support, plus managing users, groups and license assignments.",
            (
                DIRECTORY_READERS,
                GLOBAL_READER,
                HELPDESK_ADMINISTRATOR,
                SERVICE_SUPPORT_ADMINISTRATOR,
                USER_ADMINISTRATOR,
                LICENSE_ADMINISTRATOR,
            ),
        ),
        RoleTemplate(
            "workloads",
            "Workload administration",
            "Workloads",
            "Administer Exchange, SharePoint and Teams, with users and licenses.",
            (
                DIRECTORY_READERS,
                GLOBAL_READER,
                USER_ADMINISTRATOR,
                LICENSE_ADMINISTRATOR,
                EXCHANGE_ADMINISTRATOR,
                SHAREPOINT_ADMINISTRATOR,
                TEAMS_ADMINISTRATOR,
            ),
        ),
        RoleTemplate(
            "full_administration",
            "Full administration",
            "Full admin",
            "Global Administrator: everything in the tenant. Microsoft never auto-extends it.",
            (GLOBAL_ADMINISTRATOR,),
        ),
    )
}
ROLE_NAMES = {role.id: role.name for t in TEMPLATES.values() for role in t.roles}


def checked(template: str, duration_days: int, auto_extend: bool) -> RoleTemplate:
    """The template, when the request keeps Microsoft's rules; otherwise 422 naming each field."""
    errors: list[FieldError] = []
    chosen = TEMPLATES.get(template)
    if chosen is None:
        names = ", ".join(TEMPLATES)
        errors.append(FieldError("template", "one_of", f"the template must be one of {names}"))
    if not MIN_DAYS <= duration_days <= MAX_DAYS:
        errors.append(
            FieldError(
                "duration_days",
                "range",
                f"the duration is {MIN_DAYS} to {MAX_DAYS} days (Microsoft's limit is 2 years)",
            )
        )
    if chosen is not None and auto_extend and not chosen.allows_auto_extend:
        errors.append(
            FieldError(
                "auto_extend",
                "not_with_global_administrator",
                f"Microsoft does not auto-extend a relationship with the Global Administrator "
                f"role; turn auto-extend off for {chosen.name}",
            )
        )
    if errors or chosen is None:
        raise ValidationFailed(errors)
    return chosen


# Graph's status values in words, for pages.
STATUS_LABELS = {
    "created": "Created",
    "approvalPending": "Approval pending",
    "approved": "Approved",
    "activating": "Activating",
    "active": "Active",
    "expiring": "Expiring",
    "expired": "Expired",
    "terminationRequested": "Termination requested",
    "terminating": "Terminating",
    "terminated": "Terminated",
    "unknownFutureValue": "Unknown",
}
