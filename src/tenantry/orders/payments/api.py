"""HTTP API of payments (/api/v1): starting an online payment, providers' webhooks, and the
platform's payment settings (who skips payment)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import AppSettings, CurrentActor, DbSession
from tenantry.orders.payments import service, settings
from tenantry.orders.payments.schemas import (
    NoticeAnswer,
    OrganizationPaymentSetting,
    OrganizationSettingWrite,
    PaymentSettingsRead,
    PaymentStart,
    PaymentStepRead,
    SegmentPaymentSetting,
    SegmentSettingWrite,
)
from tenantry.problems import API_ERRORS
from tenantry.security import Actor

router = APIRouter(prefix="/api/v1", tags=["payments"], responses=API_ERRORS)


@router.post(
    "/orders/{order_id}/payment",
    summary="Start paying an order online (the customer's admins)",
    description="With a provider the customer pays online with, when it is enabled here (card: "
    "redirect to the card service's payment page; the manual provider is paid by invoice, 409 "
    "not_paid_online). The answer says whether it is paid, where to go (redirect_url), pending, "
    "or declined.",
)
async def start_payment(
    request: Request,
    order_id: uuid.UUID,
    data: PaymentStart,
    session: DbSession,
    actor: CurrentActor,
    app_settings: AppSettings,
) -> PaymentStepRead:
    return_url = data.return_url or f"{app_settings.base_url.rstrip('/')}/orders/{order_id}"
    step = await service.start(
        session, actor, order_id, data.provider, app_settings, return_url=return_url
    )
    return PaymentStepRead(
        outcome=step.outcome, redirect_url=step.redirect_url, code=step.code, message=step.message
    )


@router.post(
    "/payments/{provider}/webhook",
    summary="A payment provider's notification (verified by the provider's adapter)",
    description="No sign-in: the provider's adapter verifies the call (400 when it does not). "
    "A notification about an order no longer waiting for payment is ignored.",
)
async def payment_webhook(
    provider: str, request: Request, session: DbSession, app_settings: AppSettings
) -> NoticeAnswer:
    body = await request.body()
    result = await service.receive(session, provider, dict(request.headers), body, app_settings)
    return NoticeAnswer(result=result)


async def _read(session: AsyncSession, actor: Actor) -> PaymentSettingsRead:
    segments, organizations = await settings.overview(session, actor)
    return PaymentSettingsRead(
        segments=[
            SegmentPaymentSetting(segment_id=s.segment.id, name=s.segment.name,
                                  skip_payment=s.skip_payment)
            for s in segments
        ],
        organizations=[
            OrganizationPaymentSetting(organization_id=o.organization.id,
                                       name=o.organization.display_name,
                                       skip_payment=o.skip_payment)
            for o in organizations
        ],
    )  # fmt: skip


@router.get(
    "/payment-settings",
    summary="Who skips payment: segments and customers (the platform's admins)",
    description="By default every order waits for payment before anything goes to Microsoft.",
)
async def get_payment_settings(session: DbSession, actor: CurrentActor) -> PaymentSettingsRead:
    return await _read(session, actor)


@router.put(
    "/payment-settings/segments/{segment_id}",
    summary="Whether a segment's customers skip payment (audited)",
)
async def put_segment_setting(
    segment_id: uuid.UUID, data: SegmentSettingWrite, session: DbSession, actor: CurrentActor
) -> PaymentSettingsRead:
    await settings.set_segment(session, actor, segment_id, data.skip_payment)
    return await _read(session, actor)


@router.put(
    "/payment-settings/organizations/{organization_id}",
    summary="Whether one customer skips payment, whatever its segments say (audited)",
)
async def put_organization_setting(
    organization_id: uuid.UUID,
    data: OrganizationSettingWrite,
    session: DbSession,
    actor: CurrentActor,
) -> PaymentSettingsRead:
    await settings.set_organization(session, actor, organization_id, data.skip_payment)
    return await _read(session, actor)
