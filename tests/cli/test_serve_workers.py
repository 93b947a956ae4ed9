"""`tenantry serve --workers N`: worker processes behind one port, stopped together, replaced
when they die; the job consumer in the first only; an API token revoked through one worker
refused by all."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tenantry.bootstrap import create_platform
from tenantry.db import Database
from tenantry.identity.service import issue_api_token
from tenantry.models import Role
from tenantry.server import optional_module
from tests.cli.serving import START_DEADLINE_SECONDS, Served, free_port, wait_until_healthy

pytestmark = pytest.mark.slow
STOP_DEADLINE_SECONDS = 30
# The worker that accepts a new connection first answers it: this many requests are far more
# than it takes to reach both (a test stops asking as soon as both have answered).
MOST_REQUESTS = 400


def poll(what: str, check: Callable[[], Any], served: Served | None = None) -> Any:
    """``check()``'s first true answer, asked again until the deadline."""
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while not (answer := check()):
        if served is not None and served.process.poll() is not None:
            pytest.fail(
                f"tenantry serve exited while waiting for {what}:\n{served.logs.read_text()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {START_DEADLINE_SECONDS}s")
        time.sleep(0.1)
    return answer


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux's /proc lists them per thread)."""
    return {
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    }


def running(pid: int) -> bool:
    """Whether ``pid`` still exists as a process that has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def log(served: Served) -> list[dict[str, Any]]:
    return [json.loads(line) for line in served.log_lines()]


def started_workers(served: Served, count: int, *, starts: int | None = None) -> dict[int, int]:
    """Worker number -> process id of its latest start, once ``count`` workers have started
    serving ``starts`` times in all (once each unless given). Serving is the worker's own word
    that the parent now counts it as started, not uvicorn's "Application startup complete.",
    which worker 1 logs before its sandbox has started: a worker killed between the two is a
    failed start-up, which stops them all."""

    def started() -> dict[int, int] | None:
        lines = log(served)
        serving = {
            line["worker"]: int(line["event"].removeprefix("Started server process [")[:-1])
            for line in lines
            if line["event"].startswith("Started server process [")
        }
        complete = [line for line in lines if line["event"] == "worker process serving"]
        return serving if (len(serving), len(complete)) == (count, starts or count) else None

    found: dict[int, int] = poll(f"{starts or count} worker starts", started, served)
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_workers_answer_on_one_port_and_stop_together_on_sigterm(
    start_serve: Callable[..., Served],
) -> None:
    served = start_serve("--workers", "2")
    wait_until_healthy(served)
    workers = started_workers(served, 2)
    forked = children(served.process.pid)

    assert sorted(workers) == [1, 2]
    assert forked == set(workers.values())
    assert served.process.pid not in forked
    assert "Server    2 worker processes on one port, " in served.out.read_text()

    served.process.send_signal(signal.SIGTERM)
    exit_code = served.process.wait(timeout=STOP_DEADLINE_SECONDS)

    assert exit_code == 0
    assert not any(running(pid) for pid in forked)
    lines = log(served)
    stopped = [line for line in lines if line["event"] == "worker process stopped"]
    assert sorted((line["worker"], line["exit"]) for line in stopped) == [
        (1, "exit code 0"),
        (2, "exit code 0"),
    ]
    shut_down = [line for line in lines if line["event"] == "Application shutdown complete."]
    assert sorted(line["worker"] for line in shut_down) == [1, 2]
    assert lines[-1]["event"] == "all worker processes stopped"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_job_consumer_runs_in_the_first_worker_only_even_once_it_is_replaced(
    start_serve: Callable[..., Served],
) -> None:
    served = start_serve("--workers", "2")
    first = started_workers(served, 2)
    consumers = [line for line in log(served) if line["event"] == "job consumer configured"]

    assert [line["worker"] for line in consumers] == [1]
    assert "Jobs      consumed in worker 1 (2 threads)" in served.out.read_text()

    os.kill(first[1], signal.SIGKILL)
    second = started_workers(served, 2, starts=3)
    lines = log(served)
    served.stop()

    died = [line for line in lines if line["event"] == "worker process exited; starting another"]
    assert [(line["worker"], line["exit"]) for line in died] == [(1, "killed by SIGKILL")]
    assert second[1] != first[1]
    assert second[2] == first[2]
    configured = [line["worker"] for line in lines if line["event"] == "job consumer configured"]
    assert configured == [1, 1]
    huey = [line["event"] for line in lines if line["event"].startswith("Huey consumer started")]
    assert len(huey) == 2
    assert f"PID {first[1]} " in huey[0]
    assert f"PID {second[1]} " in huey[1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_worker_that_fails_to_start_stops_them_all_with_the_reason(
    start_serve: Callable[..., Served], tmp_path: Path
) -> None:
    if optional_module("tenantry_sandbox.app") is None:
        pytest.skip("tenantry_sandbox is not installed")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        served = start_serve(
            "--workers",
            "2",
            TENANTRY_RUN_SANDBOX="true",  # in worker 1, which cannot have the sandbox's port
            TENANTRY_SANDBOX_PORT=str(taken.getsockname()[1]),
            TENANTRY_SANDBOX_SMTP_PORT=str(free_port()),
            TENANTRY_SANDBOX_DATABASE_URL=f"sqlite:///{tmp_path / 'sandbox.db'}",
        )
        exit_code = served.process.wait(timeout=START_DEADLINE_SECONDS + STOP_DEADLINE_SECONDS)

    assert exit_code == 1
    assert served.logs.read_text().splitlines()[-1] == (
        "tenantry: worker 1 stopped during its start-up (exit code 3); see the log above"
    )
    lines = [json.loads(line) for line in served.log_lines()[:-1]]
    failed = [line for line in lines if line["event"] == "worker process failed to start; stopping"]
    assert [(line["worker"], line["exit"]) for line in failed] == [(1, "exit code 3")]
    assert not any("starting another" in line["event"] for line in lines)
    forked = [line["pid"] for line in lines if line["event"] == "worker process started"]
    assert len(forked) == 2
    assert not any(running(pid) for pid in forked)


async def platform_with_two_tokens(database: Database) -> tuple[uuid.UUID, str, uuid.UUID, str]:
    """The platform's id, an admin token's secret, and the id and secret of a second one."""
    async with database.transaction() as session:
        platform = await create_platform(session, legal_name="Northwind Distribution A/S")
        valid_for = timedelta(hours=1)
        tokens = [
            await issue_api_token(
                session, None, platform, role=Role.PLATFORM_ADMIN, name=name, valid_for=valid_for
            )
            for name in ("revoking", "revoked")
        ]
    (_, admin), (revoked, secret) = tokens
    return platform.id, admin, revoked.id, secret


def ask_every_worker(
    served: Served, path: str, label: str, token: str | None = None
) -> list[httpx.Response]:
    """GET ``path`` (with ``token``), each time on a new connection, until both workers have
    answered; every answer, in order. Which worker answered is in the request's log line."""
    answers: list[httpx.Response] = []
    answered: set[int] = set()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for number in range(MOST_REQUESTS):
        request_id = f"{label}-{number:04d}"
        answers.append(
            httpx.get(served.url + path, headers=headers | {"X-Request-ID": request_id}, timeout=10)
        )
        answered |= {
            line["worker"]
            for line in log(served)
            if line["event"] == "request" and line.get("request_id", "").startswith(label)
        }
        if answered == {1, 2}:
            return answers
    pytest.fail(f"{MOST_REQUESTS} requests did not reach both workers: {sorted(answered)}")


