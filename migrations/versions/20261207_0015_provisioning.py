"""provisioning: a new tenant's first administrator credentials, sealed until the customer opens
the one-time link (``new_tenant_credentials``), and what the provisioning job did in Partner
Center for each order (``order_provisioning``), so a killed worker resumes without buying twice

Revision ID: 0015_provisioning
Revises: 0014_orderflow
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_provisioning"
down_revision: str | None = "0014_orderflow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "new_tenant_credentials",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("initial_domain", sa.String(length=253), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "erased_because",
            sa.Enum("opened", "expired", name="credentialserased", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_new_tenant_credentials_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_new_tenant_credentials_platform_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_new_tenant_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_new_tenant_credentials_token_hash")),
    )
    with op.batch_alter_table("new_tenant_credentials") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_new_tenant_credentials_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_new_tenant_credentials_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_new_tenant_credentials_platform_id"), ["platform_id"], unique=False
        )

    op.create_table(
        "order_provisioning",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "step",
            sa.Enum(
                "tenant",
                "agreement",
                "cart",
                "checkout",
                "follow",
                "done",
                name="provisioningstep",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("carts_made", sa.Integer(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("customer_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("cart_lines", sa.JSON(), nullable=False),
        sa.Column("cart_id", sa.String(length=64), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("partner_center_order_ids", sa.JSON(), nullable=False),
        sa.Column("checkout_errors", sa.JSON(), nullable=False),
        sa.Column("subscription_ids", sa.JSON(), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waiting_reason", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waits", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_provisioning_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_provisioning_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_order_provisioning_platform_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_provisioning")),
    )
    with op.batch_alter_table("order_provisioning") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_provisioning_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_provisioning_platform_id"), ["platform_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("order_provisioning") as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_provisioning_platform_id"))
        batch_op.drop_index(batch_op.f("ix_order_provisioning_organization_id"))

    op.drop_table("order_provisioning")
    with op.batch_alter_table("new_tenant_credentials") as batch_op:
        batch_op.drop_index(batch_op.f("ix_new_tenant_credentials_platform_id"))
        batch_op.drop_index(batch_op.f("ix_new_tenant_credentials_organization_id"))
        batch_op.drop_index(batch_op.f("ix_new_tenant_credentials_expires_at"))

    op.drop_table("new_tenant_credentials")
