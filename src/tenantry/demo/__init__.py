"""Demo data for trying the product: ``tenantry demo load`` (and ``make run``) loads it once."""

from tenantry.demo.data import DEMO_PASSWORD, LOGINS, DemoLogin, organization_name
from tenantry.demo.load import LoadResult, load, loaded


def login_lines() -> list[str]:
    """The demo logins as aligned lines for the terminal."""
    width = max(len(login.email) for login in LOGINS)
    return [f'Demo logins (the password of each is "{DEMO_PASSWORD}"):'] + [
        f"  {login.email:<{width}}  {login.role.value:<15} {organization_name(login.organization)}"
        for login in LOGINS
    ]


__all__ = ["DEMO_PASSWORD", "LOGINS", "DemoLogin", "LoadResult", "load", "loaded", "login_lines"]
