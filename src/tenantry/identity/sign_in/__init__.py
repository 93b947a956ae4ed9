"""Signing in with a password: the pages, server-side sessions, throttling of guesses and an organization's sign-in requirement."""
