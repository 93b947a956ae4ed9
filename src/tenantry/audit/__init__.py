"""The audit trail: who did what to which object, on whose behalf, from where."""
