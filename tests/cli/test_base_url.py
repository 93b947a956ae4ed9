"""Links point where the app listens unless the operator says otherwise."""

from __future__ import annotations

from tenantry.settings import Settings


def test_the_base_url_follows_the_port_and_host_unless_set() -> None:
    assert Settings.model_validate({}).base_url == "http://127.0.0.1:8000"
    assert Settings.model_validate({"port": 8100}).base_url == "http://127.0.0.1:8100"
    everywhere = {"host": "0.0.0.0", "port": 8080}  # noqa: S104 - what serve would listen on
    assert Settings.model_validate(everywhere).base_url == "http://127.0.0.1:8080"
    assert Settings.model_validate({"host": "::1"}).base_url == "http://[::1]:8000"
    chosen = {"port": 8100, "base_url": "https://csp.example.com"}
    assert Settings.model_validate(chosen).base_url == "https://csp.example.com"


def test_the_embedded_sandbox_is_announced_where_clients_reach_it() -> None:
    from tenantry.server import sandbox_server

    everywhere = Settings.model_validate({"host": "0.0.0.0", "sandbox_port": 8101})  # noqa: S104
    server, part = sandbox_server(everywhere)
    assert server is not None
    assert part.state.startswith("http://127.0.0.1:8101/ ")
