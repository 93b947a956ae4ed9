"""One-time links: two clicks at the same moment, and one link per purpose."""

from __future__ import annotations

import asyncio

from tenantry.db import Database
from tenantry.identity.email import tokens as email_tokens
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.models import EmailTokenPurpose, User

PURPOSE = EmailTokenPurpose.RESET_PASSWORD


async def use(database: Database, secret: str, purpose: EmailTokenPurpose = PURPOSE) -> str:
    try:
        async with database.transaction() as session:
            await email_tokens.consume(session, secret, purpose)
    except TokenRefused as exc:
        return exc.reason.value
    return "used"


async def test_of_two_clicks_at_the_same_moment_exactly_one_uses_the_link(
    database: Database, erin: User
) -> None:
    async with database.transaction() as session:
        issued = await email_tokens.issue(session, erin, PURPOSE)
    outcomes = await asyncio.gather(*(use(database, issued.secret) for _ in range(4)))
    assert sorted(outcomes) == ["used"] + [Refusal.USED.value] * 3


async def test_a_link_works_only_for_its_own_purpose(database: Database, erin: User) -> None:
    async with database.transaction() as session:
        issued = await email_tokens.issue(session, erin, PURPOSE)
    assert await use(database, issued.secret, EmailTokenPurpose.VERIFY_EMAIL) == "unknown"
    assert await use(database, issued.secret) == "used"


def test_links_expire_after_48_hours_to_confirm_and_1_hour_to_reset() -> None:
    hours = {p: d.total_seconds() / 3600 for p, d in email_tokens.LIFETIME.items()}
    assert hours == {EmailTokenPurpose.VERIFY_EMAIL: 48, EmailTokenPurpose.RESET_PASSWORD: 1}
