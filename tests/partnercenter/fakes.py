"""Fakes for the Partner Center client tests: a scripted service behind httpx.MockTransport and
a clock whose sleep advances time instantly."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tenantry.partnercenter import PartnerCenterClient

# Beside the repository (``<repo>/../shared``), or further up for a git worktree of it.
SAMPLES_DIR = next(
    (
        folder / "shared" / "partner-center" / "samples"
        for folder in Path(__file__).parents[2].parents
        if (folder / "shared" / "partner-center" / "samples").is_dir()
    ),
    Path(__file__).parents[2] / ".." / "shared" / "partner-center" / "samples",
)

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def load_sample(name: str) -> Any:
    return json.loads((SAMPLES_DIR / name).read_text(encoding="utf-8"))


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    if body is None:
        return httpx.Response(status, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


class FakeClock:
    """Monotonic time that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeService:
    """Partner Center, Graph and the token endpoint as one scripted request handler.

    Token requests are answered automatically (``token-1``, ``token-2``...). Every other request
    takes the next scripted reply; an unscripted request fails the test.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.replies: deque[Reply] = deque()
        self.token_lifetime = 3600
        self.token_reply: Reply | None = None

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v2.0/token"):
            # Yield once, as a real network call would, so concurrent callers interleave.
            await asyncio.sleep(0)
            self.token_requests.append(request)
            if self.token_reply is not None:
                return self._answer(self.token_reply, request)
            return httpx.Response(
                200,
                json={
                    "token_type": "Bearer",
                    "expires_in": self.token_lifetime,
                    "access_token": f"token-{len(self.token_requests)}",
                },
            )
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        return self._answer(self.replies.popleft(), request)

    @staticmethod
    def _answer(answer: Reply, request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def form(self, index: int) -> dict[str, str]:
        """The decoded form body of the index-th token request."""
        return dict(httpx.QueryParams(self.token_requests[index].content.decode()))


ClientFactory = Callable[..., PartnerCenterClient]