def statuses(answers: list[httpx.Response]) -> set[int]:
    return {answer.status_code for answer in answers}


async def test_a_token_revoked_through_one_worker_is_refused_by_every_worker(
    database: Database, start_serve: Callable[..., Served]
) -> None:
    platform_id, admin, revoked_id, secret = await platform_with_two_tokens(database)
    served = start_serve("--workers", "2")
    started_workers(served, 2)
    path = f"/api/v1/organizations/{platform_id}"
    # Both workers have served the token before it is revoked.
    assert statuses(ask_every_worker(served, path, "before", secret)) == {200}

    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        revoked = await client.delete(
            f"/api/v1/organizations/{platform_id}/api-tokens/{revoked_id}",
            headers={"Authorization": f"Bearer {admin}"},
        )
    assert revoked.status_code == 204, revoked.text

    assert statuses(ask_every_worker(served, path, "after", secret)) == {401}
    assert served.stop() == 0


def scrape(served: Served) -> str:
    response = httpx.get(f"{served.url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return response.text


def pings_counted(scrape: str) -> float:
    """``tenantry_http_requests_total`` of the ping route's 200 answers in a /metrics text."""
    for family in text_string_to_metric_families(scrape):
        for sample in family.samples:
            if sample.name == "tenantry_http_requests_total" and sample.labels == {
                "method": "GET", "route": "/api/v1/ping", "status": "200"
            }:  # fmt: skip
                return sample.value
    return 0.0


def count_pings_on_both_workers(served: Served, label: str) -> int:
    """Ping until both workers have answered, then wait for /metrics to count every ping; how
    many there were."""
    started_workers(served, 2)
    pings = ask_every_worker(served, "/api/v1/ping", label)
    assert statuses(pings) == {200}
    # A request is counted as its answer goes out: the last one may still be on its way.
    poll("every ping counted", lambda: pings_counted(scrape(served)) == len(pings), served)
    return len(pings)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_add_up_every_workers_requests_whichever_worker_answers_the_scrape(
    start_serve: Callable[..., Served],
) -> None:
    served = start_serve("--workers", "2")
    pings = count_pings_on_both_workers(served, "ping")
    [directory] = [
        line.split("(files in ", 1)[1].rstrip(")")
        for line in served.out.read_text().splitlines()
        if line.startswith("  Metrics ")
    ]
    scrapes = ask_every_worker(served, "/metrics", "scrape")
    assert Path(directory).is_dir()
    assert served.stop() == 0

    assert {pings_counted(answer.text) for answer in scrapes} == {pings}
    assert not Path(directory).exists()  # the workers' files go with the run


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_metrics_directory_given_keeps_a_runs_counts_and_the_next_run_starts_from_zero(
    start_serve: Callable[..., Served], tmp_path: Path
) -> None:
    directory = tmp_path / "metrics"
    for run in ("first", "second"):  # the second run counts its own pings, not the first's too
        served = start_serve("--workers", "2", PROMETHEUS_MULTIPROC_DIR=str(directory))
        count_pings_on_both_workers(served, run)
        assert served.stop() == 0
        assert list(directory.glob("*.db"))  # kept after the run
