"""catalog: what Partner Center lists for the platform's market (products, SKUs, the terms and
billing cycles of their availabilities), the refreshes that read it, the platform's price list
and markups; cart items gain a billing cycle

Items already in carts were put there from the fixed demo catalog, whose one-year term was
billed monthly and whose one-month term monthly: they get "monthly", the default of both.

Revision ID: 0018_catalog
Revises: 0017_subscriptionchanges
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_catalog"
down_revision: str | None = "0017_subscriptionchanges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_prices",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("sku_id", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=8), nullable=False),
        sa.Column("billing_cycle", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("list_price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_prices_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_prices")),
        sa.UniqueConstraint(
            "platform_id",
            "product_id",
            "sku_id",
            "term",
            "billing_cycle",
            "currency",
            name="uq_catalog_prices_item",
        ),
    )
    op.create_table(
        "catalog_products",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("product_type", sa.String(length=64), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_products_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_products")),
        sa.UniqueConstraint(
            "platform_id", "product_id", name=op.f("uq_catalog_products_platform_id_product_id")
        ),
    )
    op.create_table(
        "catalog_refreshes",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column(
            "trigger",
            sa.Enum(
                "schedule",
                "manual",
                "start",
                name="catalogrefreshtrigger",
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
                "failed",
                name="catalogrefreshstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.String(length=300), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("skus", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("more_changes", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_refreshes_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_catalog_refreshes_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_refreshes")),
    )
    with op.batch_alter_table("catalog_refreshes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_refreshes_platform_created", ["platform_id", "created_at"], unique=False
        )

    op.create_table(
        "catalog_skus",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("sku_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("minimum_quantity", sa.Integer(), nullable=False),
        sa.Column("maximum_quantity", sa.Integer(), nullable=False),
        sa.Column("is_trial", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_skus_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_skus")),
        sa.UniqueConstraint(
            "platform_id",
            "product_id",
            "sku_id",
            name=op.f("uq_catalog_skus_platform_id_product_id_sku_id"),
        ),
    )
    op.create_table(
        "catalog_terms",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("sku_id", sa.String(length=32), nullable=False),
        sa.Column("availability_id", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=8), nullable=False),
        sa.Column("billing_cycle", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_terms_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_terms")),
        sa.UniqueConstraint(
            "platform_id",
            "product_id",
            "sku_id",
            "term",
            "billing_cycle",
            name="uq_catalog_terms_item",
        ),
    )
    op.create_table(
        "catalog_markups",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=True),
        sa.Column("reseller_id", sa.Uuid(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(segment_id IS NULL) <> (reseller_id IS NULL)",
            name=op.f("ck_catalog_markups_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_markups_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_markups_reseller_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_catalog_markups_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_markups")),
        sa.UniqueConstraint(
            "platform_id", "reseller_id", name=op.f("uq_catalog_markups_platform_id_reseller_id")
        ),
        sa.UniqueConstraint(
            "platform_id", "segment_id", name=op.f("uq_catalog_markups_platform_id_segment_id")
        ),
    )
    with op.batch_alter_table("cart_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "billing_cycle", sa.String(length=16), nullable=False, server_default="monthly"
            )
        )
        batch_op.drop_constraint(
            batch_op.f("uq_cart_items_organization_id_offer_id_term"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_cart_items_organization_id_offer_id_term_billing_cycle"),
            ["organization_id", "offer_id", "term", "billing_cycle"],
        )


def downgrade() -> None:
    with op.batch_alter_table("cart_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_cart_items_organization_id_offer_id_term_billing_cycle"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_cart_items_organization_id_offer_id_term"),
            ["organization_id", "offer_id", "term"],
        )
        batch_op.drop_column("billing_cycle")

    op.drop_table("catalog_markups")
    op.drop_table("catalog_terms")
    op.drop_table("catalog_skus")
    with op.batch_alter_table("catalog_refreshes", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_refreshes_platform_created")

    op.drop_table("catalog_refreshes")
    op.drop_table("catalog_products")
    op.drop_table("catalog_prices")
