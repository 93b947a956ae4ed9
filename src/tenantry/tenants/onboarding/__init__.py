"""The onboarding tracker: where a customer organization stands on its way from created to its
first order, step by step, read from what the other features recorded (never stored itself)."""
