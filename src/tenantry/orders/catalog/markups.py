"""Markups: a percentage on the list price for the customers of a segment and for those of a
reseller (how they combine: ``pricing``). Platform staff set them; resellers neither see nor
set them (they see the prices their customers pay, in the store).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import FieldError, ValidationFailed
from tenantry.models import (
    CatalogMarkup,
    Organization,
    OrganizationKind,
    Segment,
)
from tenantry.orders.catalog.schemas import MarkupsReplacement
from tenantry.security import Actor, Permission, require


@dataclass(frozen=True)
class MarkupRow:
    subject_id: uuid.UUID
    name: str
    percent: Decimal | None


@dataclass(frozen=True)
class Markups:
    segments: list[MarkupRow]
    resellers: list[MarkupRow]


async def _stored(session: AsyncSession, platform_id: uuid.UUID) -> list[CatalogMarkup]:
    return list(
        await session.scalars(select(CatalogMarkup).where(CatalogMarkup.platform_id == platform_id))
    )


async def _subjects(
    session: AsyncSession, platform_id: uuid.UUID
) -> tuple[list[Segment], list[Organization]]:
    segments = await session.scalars(
        select(Segment).where(Segment.platform_id == platform_id).order_by(Segment.name)
    )
    resellers = await session.scalars(
        select(Organization)
        .where(
            Organization.platform_id == platform_id,
            Organization.kind == OrganizationKind.RESELLER,
        )
        .order_by(Organization.display_name, Organization.id)
    )
    return list(segments), list(resellers)


async def markups(session: AsyncSession, actor: Actor) -> Markups:
    """Every segment and reseller of the platform, with its markup (None: none)."""
    require(actor, Permission.CATALOG_MANAGE)
    stored = await _stored(session, actor.platform_id)
    by_segment = {m.segment_id: m.percent for m in stored if m.segment_id}
    by_reseller = {m.reseller_id: m.percent for m in stored if m.reseller_id}
    segments, resellers = await _subjects(session, actor.platform_id)
    return Markups(
        segments=[MarkupRow(s.id, s.name, by_segment.get(s.id)) for s in segments],
        resellers=[MarkupRow(r.id, r.display_name, by_reseller.get(r.id)) for r in resellers],
    )


async def replace_markups(session: AsyncSession, actor: Actor, data: MarkupsReplacement) -> Markups:
    """Make the platform's markups exactly the listed ones (unlisted ones are removed)."""
    require(actor, Permission.CATALOG_MANAGE)
    segments, resellers = await _subjects(session, actor.platform_id)
    known_segments, known_resellers = {s.id for s in segments}, {r.id for r in resellers}
    errors = [
        FieldError(f"segments.{i}.segment_id", "exists", "there is no such segment")
        for i, m in enumerate(data.segments)
        if m.segment_id not in known_segments
    ] + [
        FieldError(f"resellers.{i}.organization_id", "reseller", "this is not one of the resellers")
        for i, m in enumerate(data.resellers)
        if m.organization_id not in known_resellers
    ]
    for name, ids in (
        ("segments", [m.segment_id for m in data.segments]),
        ("resellers", [m.organization_id for m in data.resellers]),
    ):
        if len(set(ids)) != len(ids):
            errors.append(FieldError(name, "unique", "each is listed once"))
    if errors:
        raise ValidationFailed(errors)
    wanted: dict[tuple[str, uuid.UUID], Decimal] = {
        ("segment", m.segment_id): m.percent for m in data.segments
    } | {("reseller", m.organization_id): m.percent for m in data.resellers}
    await _apply(session, actor, wanted)
    return await markups(session, actor)


async def _apply(
    session: AsyncSession, actor: Actor, wanted: dict[tuple[str, uuid.UUID], Decimal]
) -> None:
    changed: list[dict[str, str | None]] = []
    for row in await _stored(session, actor.platform_id):
        subject = row.segment_id or row.reseller_id
        assert subject is not None  # the table's check constraint
        key = ("segment" if row.segment_id else "reseller", subject)
        percent = wanted.pop(key, None)
        if percent is None:
            changed.append({"kind": key[0], "id": str(key[1]), "before": str(row.percent)})
            await session.delete(row)
        elif percent != row.percent:
            changed.append(
                {"kind": key[0], "id": str(key[1]), "before": str(row.percent),
                 "after": str(percent)}
            )  # fmt: skip
            row.percent = percent
    for (kind, subject_id), percent in wanted.items():
        session.add(
            CatalogMarkup(
                platform_id=actor.platform_id, percent=percent,
                segment_id=subject_id if kind == "segment" else None,
                reseller_id=subject_id if kind == "reseller" else None,
            )
        )  # fmt: skip
        changed.append({"kind": kind, "id": str(subject_id), "after": str(percent)})
    await session.flush()
    if changed:
        await record(
            session, actor, action="catalog.markups_set", target_type="markups",
            target_id=actor.platform_id, organization_id=actor.platform_id,
            changes={"markups": changed},
        )  # fmt: skip
