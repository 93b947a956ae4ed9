"""What the platform owner defines for everyone: segments, custom properties, platform rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict
from tenantry.models import CustomPropertyDefinition, PlatformConfig, Segment
from tenantry.organizations import repository
from tenantry.organizations.schemas import (
    CustomPropertyCreate,
    PlatformConfigUpdate,
    SegmentCreate,
)
from tenantry.security import Actor, Permission, require


async def list_segments(session: AsyncSession, actor: Actor) -> Sequence[Segment]:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.segments(session, actor.platform_id)


async def create_segment(session: AsyncSession, actor: Actor, data: SegmentCreate) -> Segment:
    require(actor, Permission.PLATFORM_CONFIGURE)
    if any(
        s.name.lower() == data.name.lower()
        for s in await repository.segments(session, actor.platform_id)
    ):
        raise Conflict(f"a segment named '{data.name}' exists already")
    segment = Segment(platform_id=actor.platform_id, name=data.name, description=data.description)
    session.add(segment)
    await session.flush()
    await record(
        session, actor, action="segment.created", target_type="segment", target_id=segment.id,
        organization_id=actor.platform_id, changes={"after": data.model_dump()},
    )  # fmt: skip
    return segment


async def list_custom_properties(
    session: AsyncSession, actor: Actor
) -> Sequence[CustomPropertyDefinition]:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.custom_properties(session, actor.platform_id)


async def create_custom_property(
    session: AsyncSession, actor: Actor, data: CustomPropertyCreate
) -> CustomPropertyDefinition:
    require(actor, Permission.PLATFORM_CONFIGURE)
    existing = await repository.custom_properties(session, actor.platform_id)
    if any(d.key == data.key for d in existing):
        raise Conflict(f"a custom property with key '{data.key}' exists already")
    definition = CustomPropertyDefinition(platform_id=actor.platform_id, **data.model_dump())
    session.add(definition)
    await session.flush()
    await record(
        session, actor, action="custom_property.created", target_type="custom_property",
        target_id=definition.id, organization_id=actor.platform_id, changes={"after": data.model_dump()},
    )  # fmt: skip
    return definition


def _config_values(config: PlatformConfig) -> dict[str, object]:
    return {
        "allowed_currencies": list(config.allowed_currencies),
        "erp_id_required_for_orders": config.erp_id_required_for_orders,
        "work_account_domains": list(config.work_account_domains),
        "notification_cc": list(config.notification_cc),
    }


async def get_config(session: AsyncSession, actor: Actor) -> PlatformConfig:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.platform_config(session, actor.platform_id)


async def update_config(
    session: AsyncSession, actor: Actor, data: PlatformConfigUpdate
) -> PlatformConfig:
    require(actor, Permission.PLATFORM_CONFIGURE)
    config = await repository.platform_config(session, actor.platform_id, for_update=True)
    before = _config_values(config)
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(config, key, [str(v).lower() if key != "allowed_currencies" else v for v in value]
                if isinstance(value, list) else value)  # fmt: skip
    await session.flush()
    await record(
        session, actor, action="platform.configured", target_type="platform",
        target_id=actor.platform_id, organization_id=actor.platform_id,
        changes=diff(before, _config_values(config)),
    )  # fmt: skip
    return config
