"""Inviting people into an organization by a single-use link sent by email, and accepting it."""
