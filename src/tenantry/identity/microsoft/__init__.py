"""Signing in with a Microsoft account: the OpenID Connect protocol, the accounts it proves, and its pages."""
