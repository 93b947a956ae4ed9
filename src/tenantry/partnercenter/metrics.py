"""Prometheus metrics of the Partner Center client, labelled by operation (the client method)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CALLS = Counter(
    "tenantry_partner_center_calls",
    "Partner Center calls by operation and final outcome (success or the error's outcome).",
    ["operation", "outcome"],
)
CALL_DURATION = Histogram(
    "tenantry_partner_center_call_duration_seconds",
    "Wall time of one Partner Center call, retries and waits included.",
    ["operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
RETRIES = Counter(
    "tenantry_partner_center_retries",
    "Partner Center attempts repeated, by reason (server_error, transport_error, throttled, "
    "unauthorized).",
    ["operation", "reason"],
)
THROTTLES = Counter(
    "tenantry_partner_center_throttled",
    "HTTP 429 answers received from Partner Center.",
    ["operation"],
)
LIMITER_WAIT = Histogram(
    "tenantry_partner_center_limiter_wait_seconds",
    "Time a call waited for the client-side rate limiter before it was sent.",
    buckets=(0, 0.01, 0.1, 0.5, 1, 5, 15, 60),
)
