"""The merge wizard (/organizations/merge?keep=A&merge=B): both organizations field by field, a
choice for each field where they differ, and one confirmation. It posts to the same service as
the API, inside a savepoint: a refusal leaves nothing behind and shows the wizard again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import NotFound, TenantryError, invalid
from tenantry.models import Organization
from tenantry.organizations.merge import service
from tenantry.organizations.merge.schemas import MergeField, Side
from tenantry.security import Actor, Permission, organization_names, require
from tenantry.web.forms import problem_of, text
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/organizations/merge"
LABELS = {
    MergeField.LEGAL_NAME: "Legal name",
    MergeField.DISPLAY_NAME: "Display name",
    MergeField.REGISTRATION_NUMBER: "Company registration number",
    MergeField.VAT_ID: "VAT ID",
    MergeField.DOMAIN: "Domain",
    MergeField.INDUSTRY: "Industry",
    MergeField.ADDRESS: "Address",
    MergeField.PRIMARY_CONTACT: "Primary contact",
    MergeField.PREFERRED_CURRENCY: "Preferred currency",
    MergeField.ERP_ID: "ERP ID",
    MergeField.PARENT: "Seller",
    MergeField.MPN_ID: "MPN ID",
    MergeField.SEGMENTS: "Segments",
    MergeField.CUSTOM_PROPERTIES: "Custom properties",
}


@dataclass(frozen=True)
class Row:
    field: MergeField
    label: str
    keep: str
    merge: str
    differs: bool
    chosen: Side


def shown(value: Any, names: dict[uuid.UUID, str]) -> str:
    """A value as a person reads it."""
    if value is None or value in ("", [], {}):
        return "(none)"
    if isinstance(value, uuid.UUID):
        return names.get(value, str(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" if k not in ADDRESS_KEYS else str(v)
                         for k, v in value.items() if v)  # fmt: skip
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


ADDRESS_KEYS = frozenset(
    {"line1", "line2", "city", "region", "postal_code", "country", "name", "email", "phone"}
)


async def rows(
    session: AsyncSession, actor: Actor, keep: Organization, merged: Organization,
    chosen: dict[MergeField, Side],
) -> list[Row]:  # fmt: skip
    names = await organization_names(session, actor, [keep.parent_id, merged.parent_id])
    found = []
    for field in MergeField:
        left, right = service.value_of(keep, field), service.value_of(merged, field)
        found.append(
            Row(field, LABELS[field], shown(left, names), shown(right, names), left != right,
                chosen.get(field, "keep"))
        )  # fmt: skip
    return found


def _id(raw: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise invalid(name, "uuid", "choose the organizations to merge from a list") from None


async def _wizard(
    request: Request, session: AsyncSession, actor: Actor, keep_id: uuid.UUID,
    merge_id: uuid.UUID, *, chosen: dict[MergeField, Side] | None = None,
    problem: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    require(actor, Permission.ORGANIZATIONS_MERGE)
    keep, merged = await service.load_pair(session, actor, keep_id, merge_id)
    refusal = None
    try:
        service.check_mergeable(keep, merged)
    except TenantryError as exc:
        refusal = problem_of(exc)[1] or exc.detail
    context = {
        "section": "matches",
        "keep": keep,
        "merged": merged,
        "rows": await rows(session, actor, keep, merged, chosen or {}),
        "refusal": refusal,
        "problem": problem,
        "swap_url": f"{PATH}?" + urlencode({"keep": merged.id, "merge": keep.id}),
        "tenant": keep.tenant_id or merged.tenant_id,
    }
    code = 409 if refusal and status_code == 200 else status_code
    return render(request, "organizations/merge.html", context, status_code=code)


@router.get(PATH)
async def merge_wizard(request: Request, session: DbSession, actor: PageActor) -> Response:
    keep_id = _id(request.query_params.get("keep", ""), "keep")
    merge_id = _id(request.query_params.get("merge", ""), "merge")
    return await _wizard(request, session, actor, keep_id, merge_id)


@router.post(PATH)
async def merge_confirmed(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    keep_id, merge_id = _id(text(form, "keep"), "keep"), _id(text(form, "merge"), "merge")
    chosen: dict[MergeField, Side] = {
        field: "merge" for field in MergeField if text(form, field.value) == "merge"
    }
    version = text(form, "version")
    try:
        async with session.begin_nested():
            await service.merge(
                session, actor, keep_id, merge_id, chosen,
                if_match=f'"{version}"' if version.isdigit() else None,
            )  # fmt: skip
    except NotFound:
        raise
    except TenantryError as exc:
        message = problem_of(exc)[1] or exc.detail
        return await _wizard(
            request, session, actor, keep_id, merge_id, chosen=chosen, problem=message,
            status_code=exc.status,
        )  # fmt: skip
    return redirect(f"/organizations/{keep_id}?done=merged")
