"""JSON logs with a request id on every line, Prometheus metrics, and the request context."""

from __future__ import annotations

import logging
import sys
import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import Message, Receive, Scope, Send

from tenantry.context import RequestContext, set_current_request
from tenantry.http_middleware import HttpMiddleware

REQUEST_ID_HEADER = "X-Request-ID"
HTTP_REQUESTS = Counter(
    "tenantry_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "tenantry_http_request_duration_seconds", "Time to answer HTTP requests", ["method", "route"]
)


# Fields every log line of this process carries, from any thread: the worker number in
# `tenantry serve --workers N`, so a line tells which worker process wrote it.
_process_fields: dict[str, object] = {}


def bind_process_fields(**fields: object) -> None:
    """Add ``fields`` to every later log line of this process (a request's own fields win)."""
    _process_fields.update(fields)


def _add_process_fields(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    for key, value in _process_fields.items():
        event.setdefault(key, value)
    return event


# Tracebacks without the frames' local variables: those hold settings, tokens and customers'
# data (a secret in a log is a leak), and rendering them took seconds for a deep stack.
_JSON_TRACEBACK = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)


def _rendering(*, json: bool) -> list[structlog.types.Processor]:
    """One line of JSON with the traceback as a list of frames under ``exception``, or the
    console's text with Python's own traceback under it."""
    if json:
        return [_JSON_TRACEBACK, structlog.processors.JSONRenderer()]
    return [
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    ]


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    rendering = _rendering(json=json)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_process_fields,
        structlog.stdlib.add_logger_name,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # the app logs each request
    # httpx's own line per outgoing call (every Partner Center call), below DEBUG: the client
    # logs its retries and failures itself, and counts every call in /metrics.
    outgoing = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    logging.getLogger("httpx").setLevel(outgoing)
    global _access_log
    _access_log = _direct_logger(ACCESS_LOGGER, level, shared, rendering) if json else None


ACCESS_LOGGER = "tenantry.http"
# The line every request writes. With JSON logs it skips the standard library's logging (its
# records, handler locks and formatter: about 2.5 times the cost) and writes the same line,
# with the same fields, to stderr itself.
_access_log: Any = None


def _direct_logger(
    name: str,
    level: str,
    shared: list[structlog.types.Processor],
    rendering: list[structlog.types.Processor],
) -> Any:
    def add_name(
        _logger: object, _method: str, event: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        event["logger"] = name
        return event

    chain = [p for p in shared if p is not structlog.stdlib.add_logger_name]
    return structlog.wrap_logger(
        structlog.WriteLogger(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        processors=[*chain, add_name, *rendering],
        cache_logger_on_first_use=True,
    )


def access_logger() -> Any:
    return _access_log if _access_log is not None else structlog.get_logger(ACCESS_LOGGER)


class RequestContextMiddleware(HttpMiddleware):
    """Gives every request an id (or keeps the caller's), binds it to logs, times the request."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode().lower(): v.decode(errors="replace") for k, v in scope["headers"]}
        incoming = headers.get(REQUEST_ID_HEADER.lower(), "")
        request_id = (
            incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex
        )
        client = scope.get("client")
        set_current_request(RequestContext(request_id=request_id, ip=client[0] if client else None))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(scope["method"], path, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], path).observe(elapsed)
            access_logger().info(
                "request", method=scope["method"], path=scope["path"], status=status,
                duration_ms=round(elapsed * 1000, 1),
            )  # fmt: skip
