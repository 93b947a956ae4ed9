"""The mailbox: every message the sandbox's SMTP server received, as pages and as JSON.

- ``GET /_sandbox/mailbox``: the list (newest first; ``?to=`` one recipient's);
- ``GET /_sandbox/mailbox/{id}``: one message, its links clickable, HTML and text parts;
- ``GET /_sandbox/mailbox/messages`` (``?to=&limit=``), ``GET /_sandbox/mailbox/messages/{id}``
  (with ``links``), ``GET .../{id}/raw``, ``DELETE /_sandbox/mailbox/messages``: for tests, which
  read emailed links from here.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from tenantry_sandbox import errors
from tenantry_sandbox.api import Session
from tenantry_sandbox.mailbox import linkify, links
from tenantry_sandbox.routes._pages import message, page
from tenantry_sandbox.store import mailbox
from tenantry_sandbox.store.mailbox import MailMessage

router = APIRouter(prefix="/_sandbox/mailbox", tags=["sandbox mailbox"])

To = Annotated[str | None, Query(description="Only messages sent to this address")]
Limit = Annotated[int, Query(ge=1, le=1000)]


def _summary(row: MailMessage) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "receivedAt": row.received_at.isoformat(),
        "from": row.from_header or row.envelope_from,
        "to": row.to_header,
        "recipients": [address for address in row.envelope_to.split(",") if address],
        "subject": row.subject,
    }


@router.get("", summary="The mailbox page", include_in_schema=False)
async def mailbox_page(
    request: Request, session: Session, to: To = None, limit: Limit = 200
) -> Response:
    rows = await mailbox.listed(session, to=to, limit=limit)
    return page(
        request, "mailbox_list.html", chrome="mailbox", messages=rows, to=to, title="Mailbox"
    )


@router.get("/messages", summary="Messages, newest first")
async def list_messages(session: Session, to: To = None, limit: Limit = 100) -> dict[str, Any]:
    rows = await mailbox.listed(session, to=to, limit=limit)
    return {"items": [_summary(row) for row in rows], "totalCount": len(rows)}


async def _message(session: Session, message_id: uuid.UUID) -> MailMessage:
    row = await mailbox.get(session, message_id)
    if row is None:
        raise errors.not_found(f"No message {message_id}.")
    return row


@router.get("/messages/{message_id}", summary="One message with its parts and links")
async def get_message(message_id: uuid.UUID, session: Session) -> dict[str, Any]:
    row = await _message(session, message_id)
    return {
        **_summary(row),
        "envelopeFrom": row.envelope_from,
        "messageId": row.message_id,
        "text": row.text_body,
        "html": row.html_body,
        "links": links(row),
    }


@router.get("/messages/{message_id}/raw", summary="The message as received (RFC 5322)")
async def raw_message(message_id: uuid.UUID, session: Session) -> Response:
    row = await _message(session, message_id)
    return Response(row.raw, media_type="message/rfc822")


@router.delete("/messages", status_code=204, summary="Empty the mailbox")
async def clear_messages(session: Session) -> Response:
    await mailbox.clear(session)
    return Response(status_code=204)


@router.get("/{message_id}", summary="One message's page", include_in_schema=False)
async def message_page(message_id: uuid.UUID, request: Request, session: Session) -> Response:
    row = await mailbox.get(session, message_id)
    if row is None:
        return message(
            request, "No such message", str(message_id), status_code=404, chrome="mailbox"
        )
    html = row.html_body and '<base target="_blank">' + row.html_body
    return page(
        request,
        "mailbox_message.html",
        chrome="mailbox",
        title=row.subject or "(no subject)",
        message=row,
        links=links(row),
        text=linkify(row.text_body) if row.text_body else None,
        html=html,
    )
