"""Sync with Partner Center: customers and indirect resellers become organizations, bill-to is
read (never written), duplicates are proposed as matches and merged (docs/sync.md)."""
