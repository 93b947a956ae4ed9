"""HTML pages of the sandbox (sign-in, admin center, mailbox): one template environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def message(
    request: Request,
    title: str,
    text: str,
    *,
    status_code: int = 200,
    chrome: str = "signin",
    links: list[tuple[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page that only says something (an error, a confirmation), with optional links."""
    return page(
        request,
        "message.html",
        status_code=status_code,
        title=title,
        text=text,
        chrome=chrome,
        links=links or [],
        **context,
    )
