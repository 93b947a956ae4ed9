"""The Jinja environment and the one way a page answers (template, redirect), with the headers
every page carries."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from tenantry.security import Permission

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
# static/htmx.min.js is htmx.org's dist/htmx.min.js from the npm package of this version (0BSD).
HTMX_VERSION = "2.0.11"


# Scripts and styles only from our own origin: htmx needs no eval and no inline code
# (its indicator styles are switched off in base.html, and tenantry.css carries them).
def content_security_policy(*form_targets: str) -> str:
    """The pages' policy; ``form_targets``: other origins a form may lead to (a payment page)."""
    form_action = " ".join(("'self'", *form_targets))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


PAGE_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Vary": "Cookie, HX-Request",
}


def humanize(value: object) -> str:
    """``pending_approval`` -> ``Pending approval`` (enum values and field names on pages)."""
    text = value.value if isinstance(value, enum.Enum) else str(value)
    text = text.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def field_id(name: str, prefix: str = "") -> str:
    """The HTML id of a form field: ``address.postal_code`` -> ``f-address-postal_code``."""
    return f"f-{prefix}{name.replace('.', '-')}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release (and a restart): not checked on every page.
        auto_reload=False,
    )
    env.filters["humanize"] = humanize
    env.filters["when"] = when
    env.globals["field_id"] = field_id
    env.globals["P"] = Permission
    env.globals["htmx_version"] = HTMX_VERSION
    return env


templates = Jinja2Templates(env=_environment())


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page. The signed-in person, their organization's name and the session's CSRF
    token (for the hidden field every form carries) come from the request's state, as plain
    values: an error page renders after the transaction was rolled back, when ORM objects can
    no longer load anything."""
    state = request.state
    csrf_token: str = getattr(state, "csrf_token", None) or ""
    base: dict[str, Any] = {
        "actor": getattr(state, "actor", None),
        "organization_name": getattr(state, "organization_name", None),
        "csrf_token": csrf_token,
        "signed_in": bool(csrf_token),
        "on_behalf": getattr(state, "on_behalf", None),
        "unverified_email": getattr(state, "unverified_email", None),
        "organization_pending": getattr(state, "organization_pending", None),
        "pending_approvals": getattr(state, "pending_approvals", None),
        "unlinked_accounts": getattr(state, "unlinked_accounts", None),
        "open_attestation_requests": getattr(state, "open_attestation_requests", None),
        # Every page answering with an error status (a refused form, a missing page) starts its
        # title with "Error: ", so screen reader users hear it first.
        "failed": status_code >= 400,
    }
    response = templates.TemplateResponse(
        request, name, base | dict(context or {}), status_code=status_code
    )
    response.headers.update(PAGE_HEADERS)
    response.headers.update(headers or {})
    return response


def redirect(url: str, *, status_code: int = 303) -> Response:
    """After a form post, 303 See Other, so reloading the next page does not post again."""
    response = RedirectResponse(url, status_code=status_code)
    response.headers.update(PAGE_HEADERS)
    return response
