"""People, sign-in, sessions, API tokens and memberships."""
