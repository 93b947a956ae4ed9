"""orderflow: orders as a state machine (awaiting_customer, pending_payment, paid, provisioning,
completed, failed, cancelled) with payment, failure and provisioning columns, their timeline
(``order_events``) and who may skip payment (``order_payment_settings``). Orders placed before
(``submitted``) wait for payment, each with a "placed" row in its timeline.

Revision ID: 0014_orderflow
Revises: 0013_ownagreements
Create Date: 2026-12-07 09:00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_orderflow"
down_revision: str | None = "0013_ownagreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "awaiting_customer",
    "pending_payment",
    "paid",
    "provisioning",
    "completed",
    "failed",
    "cancelled",
)


def _status(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name,
        sa.Enum(*STATUSES, name="orderstatus", native_enum=False, length=24),
        nullable=nullable,
    )


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("placed_by_organization_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("payment_provider", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("payment_reference", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("payment_details", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("payment_skipped", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paid_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("provisioning_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("failure_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_placed_by_organization_id_organizations"),
            "organizations",
            ["placed_by_organization_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_paid_by_id_users"),
            "users",
            ["paid_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)
    _submitted_orders_wait_for_payment()

    op.create_table(
        "order_events",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=48), nullable=False),
        _status("from_status", True),
        _status("to_status", False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_order_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(
        "ix_order_events_order_created", "order_events", ["order_id", "created_at"], unique=False
    )

    op.create_table(
        "order_payment_settings",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("skip_payment", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(segment_id IS NULL) <> (organization_id IS NULL)",
            name=op.f("ck_order_payment_settings_segment_or_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_order_payment_settings_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_payment_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_order_payment_settings_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_order_payment_settings_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_payment_settings")),
        sa.UniqueConstraint(
            "organization_id", name=op.f("uq_order_payment_settings_organization_id")
        ),
        sa.UniqueConstraint("segment_id", name=op.f("uq_order_payment_settings_segment_id")),
    )
    op.create_index(
        op.f("ix_order_payment_settings_platform_id"),
        "order_payment_settings",
        ["platform_id"],
        unique=False,
    )

    _placed_events_for_earlier_orders()


ORDERS = sa.table(
    "orders",
    sa.column("id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("placed_by_id", sa.Uuid()),
    sa.column("placed_by_organization_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("status_changed_at", sa.DateTime(timezone=True)),
    sa.column("payment_details", sa.JSON()),
)


def _submitted_orders_wait_for_payment() -> None:
    """Orders placed before this revision were never paid nor sent: they wait for payment.

    Why before ``order_events`` exists: on SQLite the batch below rebuilds ``orders`` (copy, drop,
    rename), and dropping it would cascade to the timeline rows pointing at it.
    """
    op.get_bind().execute(
        ORDERS.update().values(
            status="pending_payment",
            status_changed_at=ORDERS.c.created_at,
            placed_by_organization_id=ORDERS.c.organization_id,
            payment_details={},
        )
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "status_changed_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("payment_details", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column(
            "status",
            existing_type=sa.Enum("submitted", name="orderstatus", native_enum=False, length=24),
            type_=sa.Enum(*STATUSES, name="orderstatus", native_enum=False, length=24),
            existing_nullable=False,
        )


def _placed_events_for_earlier_orders() -> None:
    """Each order placed before this revision starts its timeline with a "placed" row."""
    connection = op.get_bind()
    events = sa.table(
        "order_events",
        sa.column("id", sa.Uuid()),
        sa.column("order_id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("event", sa.String()),
        sa.column("from_status", sa.String()),
        sa.column("to_status", sa.String()),
        sa.column("actor_user_id", sa.Uuid()),
        sa.column("actor_label", sa.String()),
        sa.column("details", sa.JSON()),
    )
    rows = connection.execute(
        sa.select(ORDERS.c.id, ORDERS.c.created_at, ORDERS.c.placed_by_id)
    ).all()
    for order_id, created_at, placed_by_id in rows:
        connection.execute(
            events.insert().values(
                id=uuid.uuid4(),
                order_id=order_id,
                created_at=created_at,
                event="placed",
                from_status=None,
                to_status="pending_payment",
                actor_user_id=placed_by_id,
                actor_label="the person who placed it",
                details={},
            )
        )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_order_payment_settings_platform_id"), table_name="order_payment_settings"
    )
    op.drop_table("order_payment_settings")
    op.drop_index("ix_order_events_order_created", table_name="order_events")
    op.drop_table("order_events")
    op.execute("UPDATE orders SET status = 'submitted'")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_constraint(batch_op.f("fk_orders_paid_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_orders_placed_by_organization_id_organizations"), type_="foreignkey"
        )
        for column in (
            "cancelled_at",
            "completed_at",
            "failed_at",
            "failure_message",
            "failure_code",
            "provisioning_attempts",
            "paid_by_id",
            "paid_at",
            "payment_skipped",
            "payment_details",
            "payment_reference",
            "payment_provider",
            "placed_by_organization_id",
            "status_changed_at",
        ):
            batch_op.drop_column(column)
