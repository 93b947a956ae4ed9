"""Creating a customer's new Microsoft tenant in Partner Center, and handing its first
administrator's credentials to the customer through a one-time link (docs/tenants.md)."""
