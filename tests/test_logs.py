"""What a failure leaves in the logs: its traceback, in either format, and never the values the
failing code held (settings, tokens, customers' data)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog

from tenantry import observability
from tenantry.observability import configure_logging

SECRET = "sk_live_never_in_a_log"


def charge_card(card_secret: str) -> None:
    raise ConnectionError(f"the card service did not answer ({len(card_secret)} characters sent)")


def log_with_structlog() -> None:
    try:
        charge_card(SECRET)
    except ConnectionError as exc:
        structlog.get_logger("tenantry.test").warning("charging the card failed", exc_info=exc)


def log_with_logging() -> None:
    try:
        charge_card(SECRET)
    except ConnectionError:
        logging.getLogger("some.library").exception("charging the card failed")


FAILURES = pytest.mark.parametrize(
    "log_failure", [log_with_structlog, log_with_logging], ids=["structlog", "logging"]
)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    access_log = observability._access_log
    yield
    root.handlers[:], root.level = handlers, level
    structlog.configure(**config)
    observability._access_log = access_log


@FAILURES
def test_a_json_line_carries_the_traceback_frame_by_frame(
    log_failure: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=True)
    log_failure()

    [line] = capsys.readouterr().err.splitlines()
    entry: dict[str, Any] = json.loads(line)
    assert entry["event"] == "charging the card failed"
    [exception] = entry["exception"]
    assert exception["exc_type"] == "ConnectionError"
    assert exception["exc_value"] == "the card service did not answer (22 characters sent)"
    assert [frame["name"] for frame in exception["frames"]] == [log_failure.__name__, "charge_card"]
    assert all(frame["filename"].endswith("test_logs.py") for frame in exception["frames"])
    assert SECRET not in line


@FAILURES
def test_the_console_shows_pythons_own_traceback(
    log_failure: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=False)
    log_failure()

    text = capsys.readouterr().err
    assert "charging the card failed" in text
    assert "Traceback (most recent call last):" in text
    assert f"in {log_failure.__name__}" in text and "in charge_card" in text
    assert text.rstrip().endswith(
        "ConnectionError: the card service did not answer (22 characters sent)"
    )
    assert SECRET not in text


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_each_outgoing_call_is_a_line_only_when_debugging(
    level: str, shown: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(level, json=False)
    logging.getLogger("httpx").info(
        'HTTP Request: GET https://api.partnercenter.microsoft.com/v1/customers "HTTP/1.1 200 OK"'
    )

    assert ("HTTP Request: GET" in capsys.readouterr().err) is shown
