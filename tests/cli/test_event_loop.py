"""The event loop and HTTP parser `tenantry serve` runs on (TENANTRY_EVENT_LOOP), and the start
banner naming them."""

from __future__ import annotations

import asyncio
import sys

import pytest
import uvloop
from pydantic import ValidationError

from tenantry.server import ServeError, event_loop, http_parser, server_part
from tenantry.settings import Settings


def made_by(choice: str) -> asyncio.AbstractEventLoop:
    loop = event_loop(choice).factory()
    loop.close()
    return loop


def test_auto_and_uvloop_run_on_uvloop_when_it_is_installed() -> None:
    for choice in ("auto", "uvloop"):
        assert event_loop(choice).name == "uvloop"
        assert isinstance(made_by(choice), uvloop.Loop)


def test_asyncio_runs_on_asyncios_own_loop() -> None:
    assert event_loop("asyncio").name == "asyncio"
    loop = made_by("asyncio")
    assert isinstance(loop, asyncio.SelectorEventLoop)
    assert not isinstance(loop, uvloop.Loop)


def test_without_uvloop_auto_falls_back_to_asyncio_and_uvloop_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # an installation without it

    assert event_loop("auto").name == "asyncio"
    assert not isinstance(made_by("auto"), uvloop.Loop)
    with pytest.raises(ServeError, match="uvloop, which is not installed"):
        event_loop("uvloop")
    with pytest.raises(ValidationError, match="uvloop is not installed"):
        Settings(event_loop="uvloop")
    assert Settings(event_loop="auto").event_loop == "auto"


def test_an_unknown_event_loop_setting_is_refused() -> None:
    with pytest.raises(ValidationError, match="event_loop"):
        Settings(event_loop="trio")


def test_the_http_parser_is_httptools_when_installed_else_h11(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert http_parser() == "httptools"
    monkeypatch.setitem(sys.modules, "httptools", None)
    assert http_parser() == "h11"


def test_the_banner_line_names_the_processes_loop_and_parser() -> None:
    assert server_part(event_loop("asyncio"), 1).state == (
        "1 process, asyncio event loop, httptools HTTP parser"
    )
    assert server_part(event_loop("auto"), 4).state == (
        "4 worker processes on one port, uvloop event loop, httptools HTTP parser"
    )
