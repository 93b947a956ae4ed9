"""An order after it is placed: finding it (in scope, with filters), its timeline, and what the
customer and its seller's staff do with it (confirm, mark paid, retry, cancel)."""
