"""A customer's Microsoft subscriptions after purchase: seats up and down, auto-renew on and off,
each change its own record carried out through Partner Center by a job (docs/subscriptions.md)."""
