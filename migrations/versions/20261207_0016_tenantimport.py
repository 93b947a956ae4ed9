"""tenantimport: a linked customer's directory as imported from its Microsoft tenant (users,
domains, the licenses it holds with how many units are ours, who holds which), the imports
that brought them in, and the trials converted to paid after its orders

Revision ID: 0016_tenantimport
Revises: 0015_provisioning
Create Date: 2026-12-06 19:51:20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_tenantimport"
down_revision: str | None = "0015_provisioning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_domains",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("is_initial", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_domains_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_directory_domains_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_domains")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_directory_domains_organization_id_name")
        ),
    )
    op.create_table(
        "directory_imports",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("open_for", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "partial",
                "failed",
                name="directoryimportstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checkpoint", sa.JSON(), nullable=False),
        sa.Column("users_added", sa.Integer(), nullable=False),
        sa.Column("users_updated", sa.Integer(), nullable=False),
        sa.Column("users_removed", sa.Integer(), nullable=False),
        sa.Column("users_unchanged", sa.Integer(), nullable=False),
        sa.Column("domains_added", sa.Integer(), nullable=False),
        sa.Column("domains_removed", sa.Integer(), nullable=False),
        sa.Column("licenses_added", sa.Integer(), nullable=False),
        sa.Column("licenses_updated", sa.Integer(), nullable=False),
        sa.Column("licenses_removed", sa.Integer(), nullable=False),
        sa.Column("assignments_added", sa.Integer(), nullable=False),
        sa.Column("assignments_removed", sa.Integer(), nullable=False),
        sa.Column("calls_made", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_imports_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_directory_imports_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_directory_imports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_imports")),
        sa.UniqueConstraint("open_for", name=op.f("uq_directory_imports_open_for")),
    )
    op.create_index(
        "ix_directory_imports_organization_created",
        "directory_imports",
        ["organization_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "directory_licenses",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("sku_part_number", sa.String(length=128), nullable=True),
        sa.Column("capability_status", sa.String(length=32), nullable=True),
        sa.Column("active_units", sa.Integer(), nullable=False),
        sa.Column("consumed_units", sa.Integer(), nullable=False),
        sa.Column("suspended_units", sa.Integer(), nullable=False),
        sa.Column("warning_units", sa.Integer(), nullable=False),
        sa.Column("our_units", sa.Integer(), nullable=False),
        sa.Column("other_units", sa.Integer(), nullable=False),
        sa.Column("trial_units", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "ours", "other_provider", "both", name="licensesource", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("subscription_ids", sa.JSON(), nullable=False),
        sa.Column("seen_import_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_licenses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_directory_licenses_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_licenses")),
        sa.UniqueConstraint(
            "organization_id", "sku_id", name=op.f("uq_directory_licenses_organization_id_sku_id")
        ),
    )
    op.create_table(
        "directory_users",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_principal_name", sa.String(length=256), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("first_name", sa.String(length=64), nullable=True),
        sa.Column("last_name", sa.String(length=64), nullable=True),
        sa.Column("usage_location", sa.String(length=2), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("seen_import_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_users_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_directory_users_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_users")),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_directory_users_organization_id_user_id")
        ),
    )
    op.create_index(
        "ix_directory_users_organization_name",
        "directory_users",
        ["organization_id", "display_name"],
        unique=False,
    )

    op.create_table(
        "trial_conversions",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("trial_subscription_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=128), nullable=True),
        sa.Column("offer_name", sa.String(length=400), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "converted",
                "not_converted",
                name="trialconversionstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("paid_subscription_id", sa.String(length=64), nullable=True),
        sa.Column("target_offer_id", sa.String(length=128), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("users_before", sa.Integer(), nullable=False),
        sa.Column("users_kept", sa.Integer(), nullable=False),
        sa.Column("users_lost", sa.JSON(), nullable=False),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_trial_conversions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_trial_conversions_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial_conversions")),
    )
    op.create_index(
        "ix_trial_conversions_organization_created",
        "trial_conversions",
        ["organization_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "directory_assignments",
        sa.Column("directory_user_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directory_user_id"],
            ["directory_users.id"],
            name=op.f("fk_directory_assignments_directory_user_id_directory_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_assignments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "directory_user_id", "sku_id", name=op.f("pk_directory_assignments")
        ),
    )
    op.create_index(
        op.f("ix_directory_assignments_organization_id"),
        "directory_assignments",
        ["organization_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_directory_assignments_organization_id"), table_name="directory_assignments"
    )

    op.drop_table("directory_assignments")
    op.drop_index("ix_trial_conversions_organization_created", table_name="trial_conversions")

    op.drop_table("trial_conversions")
    op.drop_index("ix_directory_users_organization_name", table_name="directory_users")

    op.drop_table("directory_users")
    op.drop_table("directory_licenses")
    op.drop_index("ix_directory_imports_organization_created", table_name="directory_imports")

    op.drop_table("directory_imports")
    op.drop_table("directory_domains")
