"""Versions of the platform's own agreements: published by the platform's admins, never edited.

The version customers accept is the newest one whose effective date has come (UTC). A version
published for a later day waits; until then the one before it still applies. Publishing the same
title, text and date as the newest version again gives that version back (a retried request
publishes once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform.schemas import PlatformAgreement, VersionCreate
from tenantry.audit.service import record
from tenantry.db import serialize
from tenantry.errors import FieldError, NotFound, ValidationFailed
from tenantry.models import AgreementKind, AgreementVersion, utcnow
from tenantry.security import Actor, Permission, require

LABELS = {
    AgreementKind.PLATFORM_TERMS: "terms of business",
    AgreementKind.PROFESSIONAL_SECRECY: "professional-secrecy agreement",
}


def today() -> date:
    return utcnow().astimezone(UTC).date()


def applies_from(version: AgreementVersion) -> date:
    return version.effective_on or version.published_at.astimezone(UTC).date()


def text_digest(version: AgreementVersion) -> str:
    """What the acceptance evidence keeps of the text accepted (the text itself is kept here)."""
    return hashlib.sha256(f"{version.title}\n\n{version.body}".encode()).hexdigest()


async def versions(
    session: AsyncSession, platform_id: object, kind: AgreementKind
) -> Sequence[AgreementVersion]:
    """Every version of one agreement, newest first."""
    rows = await session.scalars(
        select(AgreementVersion)
        .where(AgreementVersion.platform_id == platform_id, AgreementVersion.kind == kind)
        .order_by(AgreementVersion.version.desc())
    )
    return rows.all()


def current_of(
    found: Sequence[AgreementVersion], on: date | None = None
) -> AgreementVersion | None:
    """The version that applies on ``on`` (today): the newest whose effective date has come."""
    day = on or today()
    return next((v for v in found if applies_from(v) <= day), None)


async def current(
    session: AsyncSession, platform_id: object, kind: AgreementKind
) -> AgreementVersion | None:
    return current_of(await versions(session, platform_id, kind))


async def get(
    session: AsyncSession, actor: Actor, agreement: PlatformAgreement, number: int
) -> AgreementVersion:
    """Anyone signed in may read the platform's agreements (customers accept them)."""
    found = await session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.platform_id == actor.platform_id,
            AgreementVersion.kind == agreement.kind,
            AgreementVersion.version == number,
        )
    )
    if found is None:
        raise NotFound(f"the {LABELS[agreement.kind]} has no version {number}")
    return found


def _effective_errors(effective: date, newest: AgreementVersion | None) -> list[FieldError]:
    if effective < today():
        return [FieldError("effective_on", "date_in_past",
                           f"{effective.isoformat()} has passed: a new version applies from today "
                           "or a later day")]  # fmt: skip
    if newest is not None and effective < applies_from(newest):
        return [FieldError("effective_on", "before_previous_version",
                           f"version {newest.version} applies from "
                           f"{applies_from(newest).isoformat()}; a newer version cannot apply "
                           "before it")]  # fmt: skip
    return []


async def publish(
    session: AsyncSession, actor: Actor, agreement: PlatformAgreement, data: VersionCreate
) -> tuple[AgreementVersion, bool]:
    """Publish the next version. Returns it and whether it is new (False: the same text was
    the newest version already)."""
    require(actor, Permission.PLATFORM_CONFIGURE, hint="the platform's admins publish agreements")
    kind = agreement.kind
    # Two publications at once would both take the next number: the later one waits.
    await serialize(session, "agreement-version", actor.platform_id, kind.value)
    found = await versions(session, actor.platform_id, kind)
    newest = found[0] if found else None
    effective = data.effective_on or today()
    if (
        newest is not None
        and (newest.title, newest.body) == (data.title, data.body)
        and applies_from(newest) == effective
    ):
        return newest, False
    if errors := _effective_errors(effective, newest):
        raise ValidationFailed(errors)
    number = (await session.scalar(
        select(func.max(AgreementVersion.version)).where(
            AgreementVersion.platform_id == actor.platform_id, AgreementVersion.kind == kind)
    ) or 0) + 1  # fmt: skip
    version = AgreementVersion(
        platform_id=actor.platform_id, kind=kind, version=number, title=data.title,
        body=data.body, published_at=utcnow(), published_by_id=actor.user_id,
        effective_on=effective,
    )  # fmt: skip
    session.add(version)
    await session.flush()
    await record(
        session, actor, action="agreement_version.published", target_type="agreement_version",
        target_id=version.id, organization_id=actor.platform_id,
        changes={"after": {"kind": kind.value, "version": number, "title": data.title,
                           "effective_on": effective, "text_sha256": text_digest(version)}},
    )  # fmt: skip
    return version, True
