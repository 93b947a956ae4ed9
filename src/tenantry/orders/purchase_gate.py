"""The agreement gate around everything that buys from Microsoft: new purchases, seat increases
and renewals.

Two halves. Before a call is sent, :func:`refuse_unless_agreed` refuses (409) what Microsoft
would refuse, with the sentence and the link for whoever is looking. Around the call,
:func:`guarded` turns Partner Center's own refusal (403, code 13605: Tenantry believed the
agreement accepted, Microsoft does not) into the same refusal and corrects the status, so the
next look shows it missing.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import gate
from tenantry.agreements.gate import PurchaseKind
from tenantry.errors import Conflict
from tenantry.models import Organization
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import AgreementRequired
from tenantry.security import Actor

T = TypeVar("T")

__all__ = ["PurchaseKind", "guarded", "refuse_unless_agreed"]


async def refuse_unless_agreed(
    session: AsyncSession,
    organization: Organization,
    viewer: Actor,
    client: PartnerCenterClient | None,
    kind: PurchaseKind,
) -> None:
    """Raise the gate's 409 (reason, message, link) when an agreement ``kind`` needs is missing;
    with ``client``, a status not known to be accepted is asked of Partner Center first."""
    missing = await gate.missing_agreements(session, organization, viewer, client=client, kind=kind)
    if missing:
        first = missing[0]
        extra: dict[str, Any] = {"link": first.link} if first.link else {}
        raise Conflict(first.message, reason=first.code, **extra)


async def guarded(
    session: AsyncSession,
    organization: Organization,
    viewer: Actor,
    kind: PurchaseKind,
    call: Awaitable[T],
) -> T:
    """Await a Partner Center purchase call (``client.checkout_cart(...)``, a subscription
    quantity change, a renewal); Microsoft's 403/13605 becomes the gate's refusal, the status
    corrected to missing."""
    try:
        return await call
    except AgreementRequired as exc:
        raise await gate.refused_by_microsoft(session, organization, viewer, kind) from exc
