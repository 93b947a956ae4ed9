"""Microsoft tenants: which tenant a customer organization holds, and how it came to hold it."""
