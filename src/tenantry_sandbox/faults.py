"""Fault injection: throttling, server errors, dropped connections and latency, on demand.

Rules are set through ``PUT /_sandbox/faults`` and matched by method and path glob. Each rule
draws from its own random stream seeded from the configuration's ``seed`` and the rule's position,
so a given seed yields the same sequence of faults for the same sequence of requests, whatever the
other rules do. ``times`` caps how often a rule fires ("fail the next two calls").

A dropped connection sends the status line and then breaks off: an ASGI server closes the
connection once a response has started and the application raises, so the client sees the peer
vanish mid-response. Over ``httpx.ASGITransport`` the raised ``ConnectionDropped`` reaches the
client itself, and it is an ``httpx.RemoteProtocolError`` so client code sees the same transport
error class either way.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import random
from dataclasses import dataclass, field
from typing import Literal

import httpx
from pydantic import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.errors import server_error, throttled_response

FaultKind = Literal["throttle", "error", "disconnect", "latency"]


class FaultRule(RequestModel):
    kind: FaultKind
    rate: float = Field(default=1.0, ge=0.0, le=1.0)
    path: str = "*"
    methods: list[str] | None = None
    status: int = Field(default=503, ge=500, le=599)
    retry_after: int = Field(default=30, ge=1)
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    # A disconnect after the request was processed: the write happened, the answer is lost.
    after_response: bool = False
    times: int | None = Field(default=None, ge=1)

    def matches(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in {m.upper() for m in self.methods}:
            return False
        return fnmatch.fnmatchcase(path.lower(), self.path.lower())


class FaultConfig(RequestModel):
    seed: int | None = None
    rules: list[FaultRule] = Field(default_factory=list)


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised to break a connection off; see the module docstring."""

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a complete response.")


class HideDroppedConnections(logging.Filter):
    """Injected dropped connections are intended: keep the ASGI server's tracebacks of them out
    of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def quiet_server_logs() -> None:
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, HideDroppedConnections) for f in server_log.filters):
        server_log.addFilter(HideDroppedConnections())


@dataclass
class _ArmedRule:
    rule: FaultRule
    rng: random.Random
    fired: int = 0


@dataclass
class Decision:
    latency_seconds: float = 0.0
    fault: FaultRule | None = None


@dataclass
class FaultInjector:
    config: FaultConfig = field(default_factory=FaultConfig)
    _armed: list[_ArmedRule] = field(default_factory=list)

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._armed = [
            _ArmedRule(
                rule,
                random.Random(f"{config.seed}:{index}")
                if config.seed is not None
                else random.Random(),
            )
            for index, rule in enumerate(config.rules)
        ]

    def clear(self) -> None:
        self.configure(FaultConfig())

    def fired(self) -> list[int]:
        return [armed.fired for armed in self._armed]

    def decide(self, method: str, path: str) -> Decision:
        decision = Decision()
        for armed in self._armed:
            rule = armed.rule
            if not rule.matches(method, path):
                continue
            # Draw for every matching rule so each rule's stream is independent of the others.
            hit = armed.rng.random() < rule.rate
            if not hit or (rule.times is not None and armed.fired >= rule.times):
                continue
            if rule.kind == "latency":
                armed.fired += 1
                decision.latency_seconds += rule.latency_ms / 1000
            elif decision.fault is None:
                armed.fired += 1
                decision.fault = rule
        return decision


async def _drop(send: Send) -> None:
    await send(
        {"type": "http.response.start", "status": 500, "headers": [(b"content-length", b"1")]}
    )
    raise ConnectionDropped()


class FaultMiddleware:
    """Applies the configured faults to every Partner Center and identity request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        injector: FaultInjector = scope["app"].state.sandbox.faults
        decision = injector.decide(scope["method"], scope["path"])
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        rule = decision.fault
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "throttle":
            await throttled_response(rule.retry_after)(scope, receive, send)
        elif rule.kind == "error":
            await server_error(rule.status).response()(scope, receive, send)
        elif rule.after_response:

            async def discard(_message: Message) -> None:
                return None

            await self.app(scope, receive, discard)
            await _drop(send)
        else:
            await _drop(send)
