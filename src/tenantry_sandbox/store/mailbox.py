"""The mailbox: every message the sandbox's SMTP server accepted, kept whole and parsed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class MailMessage(SandboxBase):
    __tablename__ = "mailbox_messages"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    # The SMTP envelope (MAIL FROM, RCPT TO), which may differ from the headers.
    envelope_from: Mapped[str] = mapped_column(String(320))
    envelope_to: Mapped[str] = mapped_column(Text)  # comma-separated, lower-cased
    subject: Mapped[str] = mapped_column(Text, default="")
    from_header: Mapped[str] = mapped_column(Text, default="")
    to_header: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(Text, default=None)
    text_body: Mapped[str | None] = mapped_column(Text, default=None)
    html_body: Mapped[str | None] = mapped_column(Text, default=None)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


async def get(session: AsyncSession, message_id: uuid.UUID) -> MailMessage | None:
    rows = await session.execute(select(MailMessage).where(MailMessage.id == message_id))
    return rows.scalar_one_or_none()


async def listed(
    session: AsyncSession, *, to: str | None = None, limit: int = 100
) -> list[MailMessage]:
    """Newest first; ``to`` keeps the messages one address received."""
    query = select(MailMessage).order_by(MailMessage.seq.desc()).limit(limit)
    if to:
        address = to.strip().lower()
        recipients = MailMessage.envelope_to
        query = query.where(
            (recipients == address)
            | recipients.startswith(f"{address},", autoescape=True)
            | recipients.endswith(f",{address}", autoescape=True)
            | recipients.contains(f",{address},", autoescape=True)
        )
    return list((await session.execute(query)).scalars())


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(MailMessage)) or 0)


async def clear(session: AsyncSession) -> None:
    await session.execute(delete(MailMessage))
