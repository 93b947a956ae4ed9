"""What the platform owner defines for everyone: segments, custom properties, platform rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError
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
        "billing_address_required": config.billing_address_required,
    }


async def get_config(session: AsyncSession, actor: Actor) -> PlatformConfig:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.platform_config(session, actor.platform_id)


class CurrencyInUse(Conflict):
    code = "currency_in_use"
    title = "Organizations pay in a currency you removed"


STRANDED_NAMED = 20


async def _refuse_stranding(session: AsyncSession, actor: Actor, currencies: list[str]) -> None:
    """Refuse a currency list that leaves organizations with a preferred currency the platform no
    longer allows: every later edit of theirs would be refused for it."""
    stranded = await repository.preferring_other_currencies(session, actor.platform_id, currencies)
    if not stranded:
        return
    names = ", ".join(
        f"{o.display_name} ({o.preferred_currency})" for o in stranded[:STRANDED_NAMED]
    )
    more = f" and {len(stranded) - STRANDED_NAMED} more" if len(stranded) > STRANDED_NAMED else ""
    message = f"still preferred by {names}{more}; change their currency first"
    raise CurrencyInUse(
        f"allowed_currencies: {message}",
        errors=[FieldError("allowed_currencies", "currency_in_use", message)],
        organizations=[
            {
                "id": str(o.id),
                "display_name": o.display_name,
                "preferred_currency": o.preferred_currency,
            }
            for o in stranded
        ],
    )


async def update_config(
    session: AsyncSession, actor: Actor, data: PlatformConfigUpdate
) -> PlatformConfig:
    require(actor, Permission.PLATFORM_CONFIGURE)
    config = await repository.platform_config(session, actor.platform_id, for_update=True)
    before = _config_values(config)
    if data.allowed_currencies is not None:
        await _refuse_stranding(session, actor, data.allowed_currencies)
    changes = data.model_dump(exclude_unset=True)
    if data.notification_cc is not None:
        changes["notification_cc"] = [str(e).lower() for e in data.notification_cc]
    for key, value in changes.items():
        setattr(config, key, value)
    await session.flush()
    await record(
        session, actor, action="platform.configured", target_type="platform",
        target_id=actor.platform_id, organization_id=actor.platform_id,
        changes=diff(before, _config_values(config)),
    )  # fmt: skip
    return config
