"""event platform: each Partner Center event belongs to the platform whose Partner Center account
sent it, and is recorded once per platform

Events already recorded are kept, none is deleted. They were received before events named their
platform, so they are given one:
- the only platform, when there is exactly one;
- otherwise the platform whose tenant ID is this installation's Partner Center identity
  (TENANTRY_PARTNER_CENTER_TENANT_ID), the account that received them;
- otherwise the first platform by created_at (staff of the other platforms do not see them).
With events recorded and no platform at all, the upgrade stops and says to create the platform
first. A downgrade stops if one event body was recorded for several platforms (the old
constraint would fail); delete all but one of each first.

Revision ID: 0009_event_platform
Revises: 0008_sync
Create Date: 2026-12-06 02:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_event_platform"
down_revision: str | None = "0008_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_organizations = sa.table(
    "organizations",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_events = sa.table("partner_center_events", sa.column("platform_id", sa.Uuid()))


def _partner_tenant_id() -> uuid.UUID | None:
    from tenantry.settings import get_settings

    try:
        return uuid.UUID(get_settings().partner_center_tenant_id)
    except ValueError:
        return None


def _platform_of_old_events(connection: sa.Connection) -> uuid.UUID | None:
    platforms = connection.execute(
        sa.select(_organizations.c.id, _organizations.c.tenant_id)
        .where(_organizations.c.kind == "platform")
        .order_by(_organizations.c.created_at, _organizations.c.id)
    ).all()
    if not platforms:
        return None
    if len(platforms) > 1:
        identity = _partner_tenant_id()
        for platform_id, tenant_id in platforms:
            if identity is not None and tenant_id == identity:
                return uuid.UUID(str(platform_id))
    return uuid.UUID(str(platforms[0][0]))


def upgrade() -> None:
    with op.batch_alter_table("partner_center_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform_id", sa.Uuid(), nullable=True))

    connection = op.get_bind()
    recorded = connection.execute(
        sa.select(sa.func.count()).select_from(sa.table("partner_center_events"))
    ).scalar_one()
    if recorded:
        platform_id = _platform_of_old_events(connection)
        if platform_id is None:
            raise RuntimeError(
                f"{recorded} Partner Center events are recorded but there is no platform to give "
                "them to; create the platform owner (`tenantry create-admin`), then upgrade again"
            )
        connection.execute(sa.update(_events).values(platform_id=platform_id))

    with op.batch_alter_table("partner_center_events", schema=None) as batch_op:
        batch_op.alter_column("platform_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_partner_center_events_platform_id_organizations"),
            "organizations",
            ["platform_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_partner_center_events_platform_id"), ["platform_id"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("uq_partner_center_events_body_sha256"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_partner_center_events_platform_id_body_sha256"),
            ["platform_id", "body_sha256"],
        )


def downgrade() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT body_sha256 FROM partner_center_events GROUP BY body_sha256 "
                "HAVING COUNT(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if shared:
        raise RuntimeError(
            f"{len(shared)} Partner Center event bodies are recorded for several platforms; "
            "keep one row of each, then downgrade again"
        )
    with op.batch_alter_table("partner_center_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_partner_center_events_platform_id_body_sha256"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_partner_center_events_body_sha256"), ["body_sha256"]
        )
        batch_op.drop_index(batch_op.f("ix_partner_center_events_platform_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_partner_center_events_platform_id_organizations"), type_="foreignkey"
        )
        batch_op.drop_column("platform_id")
