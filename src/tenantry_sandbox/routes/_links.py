"""Helpers the commerce route modules share (skipped by router discovery: leading underscore)."""

from __future__ import annotations

from fastapi import Request


def self_uri(request: Request) -> str:
    """The request as a resource link names it: relative, without ``/v1``, query kept."""
    path = request.url.path.removeprefix("/v1")
    return path + (f"?{request.url.query}" if request.url.query else "")
