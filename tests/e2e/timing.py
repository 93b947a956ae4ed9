"""How long a browser step may wait for the page.

Generous on purpose: the suite runs in several processes on two cores, where a sign-in (an
argon2id hash) and the page after it can take seconds. A step that succeeds waits no longer than
it needs, so the bound only decides how late a real failure is reported."""

ACTION_TIMEOUT_MS = 30_000
