"""tenants: the tenant an organization holds (one organization per tenant and platform), the
checkout's Service Details, GDAP relationships, Partner Center webhook events, MPN ID checks

Revision ID: 0007_tenants
Revises: 0006_invitations
Create Date: 2026-12-05 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_tenants"
down_revision: str | None = "0006_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _refuse_shared_tenants() -> None:
    """Stop, naming them, if organizations of one platform share a tenant ID: the new unique
    constraint would fail anyway, and which of them really holds the tenant is for staff to say."""
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT platform_id, tenant_id, legal_name FROM organizations "
                "WHERE tenant_id IS NOT NULL AND (platform_id, tenant_id) IN ("
                "SELECT platform_id, tenant_id FROM organizations WHERE tenant_id IS NOT NULL "
                "GROUP BY platform_id, tenant_id HAVING COUNT(*) > 1)"
            )
        )
        .all()
    )
    if rows:
        shared = "; ".join(f"{row.tenant_id}: {row.legal_name}" for row in rows)
        raise RuntimeError(
            "organizations of one platform share a Microsoft tenant ID; clear the tenant ID of "
            f"all but the one that holds it, then upgrade again ({shared})"
        )


def upgrade() -> None:
    op.create_table(
        "partner_center_events",
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("event_name", sa.String(length=128), nullable=False),
        sa.Column("resource_uri", sa.Text(), nullable=True),
        sa.Column("resource_name", sa.String(length=128), nullable=True),
        sa.Column("audit_uri", sa.Text(), nullable=True),
        sa.Column("resource_change_utc", sa.String(length=64), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "received",
                "handled",
                "ignored",
                "failed",
                name="eventoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_center_events")),
        sa.UniqueConstraint("body_sha256", name=op.f("uq_partner_center_events_body_sha256")),
    )
    with op.batch_alter_table("partner_center_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_center_events_event_name"), ["event_name"], unique=False
        )
        batch_op.create_index("ix_partner_center_events_received", ["received_at"], unique=False)

    op.create_table(
        "gdap_relationships",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_organization_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_id", sa.String(length=80), nullable=True),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("auto_extend", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "created",
                "approvalPending",
                "approved",
                "activating",
                "active",
                "expiring",
                "expired",
                "terminationRequested",
                "terminating",
                "terminated",
                "unknownFutureValue",
                name="gdapstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("approval_url", sa.Text(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_gdap_relationships_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_gdap_relationships_platform_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_gdap_relationships_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_organization_id"],
            ["organizations.id"],
            name=op.f("fk_gdap_relationships_requested_by_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gdap_relationships")),
        sa.UniqueConstraint("relationship_id", name=op.f("uq_gdap_relationships_relationship_id")),
    )
    with op.batch_alter_table("gdap_relationships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gdap_relationships_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gdap_relationships_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(
            "ix_gdap_relationships_status_end", ["status", "end_at"], unique=False
        )

    op.create_table(
        "microsoft_tenants",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("initial_domain", sa.String(length=253), nullable=True),
        sa.Column("default_domain", sa.String(length=253), nullable=True),
        sa.Column("verified_domains", sa.JSON(), nullable=False),
        sa.Column("relationship", sa.String(length=16), nullable=False),
        sa.Column("reseller_id", sa.Uuid(), nullable=True),
        sa.Column(
            "link_method",
            sa.Enum(
                "verified",
                "webhook",
                "created",
                "entered",
                "synced",
                name="linkmethod",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked_by_id", sa.Uuid(), nullable=True),
        sa.Column("linked_by_event_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["users.id"],
            name=op.f("fk_microsoft_tenants_linked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_tenants_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_tenants_reseller_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_microsoft_tenants")),
    )
    with op.batch_alter_table("microsoft_tenants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_microsoft_tenants_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "service_details",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum("new", "existing", name="tenantchoice", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "held",
                "awaiting_authorization",
                "linked",
                name="servicedetailsstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("domain_prefix", sa.String(length=27), nullable=True),
        sa.Column("customer_domain", sa.String(length=253), nullable=True),
        sa.Column("reseller_id", sa.Uuid(), nullable=True),
        sa.Column("authorization_url", sa.Text(), nullable=True),
        sa.Column("chosen_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_verify_outcome", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"],
            ["users.id"],
            name=op.f("fk_service_details_chosen_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_service_details_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_service_details_platform_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"],
            ["organizations.id"],
            name=op.f("fk_service_details_reseller_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_service_details")),
    )
    with op.batch_alter_table("service_details", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_details_platform_id"), ["platform_id"], unique=False
        )

    _refuse_shared_tenants()
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mpn_status", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("mpn_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_organizations_platform_id_tenant_id"), ["platform_id", "tenant_id"]
        )

    with op.batch_alter_table("platform_configs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "billing_address_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("platform_configs", schema=None) as batch_op:
        batch_op.drop_column("billing_address_required")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_organizations_platform_id_tenant_id"), type_="unique"
        )
        batch_op.drop_column("mpn_checked_at")
        batch_op.drop_column("mpn_status")

    with op.batch_alter_table("service_details", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_details_platform_id"))

    op.drop_table("service_details")
    with op.batch_alter_table("microsoft_tenants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_microsoft_tenants_tenant_id"))

    op.drop_table("microsoft_tenants")
    with op.batch_alter_table("gdap_relationships", schema=None) as batch_op:
        batch_op.drop_index("ix_gdap_relationships_status_end")
        batch_op.drop_index(batch_op.f("ix_gdap_relationships_platform_id"))
        batch_op.drop_index(batch_op.f("ix_gdap_relationships_organization_id"))

    op.drop_table("gdap_relationships")
    with op.batch_alter_table("partner_center_events", schema=None) as batch_op:
        batch_op.drop_index("ix_partner_center_events_received")
        batch_op.drop_index(batch_op.f("ix_partner_center_events_event_name"))

    op.drop_table("partner_center_events")
