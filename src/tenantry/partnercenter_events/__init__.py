"""Partner Center's webhook callbacks: verified, recorded once, handed to the outbox; each domain
registers what it does with an event type in its own ``events.py`` (see ``registry``)."""
