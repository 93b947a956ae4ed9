"""Demo data for trying the product: ``tenantry demo load`` (and ``make run``) loads it once."""

from tenantry.demo.data import DEMO_PASSWORD, LOGINS, PROSPECT, DemoLogin, organization_name
from tenantry.demo.load import LoadResult, load, loaded


def login_lines() -> list[str]:
    """The demo logins as aligned lines for the terminal, then the sandbox sign-in of the demo
    customer's Global Administrator (who accepts the authorization link)."""
    width = max(len(login.email) for login in LOGINS)
    people = [
        f"  {login.email:<{width}}  {login.role.value:<15} {organization_name(login.organization)}"
        for login in LOGINS
    ]
    prospect = organization_name(PROSPECT.organization)
    return [
        f'Demo logins (the password of each is "{DEMO_PASSWORD}"):',
        *people,
        "Sandbox admin center sign-in (no password asked):",
        f"  {PROSPECT.global_admin}  Global Administrator of {prospect}'s Microsoft tenant",
    ]


__all__ = ["DEMO_PASSWORD", "LOGINS", "DemoLogin", "LoadResult", "load", "loaded", "login_lines"]
