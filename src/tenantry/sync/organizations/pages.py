"""An organization's "Partner Center sync" and "Bill-to in Partner Center" sections: loaded
into its page by htmx, and a page of their own without scripts. "Sync now" for the
organization, and taking Partner Center's bill-to values, post from them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import PreconditionFailed, TenantryError
from tenantry.organizations import repository
from tenantry.security import Actor, Permission, require
from tenantry.sync import billto, manual
from tenantry.sync.history import labels
from tenantry.sync.history import repository as history
from tenantry.sync.history.pages import DONE
from tenantry.sync.organizations.service import bill_to
from tenantry.web.forms import FormState, problem_of, text, values_of
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
FIELDS = "fields"
MESSAGES = DONE | {
    "bill_to_taken": "Partner Center's values were taken: the organization now shows them.",
    "bill_to_same": "Nothing to take: the fields chosen no longer differ.",
}
STALE = (
    "Someone changed this organization after you opened it, so nothing was taken. The "
    "differences below are as they are now; choose again."
)


async def _section(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID, *,
    form: FormState | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    require(actor, Permission.SYNC_READ)
    organization = await repository.get(session, actor, organization_id)
    account = await billto.account_of(session, organization)
    run, may_open_run = await history.visible_run(session, actor, organization.last_sync_run_id)
    context: dict[str, Any] = labels.context() | {
        "section": "organizations",
        "organization": organization,
        "account": account,
        "bill_to": await bill_to(session, organization),
        "missing_labels": billto.missing_labels,
        "last_run": run,
        "may_open_run": may_open_run,
        "changes": await history.changes_of(session, organization.id),
        "may_run": actor.can(Permission.SYNC_RUN),
        "form": form or FormState({}),
        "done": MESSAGES.get(request.query_params.get("done", "")),
    }
    partial = is_htmx(request) and form is None
    name = "sync/_organization.html" if partial else "sync/organization.html"
    return render(request, name, context, status_code=status_code)


@router.get("/organizations/{organization_id}/sync")
async def organization_sync(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    return await _section(request, session, actor, organization_id)


@router.post("/organizations/{organization_id}/sync-now")
async def sync_organization_now(
    organization_id: uuid.UUID, session: DbSession, actor: PageActor
) -> Response:
    """Sync this customer (or this reseller and its customers) now, or join the run under way."""
    _, joined = await manual.sync_now(session, actor, organization_id)
    done = "joined" if joined else "queued"
    return redirect(f"/organizations/{organization_id}/sync?done={done}")


@router.post("/organizations/{organization_id}/bill-to")
async def take_bill_to(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """Take Partner Center's values of the ticked fields, at the version the page showed."""
    form = await request.form()
    values = values_of(form, [FIELDS, "version"], lists={FIELDS})
    version = text(form, "version")
    try:
        if not version.isdigit():
            raise PreconditionFailed("the form does not say which version it takes values onto")
        chosen = [f for f in values[FIELDS] if f in billto.BY_NAME]
        if not chosen:
            raise TenantryError("tick the fields whose Partner Center value to take")
        async with session.begin_nested():
            _, taken = await billto.take(
                session, actor, organization_id, chosen, if_match=f'"{version}"'
            )
    except PreconditionFailed:
        state = FormState({}, {}, STALE)
        return await _section(request, session, actor, organization_id, form=state, status_code=409)
    except TenantryError as exc:
        errors, message = problem_of(exc)
        state = FormState(values, errors, message)
        return await _section(
            request, session, actor, organization_id, form=state, status_code=exc.status
        )
    done = "bill_to_taken" if taken else "bill_to_same"
    return redirect(f"/organizations/{organization_id}/sync?done={done}")
