"""The sandbox's home page (``/``): what a person opening the sandbox's address can use.

``tenantry serve`` prints this address; the page links the mailbox, the admin center where a
customer's Global Admin approves partner requests, and the control API's documentation.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tenantry_sandbox.routes._admin_session import HOME as ADMIN_CENTER
from tenantry_sandbox.routes._pages import page
from tenantry_sandbox.state import SandboxState

router = APIRouter(tags=["sandbox home"])

PLACES: list[tuple[str, str, str]] = [
    (
        "Mailbox",
        "/_sandbox/mailbox",
        "Every email the product sent while it runs against the sandbox: sign-up links, "
        "password resets, notices to sellers.",
    ),
    (
        "Microsoft 365 admin center",
        ADMIN_CENTER,
        "Where a customer's Global Admin signs in to review and approve a partner's requests, "
        "as they would at Microsoft.",
    ),
    (
        "Control API",
        "/_sandbox/docs",
        "Reset and seed the world, create resellers and customers, move the clock, inject faults. "
        "Its OpenAPI document is /_sandbox/openapi.json.",
    ),
]


@router.get("/", summary="The sandbox's home page", include_in_schema=False)
async def home(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    return page(
        request, "home.html", chrome="home", title="Home", places=PLACES, settings=state.settings
    )
