"""The sandbox's state, one module per area: each declares its tables and the queries over them.

Importing this package registers every table on ``SandboxBase.metadata``.
"""

from tenantry_sandbox.store import (
    accounts,
    agreements,
    audit_records,
    cardpay,
    carts,
    catalog_control,
    customers,
    domains,
    gdap,
    idempotency,
    identity,
    licenses,
    mailbox,
    orders,
    partners,
    relationships,
    subscriptions,
    tenants,
    users,
    webhooks,
)

__all__ = [
    "accounts",
    "agreements",
    "audit_records",
    "cardpay",
    "carts",
    "catalog_control",
    "customers",
    "domains",
    "gdap",
    "idempotency",
    "identity",
    "licenses",
    "mailbox",
    "orders",
    "partners",
    "relationships",
    "subscriptions",
    "tenants",
    "users",
    "webhooks",
]
