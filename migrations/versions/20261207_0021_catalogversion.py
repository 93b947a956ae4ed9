"""catalog version: a random token per platform that every change of its catalog or prices
replaces, so that every process's cache of the storefront's offers sees a change at once

Revision ID: 0021_catalogversion
Revises: 0020_agreementrefresh
Create Date: 2026-12-07 21:50:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_catalogversion"
down_revision: str | None = "0020_agreementrefresh"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    versions = op.create_table(
        "catalog_versions",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_catalog_versions_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform_id", name=op.f("pk_catalog_versions")),
    )
    # A platform that has a catalog already gets its first token now (a platform without one
    # gets it with its first catalog write).
    bind = op.get_bind()
    platform_id = sa.column("platform_id", sa.Uuid())
    catalogued = sa.select(platform_id).select_from(sa.table("catalog_products")).distinct()
    platforms = bind.execute(catalogued).scalars()
    now = sa.func.current_timestamp()
    for platform in list(platforms):
        bind.execute(
            versions.insert().values(platform_id=platform, token=uuid.uuid4().hex, changed_at=now)
        )


def downgrade() -> None:
    op.drop_table("catalog_versions")
