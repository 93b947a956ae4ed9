"""A linked customer's directory as imported from its Microsoft tenant: users, domains, the
licenses it holds (ours, and those bought from another provider) and who holds which; assigning
our licenses to its users; converting its trials of the products it buys to paid.

Layering: uses organizations, tenants' data and the Partner Center client; orders call it
(``request_import`` after a linked existing tenant's first order, ``convert_trials`` after an
order completes), never the reverse. See docs/tenant-import.md.
"""

from tenantry.directory.runs import request_import
from tenantry.directory.trials import convert_trials

__all__ = ["convert_trials", "request_import"]
