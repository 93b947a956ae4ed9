"""Converting a customer's trials of the products it just bought to paid subscriptions.

The provisioning job calls :func:`convert_trials` after an order completes. For each active
trial subscription of ours of a product the order bought, Partner Center is asked what it
offers for that subscription:

- a legacy trial (GUID offer id) lists trial conversions (``conversions``): the one to the
  bought offer (else the first) is posted with the quantity Partner Center proposes (the
  trial's); the subscription keeps its id;
- a new-commerce trial lists transition eligibilities: the paid SKU of the same product is the
  target, with license transfer when eligible (else a plain transition), on the term and billing
  cycle of the customer's paid subscription of that product (else one year, monthly).

How many paid licenses a new-commerce trial becomes: those its users need, i.e. the users
holding its license beyond the paid units of that license (the order's included), at least one
(Microsoft's minimum) and at most the trial's seats. Every user who held the license before is
checked after the conversion; anyone who lost it is named. What could not be converted is
recorded with the reason in plain words. Each outcome is a ``TrialConversion`` row, audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.directory.ownership import LicenseSkus, catalog_sku_of
from tenantry.directory.refusals import why_not
from tenantry.models import (
    DirectoryAssignment,
    DirectoryImport,
    DirectoryImportStatus,
    DirectoryUser,
    Organization,
    TrialConversion,
    TrialConversionStatus,
)
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.errors import (
    NotFound,
    PartnerCenterError,
    ServerError,
    TransportFailure,
)
from tenantry.partnercenter.models.subscriptions import (
    Conversion,
    Subscription,
    Transition,
    TransitionEligibility,
)

DEFAULT_TERM, DEFAULT_CYCLE = "P1Y", "monthly"
PREFERRED_TYPES = ("transition_with_license_transfer", "transition_only")
CONCURRENCY = 4
# Nothing converts a trial again after its order: say so instead of "it is tried again later".
NOT_RETRIED = ("the trial is left as it was and not tried again: convert it in Partner Center, "
               "or order the product again")  # fmt: skip
NOT_CHECKED = "they are not checked again: see who holds it after the next import"


@dataclass(frozen=True)
class Holder:
    user_id: str
    name: str


@dataclass
class Outcome:
    """What became of one trial, before it is recorded."""

    trial: Subscription
    status: TrialConversionStatus
    reason: str | None = None
    method: str | None = None
    paid_subscription_id: str | None = None
    target_offer_id: str | None = None
    quantity: int | None = None


class Converter:
    """One call of :func:`convert_trials`: the tenant, its subscriptions and license SKUs."""

    def __init__(self, session: AsyncSession, client: PartnerCenterClient,
                 organization: Organization, subscriptions: list[Subscription]) -> None:  # fmt: skip
        self.session, self.client, self.organization = session, client, organization
        self.tenant = str(organization.tenant_id)
        self.subscriptions = subscriptions
        self.skus = LicenseSkus(client, organization.address_country)

    async def holders(self, sku_id: str) -> list[Holder]:
        """Users holding the license: from the imported directory when it was imported, else
        read from Partner Center (every user's licenses)."""
        imported = await self.session.scalar(
            select(DirectoryImport.id)
            .where(
                DirectoryImport.organization_id == self.organization.id,
                DirectoryImport.status.in_(
                    (DirectoryImportStatus.SUCCEEDED, DirectoryImportStatus.PARTIAL)
                ),
            )
            .limit(1)
        )
        if imported is not None:
            found = await self.session.execute(
                select(DirectoryUser.user_id, DirectoryUser.display_name)
                .join(DirectoryAssignment,
                      DirectoryAssignment.directory_user_id == DirectoryUser.id)
                .where(DirectoryUser.organization_id == self.organization.id,
                       DirectoryAssignment.sku_id == sku_id)
                .order_by(DirectoryUser.display_name)
            )  # fmt: skip
            return [Holder(user_id, name) for user_id, name in found.all()]
        users = [
            Holder(user.id, user.display_name or user.user_principal_name or user.id)
            async for user in self.client.iter_customer_users(self.tenant)
        ]
        held = await self.holding(sku_id, users)
        return [holder for holder, has in zip(users, held, strict=True) if has]

    async def holding(self, sku_id: str, holders: list[Holder]) -> list[bool]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def holds(holder: Holder) -> bool:
            async with gate:
                try:
                    found = await self.client.list_user_licenses(self.tenant, holder.user_id)
                except NotFound:
                    return False
            return any(i.product_sku and i.product_sku.id.lower() == sku_id for i in found)

        return list(await asyncio.gather(*(holds(holder) for holder in holders)))

    async def paid_units(self, sku_id: str, trial: Subscription) -> int:
        """Active units of the license other than the trial's."""
        for item in await self.client.list_subscribed_skus(self.tenant):
            if item.product_sku and item.product_sku.id.lower() == sku_id:
                return max((item.active_units or 0) - (trial.quantity or 0), 0)
        return 0

    def paid_terms(self, product_id: str) -> tuple[str, str]:
        for sub in self.subscriptions:
            item = catalog_sku_of(sub)
            live = (sub.status or "").lower() == "active"
            if item and item[0].upper() == product_id and not sub.is_trial and live:
                return sub.term_duration or DEFAULT_TERM, sub.billing_cycle or DEFAULT_CYCLE
        return DEFAULT_TERM, DEFAULT_CYCLE

    async def transition(self, trial: Subscription, product_id: str, sku_id: str | None,
                         holders: list[Holder]) -> Outcome:  # fmt: skip
        offered = await self.client.list_transition_eligibilities(self.tenant, trial.id)
        target = _paid_target(offered, trial, product_id)
        if target is None or not target.catalog_item_id:
            return Outcome(trial, TrialConversionStatus.NOT_CONVERTED,
                           "Partner Center offers no conversion of this trial to the paid "
                           "subscription of its product.")  # fmt: skip
        eligible = {e.transition_type: e for e in target.eligibilities if e.is_eligible}
        kind = next((t for t in PREFERRED_TYPES if t in eligible), None)
        if kind is None:
            errors = [
                e.description for x in target.eligibilities for e in x.errors if e.description
            ]
            text = "; ".join(dict.fromkeys(errors)) or "no transition type is eligible"
            return Outcome(trial, TrialConversionStatus.NOT_CONVERTED,
                           f"Partner Center does not allow converting it now: {text}.")  # fmt: skip
        seats = trial.quantity or 1
        paid = await self.paid_units(sku_id, trial) if sku_id else 0
        quantity = min(max(len(holders) - paid, 1), seats)
        term, cycle = self.paid_terms(product_id)
        try:
            done = await self.client.create_transition(
                self.tenant, trial.id,
                Transition(from_catalog_item_id=trial.offer_id, from_subscription_id=trial.id,
                           to_catalog_item_id=target.catalog_item_id, quantity=quantity,
                           term_duration=term, billing_cycle=cycle, transition_type=kind),
            )  # fmt: skip
        except (TransportFailure, ServerError):
            # Partner Center may have made the transition and its answer got lost: look.
            made = await self.made(trial)
            if made is None:
                raise
            done = made
        return Outcome(trial, TrialConversionStatus.CONVERTED, method="transition",
                       paid_subscription_id=done.to_subscription_id,
                       target_offer_id=target.catalog_item_id, quantity=quantity)  # fmt: skip

    async def made(self, trial: Subscription) -> Transition | None:
        """The transition Partner Center made of ``trial``, if it made one."""
        try:
            found = await self.client.list_transitions(self.tenant, trial.id)
        except PartnerCenterError:
            return None
        return next((t for t in found if t.to_subscription_id
                     and (t.status or "").lower() not in ("failed", "cancelled")), None)  # fmt: skip

    async def conversion(self, trial: Subscription, wanted: set[str],
                         offers: list[Conversion]) -> Outcome:  # fmt: skip
        if not offers:
            return Outcome(trial, TrialConversionStatus.NOT_CONVERTED,
                           "Partner Center offers no conversion of this trial to a paid "
                           "offer.")  # fmt: skip
        chosen = next((c for c in offers if (c.target_offer_id or "").upper() in wanted), offers[0])
        quantity = chosen.quantity or trial.quantity
        result = await self.client.convert_trial(
            self.tenant, trial.id,
            Conversion(offer_id=chosen.offer_id, target_offer_id=chosen.target_offer_id,
                       order_id=chosen.order_id, quantity=quantity,
                       billing_cycle=chosen.billing_cycle),
        )  # fmt: skip
        if result.error:
            text = str(result.error.get("description") or result.error)
            return Outcome(trial, TrialConversionStatus.NOT_CONVERTED,
                           f"Partner Center refused the conversion: {text}.")  # fmt: skip
        return Outcome(trial, TrialConversionStatus.CONVERTED, method="conversion",
                       paid_subscription_id=result.subscription_id or trial.id,
                       target_offer_id=chosen.target_offer_id, quantity=quantity)  # fmt: skip


def _paid_target(
    offered: list[TransitionEligibility], trial: Subscription, product_id: str
) -> TransitionEligibility | None:
    trial_sku = catalog_sku_of(trial)
    for item in offered:
        parts = (item.catalog_item_id or "").split(":")
        if (
            len(parts) >= 2
            and parts[0].upper() == product_id
            and trial_sku
            and parts[1] != trial_sku[1]
        ):
            return item
    return None


async def convert_trials(
    session: AsyncSession,
    client: PartnerCenterClient,
    organization: Organization,
    product_ids: Collection[str],
) -> list[TrialConversion]:
    """Convert the organization's active trials of ``product_ids`` to paid; one recorded
    ``TrialConversion`` per trial found (converted, or not with the reason).

    ``product_ids`` are Partner Center product ids (``CFQ7TTC0LCHC``, the first part of a
    catalog item id) or, for legacy offers, offer ids. Writes in the caller's transaction;
    calling it again converts nothing twice (a converted trial is no longer a trial).
    """
    if organization.tenant_id is None:
        return []
    wanted = {p.split(":")[0].strip().upper() for p in product_ids if p and p.strip()}
    converter = Converter(session, client, organization,
                          await client.list_subscriptions(str(organization.tenant_id)))  # fmt: skip
    recorded: list[TrialConversion] = []
    for trial in converter.subscriptions:
        if not trial.is_trial or (trial.status or "").lower() != "active":
            continue
        outcome, holders, sku_id = await _convert_one(converter, trial, wanted)
        if outcome is None:
            continue
        recorded.append(await _record(converter, outcome, holders, sku_id, sorted(wanted)))
    return recorded


async def _convert_one(
    converter: Converter, trial: Subscription, wanted: set[str]
) -> tuple[Outcome | None, list[Holder], str | None]:
    item = catalog_sku_of(trial)
    holders: list[Holder] = []
    sku_id: str | None = None
    try:
        if item is not None:
            if item[0].upper() not in wanted:
                return None, [], None
            sku_id = await converter.skus.of(*item)
            holders = await converter.holders(sku_id) if sku_id else []
            return (
                await converter.transition(trial, item[0].upper(), sku_id, holders),
                holders,
                sku_id,
            )
        offers = await converter.client.list_trial_conversions(converter.tenant, trial.id)
        names = {(trial.offer_id or "").upper()} | {
            (c.target_offer_id or "").upper() for c in offers
        }
        if not names & wanted:
            return None, [], None
        return await converter.conversion(trial, wanted, offers), [], None
    except PartnerCenterError as exc:
        outcome = Outcome(
            trial, TrialConversionStatus.NOT_CONVERTED, why_not(exc, then=NOT_RETRIED)
        )
        return outcome, holders, sku_id


async def _record(
    converter: Converter, outcome: Outcome, holders: list[Holder], sku_id: str | None,
    product_ids: list[str],
) -> TrialConversion:  # fmt: skip
    lost: list[str] = []
    reason = outcome.reason
    if outcome.status is TrialConversionStatus.CONVERTED and sku_id and holders:
        try:
            kept = await converter.holding(sku_id, holders)
            lost = [holder.name for holder, has in zip(holders, kept, strict=True) if not has]
        except PartnerCenterError as exc:
            reason = ("Converted, but the users' licenses could not be checked. "
                      f"{why_not(exc, then=NOT_CHECKED)}")  # fmt: skip
        if lost:
            reason = (f"Converted, but {len(lost)} user(s) no longer hold the license: "
                      f"{', '.join(lost)}. Assign it to them again.")  # fmt: skip
    trial, organization = outcome.trial, converter.organization
    row = TrialConversion(
        platform_id=organization.platform_id, organization_id=organization.id,
        trial_subscription_id=trial.id[:64], offer_id=(trial.offer_id or None) and trial.offer_id[:128],
        offer_name=(trial.friendly_name or trial.offer_name or None),
        status=outcome.status, method=outcome.method, reason=reason,
        paid_subscription_id=outcome.paid_subscription_id, target_offer_id=outcome.target_offer_id,
        quantity=outcome.quantity, users_before=len(holders),
        users_kept=len(holders) - len(lost) if outcome.status is TrialConversionStatus.CONVERTED else 0,
        users_lost=lost, product_ids=product_ids,
    )  # fmt: skip
    converter.session.add(row)
    await converter.session.flush()
    await record(
        converter.session, None, action=f"directory.trial_{outcome.status.value}",
        target_type="trial_conversion", target_id=row.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {"trial_subscription_id": row.trial_subscription_id,
                           "paid_subscription_id": row.paid_subscription_id,
                           "quantity": row.quantity, "reason": row.reason,
                           "users_kept": row.users_kept, "users_lost": lost}},
    )  # fmt: skip
    return row
