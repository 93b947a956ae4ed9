"""sync with Partner Center: what Partner Center knows of each customer and reseller, sync runs,
their errors and changes, match proposals, merged organizations' redirects, subscriptions; where
each organization came from and when it was last synced

Revision ID: 0008_sync
Revises: 0007_tenants
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_sync"
down_revision: str | None = "0007_tenants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "microsoft_subscriptions",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=128), nullable=True),
        sa.Column("offer_name", sa.String(length=400), nullable=True),
        sa.Column("friendly_name", sa.String(length=400), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("is_trial", sa.Boolean(), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=True),
        sa.Column("billing_cycle", sa.String(length=32), nullable=True),
        sa.Column("term_duration", sa.String(length=16), nullable=True),
        sa.Column("commitment_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_subscriptions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_subscriptions_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microsoft_subscriptions")),
        sa.UniqueConstraint(
            "platform_id",
            "subscription_id",
            name=op.f("uq_microsoft_subscriptions_platform_id_subscription_id"),
        ),
    )
    with op.batch_alter_table("microsoft_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_microsoft_subscriptions_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "organization_redirects",
        sa.Column("from_id", sa.Uuid(), nullable=False),
        sa.Column("to_id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by_id", sa.Uuid(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_by_id"],
            ["users.id"],
            name=op.f("fk_organization_redirects_merged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_organization_redirects_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_id"],
            ["organizations.id"],
            name=op.f("fk_organization_redirects_to_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_id", name=op.f("pk_organization_redirects")),
    )
    with op.batch_alter_table("organization_redirects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_redirects_to_id"), ["to_id"], unique=False
        )

    op.create_table(
        "sync_cursors",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("audit_records_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_full_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlinked_announced_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_sync_cursors_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "platform",
                "reseller",
                "organization",
                name="syncscope",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("scope_organization_id", sa.Uuid(), nullable=True),
        sa.Column("scope_tenant_id", sa.Uuid(), nullable=True),
        sa.Column(
            "trigger",
            sa.Enum(
                "schedule",
                "manual",
                "webhook",
                "audit",
                "start",
                name="synctrigger",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "partial",
                "failed",
                name="syncrunstatus",
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
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("calls_made", sa.Integer(), nullable=False),
        sa.Column("calls_saved", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_sync_runs_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_sync_runs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scope_organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_runs_scope_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_runs_platform_created", ["platform_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_runs_status"), ["status"], unique=False)

    op.create_table(
        "partner_center_accounts",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "customer",
                "reseller",
                name="partnercenteraccountkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("company_name", sa.String(length=400), nullable=False),
        sa.Column("initial_domain", sa.String(length=253), nullable=True),
        sa.Column("default_domain", sa.String(length=253), nullable=True),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("mpn_id", sa.String(length=16), nullable=True),
        sa.Column("relationship", sa.String(length=32), nullable=True),
        sa.Column("reseller_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("registration_number", sa.String(length=64), nullable=True),
        sa.Column("billing_profile", sa.JSON(), nullable=True),
        sa.Column("billing_etag", sa.String(length=64), nullable=True),
        sa.Column("billing_missing", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["last_run_id"],
            ["sync_runs.id"],
            name=op.f("fk_partner_center_accounts_last_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_partner_center_accounts_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_partner_center_accounts_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_center_accounts")),
        sa.UniqueConstraint(
            "platform_id",
            "kind",
            "tenant_id",
            name=op.f("uq_partner_center_accounts_platform_id_kind_tenant_id"),
        ),
    )
    with op.batch_alter_table("partner_center_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_center_accounts_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_partner_center_accounts_reseller_tenant_id"),
            ["reseller_tenant_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_partner_center_accounts_unlinked", ["platform_id", "organization_id"], unique=False
        )

    op.create_table(
        "sync_changes",
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_changes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_sync_changes_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_changes")),
    )
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_changes_organization", ["organization_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_changes_run_id"), ["run_id"], unique=False)

    op.create_table(
        "sync_run_errors",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("company_name", sa.String(length=400), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_run_errors_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_sync_run_errors_run_id_sync_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run_errors")),
    )
    with op.batch_alter_table("sync_run_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_errors_run_id"), ["run_id"], unique=False)

    op.create_table(
        "match_proposals",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("other_organization_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("pair_key", sa.String(length=80), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "merged",
                "linked",
                "dismissed",
                name="matchstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["partner_center_accounts.id"],
            name=op.f("fk_match_proposals_account_id_partner_center_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_match_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_match_proposals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_organization_id"],
            ["organizations.id"],
            name=op.f("fk_match_proposals_other_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_match_proposals_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposals")),
        sa.UniqueConstraint(
            "platform_id", "pair_key", name=op.f("uq_match_proposals_platform_id_pair_key")
        ),
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_proposals_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_match_proposals_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_match_proposals_other_organization_id"),
            ["other_organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_match_proposals_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_match_proposals_status"), ["status"], unique=False)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "tenantry",
                    "partner_center",
                    name="organizationsource",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                server_default="tenantry",
            )
        )
        batch_op.add_column(sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_sync_run_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("last_sync_run_id")
        batch_op.drop_column("last_synced_at")
        batch_op.drop_column("source")

    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_platform_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_other_organization_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_organization_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_account_id"))

    op.drop_table("match_proposals")
    with op.batch_alter_table("sync_run_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_errors_run_id"))

    op.drop_table("sync_run_errors")
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_changes_run_id"))
        batch_op.drop_index("ix_sync_changes_organization")

    op.drop_table("sync_changes")
    with op.batch_alter_table("partner_center_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_partner_center_accounts_unlinked")
        batch_op.drop_index(batch_op.f("ix_partner_center_accounts_reseller_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_partner_center_accounts_organization_id"))

    op.drop_table("partner_center_accounts")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_status"))
        batch_op.drop_index("ix_sync_runs_platform_created")

    op.drop_table("sync_runs")
    op.drop_table("sync_cursors")
    with op.batch_alter_table("organization_redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_redirects_to_id"))

    op.drop_table("organization_redirects")
    with op.batch_alter_table("microsoft_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_microsoft_subscriptions_organization_id"))

    op.drop_table("microsoft_subscriptions")
