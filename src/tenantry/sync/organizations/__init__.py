"""One organization and Partner Center: its last sync, what changed, Sync now, and its bill-to
beside Partner Center's (on its page and in the API)."""
