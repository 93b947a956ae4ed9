"""subscriptionchanges: each change asked of a customer's Microsoft subscription (more or fewer
licenses, auto-renew on or off) with its state

Revision ID: 0017_subscriptionchanges
Revises: 0016_tenantimport
Create Date: 2026-12-06 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_subscriptionchanges"
down_revision: str | None = "0016_tenantimport"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription_changes",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_row_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quantity_before", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("auto_renew", sa.Boolean(), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_label", sa.String(length=320), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"],
            name=op.f("fk_subscription_changes_organization_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["organizations.id"],
            name=op.f("fk_subscription_changes_platform_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"],
            name=op.f("fk_subscription_changes_requested_by_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_row_id"], ["microsoft_subscriptions.id"],
            name=op.f("fk_subscription_changes_subscription_row_id_microsoft_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_changes")),
        sa.UniqueConstraint(
            "subscription_row_id", "idempotency_key",
            name=op.f("uq_subscription_changes_subscription_row_id_idempotency_key"),
        ),
    )  # fmt: skip
    for column in ("platform_id", "organization_id", "subscription_row_id"):
        op.create_index(op.f(f"ix_subscription_changes_{column}"), "subscription_changes", [column])


def downgrade() -> None:
    op.drop_table("subscription_changes")
